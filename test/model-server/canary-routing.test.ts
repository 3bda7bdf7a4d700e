import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { writeTestBundle } from './support/bundle.js';
import { getJson, type Prediction, postJson, waitUntilReady } from './support/server.js';
import { type ServerProcess, spawnServer } from './support/server-process.js';

const requests = 10_000;
const concurrency = 16;

let primaryBundle: string;
let candidateBundle: string;
const servers: ServerProcess[] = [];

beforeAll(async () => {
  [primaryBundle, candidateBundle] = await Promise.all([
    writeTestBundle('canary-primary', 31),
    writeTestBundle('canary-candidate', 32),
  ]);
});

afterAll(async () => {
  for (const server of servers) server.child.kill('SIGTERM');
  await Promise.all(servers.map((server) => server.exited));
});

/** A model server process serving the primary bundle and routing `weight` percent to the candidate. */
async function serverWithWeight(weight: number): Promise<{ url: string; candidateVersion: string }> {
  const server = await spawnServer({
    MODEL_URI: primaryBundle,
    CANDIDATE_MODEL_URI: candidateBundle,
    CANARY_WEIGHT: String(weight),
  });
  servers.push(server);
  await waitUntilReady(server.url);
  let health = await getJson<{ candidate: { model: { version: string } | null } }>(`${server.url}/health`);
  while (!health.body.candidate.model) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    health = await getJson(`${server.url}/health`);
  }
  return { url: server.url, candidateVersion: health.body.candidate.model.version };
}

/** The version that answered each of `productids` (undefined: a request without one), in order. */
async function answeringVersions(
  url: string,
  productids: readonly (number | undefined)[],
): Promise<string[]> {
  const versions: string[] = new Array(productids.length);
  let next = 0;
  const worker = async () => {
    while (next < productids.length) {
      const index = next++;
      const productid = productids[index];
      const { status, body } = await postJson<Prediction>(`${url}/predict`, {
        designation: `Produit ${index}`,
        ...(productid === undefined ? {} : { productid }),
      });
      expect(status).toBe(200);
      versions[index] = body.model.version;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return versions;
}

const productids = Array.from({ length: requests }, (_, index) => 1_000_000 + index * 7_919);

describe('weighted canary routing by a hash of the productid', () => {
  test.each([10, 50])(
    `weight %i: the candidate answers that share (±2 percentage points) of ${requests} requests, each product always the same version on every replica`,
    async (weight) => {
      const [replica, otherReplica] = await Promise.all([serverWithWeight(weight), serverWithWeight(weight)]);
      const versions = await answeringVersions(replica.url, productids);
      const share =
        (100 * versions.filter((version) => version === replica.candidateVersion).length) / requests;
      expect(Math.abs(share - weight)).toBeLessThanOrEqual(2);

      // Stickiness: the same products again, on this replica and on another one, answered by the same versions.
      const sample = productids.slice(0, 1_000);
      expect(await answeringVersions(replica.url, sample)).toEqual(versions.slice(0, 1_000));
      expect(await answeringVersions(otherReplica.url, sample)).toEqual(versions.slice(0, 1_000));

      // Without a productid the key is random: the share holds, a product-less request sticks to nothing.
      const anonymous = await answeringVersions(replica.url, new Array(requests).fill(undefined));
      const anonymousShare =
        (100 * anonymous.filter((version) => version === replica.candidateVersion).length) / requests;
      expect(Math.abs(anonymousShare - weight)).toBeLessThanOrEqual(2);
    },
    180_000,
  );
});
