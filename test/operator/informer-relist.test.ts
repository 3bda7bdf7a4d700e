import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { KubeApi } from '@prodclass/kube/api';
import { Informer } from '@prodclass/kube/informer';
import { type KubeObject, resourceType } from '@prodclass/kube/objects';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { adminConnection, createNamespace, deleteNamespace, kubectl, waitFor } from './support/cluster.js';
import { testLog } from './support/harness.js';

// The informer's relist on 410 Gone, provoked for real: changing a CRD's schema makes the API
// server end the watches of its resource and build a new watch cache, which starts at the current
// resource version, so a watch resumed from the informer's older version gets `410 Expired`. A TCP
// relay holds the informer's traffic while that happens, so the informer resumes only once the new
// cache answers (before that, the API server says 429 "storage is (re)initializing").
const group = `relist-${randomBytes(3).toString('hex')}.test.prodclass.dev`;
const crdPath = `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/probes.${group}`;
const probes = resourceType(`${group}/v1`, 'Probe', 'probes');
const admin = new KubeApi(adminConnection());
let namespace: string;

/** A TCP relay to the API server whose connections can be held (nothing passes) and released. */
class HoldingRelay {
  readonly #pairs = new Set<[net.Socket, net.Socket]>();
  readonly #server: net.Server;
  #held = false;
  port = 0;

  constructor(target: { host: string; port: number }) {
    this.#server = net.createServer((client) => {
      const upstream = net.connect(target);
      const pair: [net.Socket, net.Socket] = [client, upstream];
      this.#pairs.add(pair);
      for (const socket of pair) {
        socket.on('error', () => socket.destroy());
        socket.on('close', () => {
          this.#pairs.delete(pair);
          client.destroy();
          upstream.destroy();
        });
      }
      if (this.#held) for (const socket of pair) socket.pause();
      else this.#connect(pair);
    });
  }

  #connect([client, upstream]: [net.Socket, net.Socket]): void {
    client.pipe(upstream);
    upstream.pipe(client);
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    this.port = (this.#server.address() as net.AddressInfo).port;
  }

  hold(): void {
    this.#held = true;
    for (const [client, upstream] of this.#pairs) {
      client.unpipe(upstream);
      upstream.unpipe(client);
      client.pause();
      upstream.pause();
    }
  }

  release(): void {
    this.#held = false;
    for (const pair of this.#pairs) this.#connect(pair);
  }

  async stop(): Promise<void> {
    for (const [client, upstream] of this.#pairs) {
      client.destroy();
      upstream.destroy();
    }
    await new Promise((resolve) => this.#server.close(resolve));
  }
}

/** The operator's API client, recording the ERROR events its watches receive. */
class RecordingApi extends KubeApi {
  readonly watchErrors: { code?: number; message?: string }[] = [];

  override watch(
    path: string,
    query: Record<string, string | undefined>,
    onEvent: (event: { type: string; object: unknown }) => void,
    signal: AbortSignal,
  ): Promise<void> {
    return super.watch(
      path,
      query,
      (event) => {
        if (event.type === 'ERROR')
          this.watchErrors.push(event.object as { code?: number; message?: string });
        onEvent(event);
      },
      signal,
    );
  }
}

function crd(description: string) {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `probes.${group}` },
    spec: {
      group,
      scope: 'Namespaced',
      names: { plural: 'probes', singular: 'probe', kind: 'Probe', listKind: 'ProbeList' },
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              description,
              properties: { spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
            },
          },
        },
      ],
    },
  };
}

const probe = (name: string) =>
  admin.create(probes, namespace, { apiVersion: `${group}/v1`, kind: 'Probe', metadata: { name }, spec: {} });

beforeAll(async () => {
  await admin.request('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', {
    body: crd('a probe'),
  });
  await kubectl('wait', '--for=condition=Established', '--timeout=30s', `crd/probes.${group}`);
  namespace = await createNamespace('op-relist');
  await waitFor('the probe resource to be served', async () => {
    await probe('first');
    return true;
  });
});

afterAll(async () => {
  await deleteNamespace(namespace);
  await admin.request('DELETE', crdPath).catch(() => undefined);
});

test('a watch resumed from a version the API server no longer has (410) relists at once, without counting a failure', async () => {
  const server = new URL(adminConnection().server);
  const relay = new HoldingRelay({ host: server.hostname, port: Number(server.port) });
  await relay.start();
  const api = new RecordingApi({ ...adminConnection(), server: `https://127.0.0.1:${relay.port}` });
  let restarts = 0;
  const informer = new Informer<KubeObject>(
    probes,
    api,
    {
      namespace,
      resyncMs: 3_600_000,
      watchTimeoutSeconds: 300,
      stallMs: 120_000,
      onRestart: () => {
        restarts += 1;
      },
    },
    testLog('informer-relist'),
  );
  const seen: string[] = [];
  informer.on((event, object) => seen.push(`${event}:${object.metadata.name}`));
  try {
    await informer.start();
    await probe('second');
    await waitFor('the informer to see the second probe', async () => !!informer.get(namespace, 'second'));
    const { resourceVersion } = (
      await admin.request<{ metadata: { resourceVersion: string } }>('GET', probes.path(namespace, 'second'))
    ).metadata;

    // A watch of the test's own, from the same version, shows when the API server ends the watches
    // of the old cache (the informer's end then waits in the held relay).
    const witness = admin.watch(
      probes.path(namespace),
      { resourceVersion, timeoutSeconds: '300' },
      () => {},
      new AbortController().signal,
    );
    relay.hold();
    const current = await admin.request<KubeObject>('GET', crdPath);
    const changed = crd('a probe, described again');
    await admin.request('PUT', crdPath, {
      body: {
        ...changed,
        metadata: { ...changed.metadata, resourceVersion: current.metadata.resourceVersion },
      },
    });
    await witness;
    // The new watch cache answers: a watch from the informer's version is now too old.
    await waitFor(
      'the API server to answer a watch from the old version with 410',
      async () => {
        let gone = false;
        const stop = new AbortController();
        await admin.watch(
          probes.path(namespace),
          { resourceVersion, timeoutSeconds: '1' },
          (event) => {
            if (event.type === 'ERROR' && (event.object as { code?: number }).code === 410) gone = true;
            stop.abort();
          },
          stop.signal,
        );
        return gone;
      },
      60_000,
    );
    // Changes the held informer has not seen, that only a fresh list shows it.
    await admin.request('DELETE', probes.path(namespace, 'first'));
    await probe('third');
    relay.release();

    await waitFor(
      'the informer to relist',
      async () => !!informer.get(namespace, 'third') && !informer.get(namespace, 'first'),
      30_000,
    );
    expect(api.watchErrors).toContainEqual(expect.objectContaining({ code: 410, reason: 'Expired' }));
    expect(restarts).toBe(0);
    expect(seen).toEqual(expect.arrayContaining(['added:third', 'deleted:first']));
    expect(
      informer
        .list()
        .map((object) => object.metadata.name)
        .sort(),
    ).toEqual(['second', 'third']);
    // The watch after the relist delivers again.
    await probe('fourth');
    await waitFor('the informer to see the fourth probe', async () => !!informer.get(namespace, 'fourth'));
  } finally {
    await informer.stop();
    await relay.stop();
  }
}, 120_000);
