import { readFile, rename, writeFile } from 'node:fs/promises';
import {
  BundleError,
  decodeModelBundle,
  encodeModelBundle,
  type ModelBundle,
  type TrainingRecord,
} from '@prodclass/textmodel/bundle/model-bundle';
import type { TextClassifier } from '@prodclass/textmodel/model/text-classifier';

/** Writes the bundle next to its destination first, then renames it, so readers never see half a file. */
export async function writeModelBundle(
  path: string,
  classifier: TextClassifier,
  training: TrainingRecord,
): Promise<void> {
  const temporary = `${path}.partial-${process.pid}`;
  await writeFile(temporary, encodeModelBundle(classifier, training));
  await rename(temporary, path);
}

export async function readModelBundle(path: string): Promise<ModelBundle> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    throw new BundleError(code === 'ENOENT' ? `${path}: no such model bundle` : `${path}: ${message}`);
  }
  return decodeModelBundle(bytes, path);
}
