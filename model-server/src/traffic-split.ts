/** A share is decided in steps of 1/buckets: 0.01 percentage points. */
const buckets = 10_000;

/** murmur3's 32-bit finaliser: every input bit moves about half the output bits. */
function mix32(value: number): number {
  let h = value;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * A product's bucket, from 0 to 9,999: the same in every process and release, so every replica
 * sends a product the same way. A productid is an integer below 2⁵³, hashed as its two 32-bit halves.
 */
export function productBucket(productid: number): number {
  const low = productid >>> 0;
  const high = Math.floor(productid / 0x1_0000_0000);
  return mix32(mix32(low) ^ Math.imul(high, 0x9e3779b1) ^ 0x5bd1e995) % buckets;
}

/**
 * Whether the candidate answers a request: its bucket falls below the weight, so a share of
 * `weight` percent of the products goes to the candidate whatever the replica count, a product
 * always goes the same way, and raising the weight only adds products (those on the candidate at
 * 10 % stay there at 50 %). Without a productid the key is random.
 */
export function routesToCandidate(productid: number | undefined, weightPercent: number): boolean {
  if (weightPercent <= 0) return false;
  const bucket = productid === undefined ? Math.floor(Math.random() * buckets) : productBucket(productid);
  return bucket < weightPercent * (buckets / 100);
}
