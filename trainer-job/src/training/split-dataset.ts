import type { CatalogDataset } from '@prodclass/catalog/snapshot';
import { stratifiedSplit } from '@prodclass/textmodel/sampling/stratified-split';
import type { LabelledProduct } from '@prodclass/textmodel/text/product-text';

export interface DatasetSplit {
  train: LabelledProduct[];
  test: LabelledProduct[];
}

/**
 * The stratified, seeded train/test split of a catalog snapshot, taken before any balancing.
 * Rows come in productid order, so the same snapshot, test size and seed always give the same
 * split: champion and challenger are scored on the same held-out products, and a run reproduces.
 */
export function splitDataset(dataset: CatalogDataset, testSize: number, seed: number): DatasetSplit {
  const { train, test } = stratifiedSplit(
    Int32Array.from(dataset.rows, (row) => row.prdtypecode),
    testSize,
    seed,
  );
  const product = (position: number): LabelledProduct => {
    const { designation, description, prdtypecode } = dataset.rows[
      position
    ] as CatalogDataset['rows'][number];
    return { designation, description, prdtypecode };
  };
  return { train: train.map(product), test: test.map(product) };
}
