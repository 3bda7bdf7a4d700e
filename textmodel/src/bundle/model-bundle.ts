import { createHash } from 'node:crypto';
import type { Calibration } from '../calibration/temperature-scaling.js';
import { classByCode } from '../classes.js';
import type { TfidfSettings } from '../features/tfidf-vectorizer.js';
import type { LogisticRegressionSettings } from '../model/logistic-regression.js';
import { TextClassifier, type TextClassifierSettings } from '../model/text-classifier.js';
import type { TextSettings } from '../text/product-text.js';
import { weightsChecksum } from './weights-checksum.js';

/*
 * Layout (little-endian):
 *   0  magic "PRODCLS1"            8 bytes
 *   8  format version              uint32
 *  12  header length in bytes      uint32
 *  16  sha256 of bytes 48..end     32 bytes
 *  48  header JSON (UTF-8), padded with spaces to a multiple of 8
 *      sections, each starting on a multiple of 8 from the file start, as the header lists them
 */
const magic = Buffer.from('PRODCLS1', 'ascii');
/** 2 added the header's optional `calibration`; a format-1 bundle reads as uncalibrated (temperature 1). */
export const bundleFormatVersion = 2;
const preambleLength = 48;

type SectionName = 'vocabulary' | 'idf' | 'coef' | 'intercept';

interface SectionEntry {
  name: SectionName;
  type: 'utf8-lines' | 'float64';
  offset: number;
  byteLength: number;
}

/** What a bundle says about how and on what its model was trained. */
export interface TrainingRecord {
  rows: number;
  iterations: number;
  converged: boolean;
  loss: number;
  /** Where the training data came from (a file path, a dataset version). */
  source: string;
}

export interface BundleHeader {
  formatVersion: number;
  createdAt: string;
  text: TextSettings;
  tfidf: TfidfSettings;
  logisticRegression: LogisticRegressionSettings;
  seed: number;
  classes: Array<{ code: number; name: string | null }>;
  features: number;
  training: TrainingRecord;
  weightsChecksum: string;
  /** How the served probabilities are calibrated; absent: raw probabilities. */
  calibration?: Calibration;
  sections: SectionEntry[];
}

export interface ModelBundle {
  header: BundleHeader;
  classifier: TextClassifier;
}

function bytesOf(array: Float64Array): Buffer {
  return Buffer.from(array.buffer, array.byteOffset, array.byteLength);
}

function paddedTo8(length: number): number {
  return Math.ceil(length / 8) * 8;
}

export function encodeModelBundle(classifier: TextClassifier, training: TrainingRecord): Buffer {
  const { settings, tfidf, logisticRegression, calibration } = classifier.state;
  const payloads: Record<SectionName, Buffer> = {
    vocabulary: Buffer.from(tfidf.vocabulary.join('\n'), 'utf8'),
    idf: bytesOf(tfidf.idf),
    coef: bytesOf(logisticRegression.coef),
    intercept: bytesOf(logisticRegression.intercept),
  };
  const headerWithoutSections: Omit<BundleHeader, 'sections'> = {
    formatVersion: bundleFormatVersion,
    createdAt: new Date().toISOString(),
    text: settings.text,
    tfidf: settings.tfidf,
    logisticRegression: settings.logisticRegression,
    seed: settings.seed,
    classes: logisticRegression.classes.map((code) => ({ code, name: classByCode(code)?.name ?? null })),
    features: logisticRegression.features,
    training,
    weightsChecksum: weightsChecksum(logisticRegression),
    ...(calibration ? { calibration } : {}),
  };
  // Section offsets depend on the header's length, which depends on the offsets: lay out twice.
  let sections: SectionEntry[] = [];
  let headerBytes = Buffer.alloc(0);
  for (let pass = 0; pass < 3; pass++) {
    headerBytes = Buffer.from(JSON.stringify({ ...headerWithoutSections, sections }), 'utf8');
    let offset = preambleLength + paddedTo8(headerBytes.length);
    const laidOut = (Object.keys(payloads) as SectionName[]).map((name): SectionEntry => {
      const entry: SectionEntry = {
        name,
        type: name === 'vocabulary' ? 'utf8-lines' : 'float64',
        offset,
        byteLength: payloads[name].length,
      };
      offset = paddedTo8(offset + payloads[name].length);
      return entry;
    });
    if (JSON.stringify(laidOut) === JSON.stringify(sections)) break;
    sections = laidOut;
  }
  const last = sections[sections.length - 1] as SectionEntry;
  const file = Buffer.alloc(paddedTo8(last.offset + last.byteLength), 0);
  magic.copy(file, 0);
  file.writeUInt32LE(bundleFormatVersion, 8);
  file.writeUInt32LE(headerBytes.length, 12);
  file.fill(' ', preambleLength, preambleLength + paddedTo8(headerBytes.length));
  headerBytes.copy(file, preambleLength);
  for (const section of sections) payloads[section.name].copy(file, section.offset);
  createHash('sha256').update(file.subarray(preambleLength)).digest().copy(file, 16);
  return file;
}

