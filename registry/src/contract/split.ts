/**
 * How `prodclass train` splits a catalog snapshot into training and held-out rows, as it records
 * the split in its run's params: the promotion rule and `prodclass reproduce` read them back.
 */
export const splitMethods = {
  /** Held out by a keyed hash of the product id: a product keeps its side as the catalog grows. */
  productIdHash: 'productid_hash',
  /** Stratified shuffle of row positions (seeded): what runs logged before `split_method` used. */
  positional: 'stratified_positional',
} as const;

/** The run params that record a run's split. */
export const splitParams = {
  method: 'split_method',
  key: 'split_key',
  testSize: 'test_size',
} as const;

export type SplitSpec =
  | { method: typeof splitMethods.productIdHash; testSize: number; key: string }
  | { method: typeof splitMethods.positional; testSize: number; seed: number };

/** A split as run params, named by `splitParams`. */
export function splitSpecParams(split: SplitSpec): Record<string, string> {
  return {
    [splitParams.method]: split.method,
    [splitParams.testSize]: String(split.testSize),
    ...(split.method === splitMethods.productIdHash ? { [splitParams.key]: split.key } : {}),
  };
}

/**
 * The split a run recorded. A run without `split_method` predates it and used the positional
 * split, seeded with the model's seed (`seed`, from its bundle).
 */
export function recordedSplit(
  params: Readonly<Record<string, string>>,
  seed: number,
  run: string,
): SplitSpec {
  const testSize = Number(params[splitParams.testSize]);
  if (!(testSize > 0 && testSize < 1)) throw new Error(`${run} recorded no valid ${splitParams.testSize}`);
  const method = params[splitParams.method] ?? splitMethods.positional;
  if (method === splitMethods.positional) return { method, testSize, seed };
  if (method === splitMethods.productIdHash) {
    const key = params[splitParams.key];
    if (!key) throw new Error(`${run} used the ${method} split but recorded no ${splitParams.key}`);
    return { method, testSize, key };
  }
  throw new Error(`${run} recorded an unknown ${splitParams.method} ${JSON.stringify(method)}`);
}
