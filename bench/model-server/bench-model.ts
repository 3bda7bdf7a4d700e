import fs from 'node:fs';
import path from 'node:path';
import { generateSyntheticCatalog } from '@prodclass/catalog/synthetic/generator';
import { encodeModelBundle } from '@prodclass/textmodel/bundle/model-bundle';
import { defaultTfidfSettings } from '@prodclass/textmodel/features/tfidf-vectorizer';
import { defaultLogisticRegressionSettings } from '@prodclass/textmodel/model/logistic-regression';
import { TextClassifier } from '@prodclass/textmodel/model/text-classifier';
import { defaultTextSettings } from '@prodclass/textmodel/text/product-text';

export const benchModelSettings = { catalogRows: 20_000, trainingRows: 16_000, seed: 42 } as const;

function csvField(value: string): string {
  return `"${value.replaceAll('"', '""')}"`;
}

/**
 * The model the model-server benches serve: fitted on 16,000 products of the synthetic catalog
 * (also written as `train.csv` for the seed server), with the other 4,000 as request bodies.
 */
export async function fitBenchModel(
  workDir: string,
): Promise<{ bundlePath: string; trainCsv: string; bodies: string[] }> {
  const { catalogRows, trainingRows, seed } = benchModelSettings;
  const products = [...generateSyntheticCatalog({ rows: catalogRows, seed })];
  const training = products.slice(0, trainingRows);
  const bodies = products
    .slice(trainingRows)
    .map(({ designation, description }) => JSON.stringify({ designation, description }));
  const trainCsv = path.join(workDir, 'train.csv');
  fs.writeFileSync(
    trainCsv,
    `designation,description,prdtypecode\n${training
      .map((row) => `${csvField(row.designation)},${csvField(row.description ?? '')},${row.prdtypecode}`)
      .join('\n')}\n`,
  );
  const fitStarted = performance.now();
  const { classifier, report } = await TextClassifier.fit(training, {
    text: defaultTextSettings,
    tfidf: defaultTfidfSettings,
    logisticRegression: defaultLogisticRegressionSettings,
    seed,
  });
  const bundlePath = path.join(workDir, 'model.bundle');
  fs.writeFileSync(
    bundlePath,
    encodeModelBundle(classifier, {
      ...report,
      source: `synthetic catalog, ${trainingRows} rows, seed ${seed}`,
    }),
  );
  console.log(`prodclass model fitted in ${((performance.now() - fitStarted) / 1000).toFixed(1)} s`);
  return { bundlePath, trainCsv, bodies };
}
