import { describe, expect, it } from 'vitest';
import { applyTemperature } from '../calibration/temperature-scaling.js';
import { defaultTfidfSettings } from '../features/tfidf-vectorizer.js';
import { defaultLogisticRegressionSettings } from '../model/logistic-regression.js';
import { TextClassifier } from '../model/text-classifier.js';
import { bundleFormatVersion, decodeModelBundle, encodeModelBundle } from './model-bundle.js';
import { weightsChecksum } from './weights-checksum.js';

const products = [
  { designation: 'Piscine tubulaire ronde', description: 'Pompe filtration piscine', prdtypecode: 2583 },
  { designation: 'Piscine hors sol', description: null, prdtypecode: 2583 },
  { designation: 'Bâche piscine', description: 'Bâche hiver', prdtypecode: 2583 },
  { designation: 'Roman policier poche', description: 'Livre roman', prdtypecode: 10 },
  { designation: 'Livre roman ancien', description: null, prdtypecode: 10 },
  { designation: 'Roman jeunesse livre', description: 'Poche', prdtypecode: 10 },
];

async function fittedClassifier(): Promise<TextClassifier> {
  const { classifier } = await TextClassifier.fit(products, {
    text: { designationRepeats: 2 },
    tfidf: { ...defaultTfidfSettings, minDf: 1, maxDf: 1 },
    logisticRegression: defaultLogisticRegressionSettings,
    seed: 42,
  });
  return classifier;
}

const training = { rows: products.length, iterations: 3, converged: true, loss: 0.5, source: 'test' };

describe('model bundle', () => {
  it('round-trips the model: same predictions, same weights checksum', async () => {
    const classifier = await fittedClassifier();
    const { header, classifier: loaded } = decodeModelBundle(encodeModelBundle(classifier, training));
    expect(header.classes).toEqual([
      { code: 10, name: "Livres d'occasion" },
      { code: 2583, name: 'Piscine et accessoires' },
    ]);
    expect(header.text.designationRepeats).toBe(2);
    expect(header.weightsChecksum).toBe(weightsChecksum(classifier.state.logisticRegression));
    expect(weightsChecksum(loaded.state.logisticRegression)).toBe(header.weightsChecksum);
    const queries = [{ designation: 'piscine ronde' }, { designation: 'un roman' }];
    expect(Array.from(loaded.predictProba(queries))).toEqual(Array.from(classifier.predictProba(queries)));
  });

  it('stores the calibration: served probabilities calibrated, same classes and weights checksum', async () => {
    const raw = await fittedClassifier();
    const calibrated = raw.withCalibration({ method: 'temperature', temperature: 2 });
    const { header, classifier: loaded } = decodeModelBundle(encodeModelBundle(calibrated, training));
    expect(header.calibration).toEqual({ method: 'temperature', temperature: 2 });
    expect(header.weightsChecksum).toBe(weightsChecksum(raw.state.logisticRegression));
    const queries = [{ designation: 'piscine ronde' }, { designation: 'un roman' }];
    const rawProbabilities = raw.predictProba(queries);
    expect(Array.from(loaded.predictProba(queries))).toEqual(
      Array.from(applyTemperature(rawProbabilities, 2, 2)),
    );
    expect(loaded.predict(queries)).toEqual(raw.predict(queries));
    const [top] = loaded.predictTopK([queries[0] as { designation: string }], 1);
    expect(top?.[0]?.probability).toBe(
      Math.max(...Array.from(applyTemperature(rawProbabilities, 2, 2).subarray(0, 2))),
    );
  });

  it('reads a format-1 bundle (no calibration) as temperature 1: the raw probabilities, bit for bit', async () => {
    const classifier = await fittedClassifier();
    const formatOne = Buffer.from(encodeModelBundle(classifier, training));
    formatOne.writeUInt32LE(1, 8);
    const { header, classifier: loaded } = decodeModelBundle(formatOne);
    expect(header.calibration).toBeUndefined();
    const queries = [{ designation: 'piscine ronde' }, { designation: 'un roman' }];
    expect(Array.from(loaded.predictProba(queries))).toEqual(Array.from(classifier.predictProba(queries)));
  });

  it('refuses a flipped bit, a truncated file, a newer format and a foreign file', async () => {
    const bytes = encodeModelBundle(await fittedClassifier(), training);
    const flipped = Buffer.from(bytes);
    flipped[flipped.length - 20] = (flipped[flipped.length - 20] as number) ^ 0x04;
    expect(() => decodeModelBundle(flipped, 'm.bundle')).toThrow(
      'm.bundle is corrupted or truncated: its sha256 checksum does not match its contents',
    );
    expect(() => decodeModelBundle(bytes.subarray(0, bytes.length - 100), 'm.bundle')).toThrow(
      /corrupted or truncated/,
    );
    expect(() => decodeModelBundle(bytes.subarray(0, 60), 'm.bundle')).toThrow(/truncated/);
    const future = Buffer.from(bytes);
    future.writeUInt32LE(bundleFormatVersion + 1, 8);
    expect(() => decodeModelBundle(future, 'm.bundle')).toThrow(
      `m.bundle has bundle format version ${bundleFormatVersion + 1}; this prodclass reads format ${bundleFormatVersion} and older: upgrade prodclass`,
    );
    expect(() => decodeModelBundle(Buffer.from('{"not": "a bundle"}'), 'm.bundle')).toThrow(
      /not a prodclass model bundle/,
    );
  });
});
