import { KubeApi } from '@prodclass/kube/api';
import type { Connection } from '@prodclass/kube/connection';
import { Informer } from '@prodclass/kube/informer';
import { type KubeObject, resourceType } from '@prodclass/kube/objects';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { adminConnection, createNamespace, deleteNamespace, waitFor } from './support/cluster.js';
import { testLog } from './support/harness.js';
import { TcpProxy } from './support/tcp-proxy.js';

const configMaps = resourceType('v1', 'ConfigMap', 'configmaps');
let namespace: string;
let proxy: TcpProxy;
let admin: KubeApi;

/** The admin connection, but through the flaky relay. */
function relayedConnection(): Connection {
  return { ...adminConnection(), server: `https://127.0.0.1:${proxy.port}` };
}

beforeAll(async () => {
  namespace = await createNamespace('op-informer');
  const server = new URL(adminConnection().server);
  proxy = new TcpProxy({ host: server.hostname, port: Number(server.port) });
  await proxy.start();
  admin = new KubeApi(adminConnection());
});

afterAll(async () => {
  await proxy.stop();
  await deleteNamespace(namespace);
});

function configMap(name: string) {
  return admin.create(configMaps, namespace, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name } });
}

test('the cache survives dropped connections and silent stalls, and resyncs', {
  timeout: 90_000,
}, async () => {
  let restarts = 0;
  const seen: string[] = [];
  let resyncs = 0;
  const informer = new Informer<KubeObject>(
    configMaps,
    new KubeApi(relayedConnection()),
    {
      namespace,
      resyncMs: 500,
      watchTimeoutSeconds: 300,
      stallMs: 1500,
      onRestart: () => {
        restarts += 1;
      },
    },
    testLog('informer'),
  );
  informer.on((event, object) => {
    if (event === 'resync') resyncs += 1;
    else seen.push(`${event}:${object.metadata.name}`);
  });
  await configMap('before');
  await informer.start();
  expect(informer.get(namespace, 'before')).toBeDefined();

  proxy.cut();
  await configMap('after-cut');
  await waitFor(
    'the object made while disconnected',
    async () => informer.get(namespace, 'after-cut') !== undefined,
  );

  // The watch's connection goes silent and stays open: only the stall watchdog can notice, abandon
  // it and relist (over a new connection) to find the object made meanwhile.
  const restartsBeforeStall = restarts;
  expect(proxy.stall()).toBeGreaterThan(0);
  await configMap('during-stall');
  await waitFor(
    'the object made during the stall',
    async () => informer.get(namespace, 'during-stall') !== undefined,
    45_000,
  );
  expect(restarts).toBeGreaterThan(restartsBeforeStall);
  expect(seen).toEqual(expect.arrayContaining(['added:before', 'added:after-cut', 'added:during-stall']));

  await admin.delete(configMaps, namespace, 'before');
  await waitFor('the deletion', async () => informer.get(namespace, 'before') === undefined);
  expect(seen).toContain('deleted:before');
  expect(resyncs).toBeGreaterThan(0);
  expect(informer.healthy).toBe(true);
  await informer.stop();
});
