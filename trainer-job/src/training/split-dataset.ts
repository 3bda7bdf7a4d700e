import type { DatasetRow } from '@prodclass/catalog/fingerprint';
import type { CatalogDataset } from '@prodclass/catalog/snapshot';
import { type SplitSpec, splitMethods } from '@prodclass/registry/contract/split';
import { productIdSplit } from '@prodclass/textmodel/sampling/productid-split';
import { stratifiedSplit } from '@prodclass/textmodel/sampling/stratified-split';

export interface DatasetSplit {
  train: DatasetRow[];
  test: DatasetRow[];
}

/**
 * The train/test split of a catalog snapshot, taken before any balancing. New runs hold products
 * out by a keyed hash of their id, so a held-out product stays held out in every later snapshot;
 * runs that recorded the positional split (or none) are split as they were, for reproduction.
 * Rows come in productid order, so the same snapshot and split always give the same parts.
 */
export function splitDataset(dataset: CatalogDataset, split: SplitSpec): DatasetSplit {
  const { train, test } =
    split.method === splitMethods.productIdHash
      ? productIdSplit(dataset.rows, split.testSize, split.key)
      : stratifiedSplit(
          Int32Array.from(dataset.rows, (row) => row.prdtypecode),
          split.testSize,
          split.seed,
        );
  const row = (position: number) => dataset.rows[position] as DatasetRow;
  return { train: train.map(row), test: test.map(row) };
}
