import { appendCleanWords } from './clean-text.js';

/** The text fields of a product listing. */
export interface ProductText {
  designation: string;
  description?: string | null;
}

/** A listing with its product type code, as training and evaluation read it. */
export interface LabelledProduct extends ProductText {
  prdtypecode: number;
}

/** How a listing becomes one text; stored in the model bundle so serving does what training did. */
export interface TextSettings {
  /** The cleaned designation is repeated this many times, weighting title words over description words. */
  designationRepeats: number;
}

export { defaultTextSettings } from '../estimator-defaults.js';

/** The cleaned words of a listing: its designation's (repeated) and then its description's. */
export function productWords(product: ProductText, settings: TextSettings): string[] {
  const words: string[] = [];
  appendCleanWords(product.designation, words);
  const designationWords = words.length;
  for (let repeat = 1; repeat < settings.designationRepeats; repeat++) {
    for (let index = 0; index < designationWords; index++) words.push(words[index] as string);
  }
  if (product.description) appendCleanWords(product.description, words);
  return words;
}

/** Cleans a listing's designation and description and combines them into the model's input text. */
export function productText(product: ProductText, settings: TextSettings): string {
  return productWords(product, settings).join(' ');
}