export class BundleError extends Error {}

function float64Section(bytes: Buffer, section: SectionEntry): Float64Array {
  // A copy: the file buffer may not be 8-byte aligned in memory, and the model outlives it.
  return new Float64Array(
    bytes.buffer.slice(
      bytes.byteOffset + section.offset,
      bytes.byteOffset + section.offset + section.byteLength,
    ),
  );
}

/** Verifies and decodes a bundle; refuses a corrupted, truncated or newer-format file with a BundleError. */
export function decodeModelBundle(bytes: Buffer, origin = 'model bundle'): ModelBundle {
  if (bytes.length < preambleLength || !bytes.subarray(0, 8).equals(magic)) {
    throw new BundleError(`${origin} is not a prodclass model bundle (wrong magic bytes or too short)`);
  }
  const version = bytes.readUInt32LE(8);
  if (version > bundleFormatVersion) {
    throw new BundleError(
      `${origin} has bundle format version ${version}; this prodclass reads format ${bundleFormatVersion} and older: upgrade prodclass`,
    );
  }
  const headerLength = bytes.readUInt32LE(12);
  if (preambleLength + headerLength > bytes.length) {
    throw new BundleError(
      `${origin} is truncated (${bytes.length} bytes; its header alone needs ${preambleLength + headerLength})`,
    );
  }
  const expected = bytes.subarray(16, 48);
  const actual = createHash('sha256').update(bytes.subarray(preambleLength)).digest();
  if (!actual.equals(expected)) {
    throw new BundleError(
      `${origin} is corrupted or truncated: its sha256 checksum does not match its contents`,
    );
  }
  const header = JSON.parse(
    bytes.toString('utf8', preambleLength, preambleLength + headerLength),
  ) as BundleHeader;
  const section = (name: SectionName): SectionEntry => {
    const entry = header.sections.find((candidate) => candidate.name === name);
    if (!entry || entry.offset + entry.byteLength > bytes.length)
      throw new BundleError(`${origin} lacks its ${name} section`);
    return entry;
  };
  const vocabularySection = section('vocabulary');
  const vocabulary = bytes
    .toString('utf8', vocabularySection.offset, vocabularySection.offset + vocabularySection.byteLength)
    .split('\n');
  const settings: TextClassifierSettings = {
    text: header.text,
    tfidf: header.tfidf,
    logisticRegression: header.logisticRegression,
    seed: header.seed,
  };
  const { calibration } = header;
  if (
    calibration !== undefined &&
    (calibration.method !== 'temperature' ||
      !Number.isFinite(calibration.temperature) ||
      calibration.temperature <= 0)
  ) {
    throw new BundleError(`${origin} has an unknown calibration: ${JSON.stringify(calibration)}`);
  }
  const classifier = TextClassifier.fromState({
    ...(calibration ? { calibration } : {}),
    settings,
    tfidf: { settings: header.tfidf, vocabulary, idf: float64Section(bytes, section('idf')) },
    logisticRegression: {
      settings: header.logisticRegression,
      classes: header.classes.map((entry) => entry.code),
      features: header.features,
      coef: float64Section(bytes, section('coef')),
      intercept: float64Section(bytes, section('intercept')),
    },
  });
  const { features } = header;
  const classCount = header.classes.length;
  if (
    vocabulary.length !== features ||
    classifier.state.tfidf.idf.length !== features ||
    classifier.state.logisticRegression.coef.length !== features * classCount ||
    classifier.state.logisticRegression.intercept.length !== classCount
  ) {
    throw new BundleError(
      `${origin} is inconsistent: its sections do not match ${features} features and ${classCount} classes`,
    );
  }
  return { header, classifier };
}
