import { cleanText } from './clean-text.js';

/** The text fields of a product listing. */
export interface ProductText {
  designation: string;
  description?: string | null;
}

/** How a listing becomes one text; stored in the model bundle so serving does what training did. */
export interface TextSettings {
  /** The cleaned designation is repeated this many times, weighting title words over description words. */
  designationRepeats: number;
}

export const defaultTextSettings: TextSettings = { designationRepeats: 1 };

/** Cleans a listing's designation and description and combines them into the model's input text. */
export function productText(product: ProductText, settings: TextSettings): string {
  const designation = cleanText(product.designation);
  const description = product.description ? cleanText(product.description) : '';
  const parts = new Array<string>(settings.designationRepeats).fill(designation);
  if (description) parts.push(description);
  return parts.filter((part) => part.length > 0).join(' ');
}
