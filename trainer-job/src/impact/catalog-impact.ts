import type { DataLoad } from '@prodclass/catalog/data-loads';
import { snapshotBatches } from '@prodclass/catalog/snapshot';
import { maxImpactFlips } from '@prodclass/registry/contract/job-result';
import type { TextClassifier } from '@prodclass/textmodel/model/text-classifier';
import type pg from 'pg';
import { type FlipSummary, FlipTally } from './flip-tally.js';

/**
 * Scores every product of the catalog as of `load` with both models, one snapshot batch at a time
 * (the catalog is never held in memory whole), and tallies where their classes differ.
 */
export async function scoreCatalogImpact(
  db: pg.Client,
  load: DataLoad,
  models: { champion: TextClassifier; candidate: TextClassifier },
  onBatch: (products: number) => void = () => {},
): Promise<FlipSummary> {
  const tally = new FlipTally();
  for await (const batch of snapshotBatches(db, load)) {
    tally.add(models.champion.predict(batch), models.candidate.predict(batch));
    onBatch(tally.products);
  }
  return tally.summary(maxImpactFlips);
}
