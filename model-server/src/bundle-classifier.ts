import { decodeModelBundle } from '@prodclass/textmodel/bundle/model-bundle';
import type { Classifier } from './classifier.js';

/** Decodes a model bundle (verifying its checksum) into the same TextClassifier `prodclass model predict` uses. */
export function loadBundleClassifier(bundle: Buffer): Classifier {
  return decodeModelBundle(bundle).classifier;
}
