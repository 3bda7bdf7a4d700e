import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import readline from 'node:readline';
import { jobType, leaseType } from '@prodclass/kube/objects';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { stackEnv } from '../support/stack-env.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { AuditRelay } from './support/audit-relay.js';
import { applyCrds, createNamespace, deleteNamespace, waitFor } from './support/cluster.js';
import { finishJob, Resources, repository } from './support/harness.js';

// Losing leadership, with two operator processes against the real API server, each through a
// relay that records every write it makes: the leader is cut off, so its lease renewals fail; it
// must stop reconciling and exit non-zero before the other replica takes over, and at no time may
// both have written (the leader's last write is answered before the successor's first is sent).
// A leader whose API server stalls (requests held unanswered) must give the lease up too.
let namespace: string;
let database: TestDatabase;
let resources: Resources;
let directory: string;
const relays: AuditRelay[] = [];
const processes: ChildProcess[] = [];

interface Replica {
  identity: string;
  relay: AuditRelay;
  lines: string[];
  /** When the test first read a log line containing `text` (performance.now(), ms). */
  heardAt(text: string): number | undefined;
  exited: Promise<number | null>;
  exitCode(): number | null;
}

/** A kubeconfig like the stack's, with the server replaced by the replica's relay. */
function kubeconfigThrough(relay: AuditRelay): string {
  const config = JSON.parse(fs.readFileSync(stackEnv().KUBECONFIG, 'utf8'));
  for (const cluster of config.clusters) cluster.cluster.server = relay.url;
  const file = path.join(directory, `${relay.writer}.kubeconfig`);
  fs.writeFileSync(file, JSON.stringify(config));
  return file;
}

async function startReplica(identity: string, leaseName = 'prodclass-operator'): Promise<Replica> {
  const config = JSON.parse(fs.readFileSync(stackEnv().KUBECONFIG, 'utf8'));
  const relay = new AuditRelay(identity, config.clusters[0].cluster.server);
  await relay.start();
  relays.push(relay);
  const child = spawn(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', path.join(repository, 'operator/src/main.ts')],
    {
      cwd: repository,
      env: {
        PATH: process.env.PATH ?? '',
        KUBECONFIG: kubeconfigThrough(relay),
        DATABASE_URL: database.url,
        MLFLOW_TRACKING_URI: stackEnv().MLFLOW_TRACKING_URI,
        WATCH_NAMESPACE: namespace,
        POD_NAME: identity,
        HTTP_HOST: '127.0.0.1',
        HTTP_PORT: '0',
        LEASE_NAME: leaseName,
        LEASE_DURATION_SECONDS: '4',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  processes.push(child);
  const lines: string[] = [];
  const readAt: number[] = [];
  const read = (line: string) => {
    lines.push(line);
    readAt.push(performance.now());
  };
  if (child.stdout) readline.createInterface({ input: child.stdout }).on('line', read);
  if (child.stderr)
    readline.createInterface({ input: child.stderr }).on('line', (line) => read(`stderr: ${line}`));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const heardAt = (text: string) => readAt[lines.findIndex((line) => line.includes(text))];
  return { identity, relay, lines, heardAt, exited, exitCode: () => child.exitCode };
}

const holder = async (leaseName = 'prodclass-operator'): Promise<string | undefined> =>
  (await resources.getAt(leaseType.path(namespace, leaseName))).spec?.holderIdentity;

/** TrainingRuns whose Jobs fail: each is reconciled (Job created, then status Failed) by the leader. */
async function failedRuns(names: string[]): Promise<void> {
  for (const name of names) await resources.create('TrainingRun', 'trainingruns', name, {});
  for (const name of names) {
    await waitFor(`the Job of ${name}`, async () => {
      await resources.getAt(jobType.path(namespace, `${name}-train`));
      return true;
    });
    await finishJob(namespace, `${name}-train`, 'Failed');
  }
  for (const name of names) await resources.until('trainingruns', name, (o) => o.status?.phase === 'Failed');
}

const leaseWritesOf = (relay: AuditRelay, leaseName: string) =>
  relay.writes.filter((write) => write.path.endsWith(`/leases/${leaseName}`));

/** The writes of the reconcile loops (the Lease is what candidates contend for, so it is left out). */
const workOf = (relay: AuditRelay) => relay.writes.filter((write) => !write.path.includes('/leases'));

beforeAll(async () => {
  await applyCrds();
  namespace = await createNamespace('op-leader');
  database = await createTestDatabase();
  resources = new Resources(namespace);
  directory = fs.mkdtempSync(path.join(os.tmpdir(), 'prodclass-leadership-'));
});

afterAll(async () => {
  for (const child of processes) if (child.exitCode === null) child.kill('SIGKILL');
  for (const relay of relays) await relay.stop();
  await deleteNamespace(namespace);
  await database?.drop();
  if (directory) fs.rmSync(directory, { recursive: true, force: true });
});

test('a leader whose renewals fail stops, exits 1, and never writes while its successor does', async () => {
  const first = await startReplica('replica-a');
  await waitFor('replica-a to lead', async () => (await holder()) === 'replica-a', 30_000);
  const second = await startReplica('replica-b');
  await waitFor('replica-b to start as a candidate', async () =>
    second.lines.some((line) => line.includes('operator started')),
  );

  await failedRuns(['before-1', 'before-2']);
  expect(workOf(first.relay).length).toBeGreaterThan(0);
  expect(workOf(second.relay)).toEqual([]);

  // Cut the leader off: its renewals fail from now on.
  first.relay.cut();
  await waitFor('replica-b to take the lease', async () => (await holder()) === 'replica-b', 30_000);
  // Let the old leader reach the API server again: a leader that kept going would write now, so
  // the next runs start once it has either exited or watches TrainingRuns and Jobs again.
  const restoredAt = performance.now();
  first.relay.restore();
  await waitFor(
    'replica-a to exit or to watch again',
    async () =>
      first.exitCode() !== null ||
      ['/trainingruns', '/jobs'].every((resource) =>
        first.relay.watches.some((watch) => watch.sentAt > restoredAt && watch.path.endsWith(resource)),
      ),
    60_000,
  );
  await failedRuns(['after-1', 'after-2', 'after-3']);
  // Give a replica that did not stop the time to reconcile what it sees after reconnecting.
  const exit = await Promise.race([
    first.exited,
    new Promise<'still running'>((resolve) => setTimeout(() => resolve('still running'), 30_000)),
  ]);

  const firstWrites = workOf(first.relay);
  const secondWrites = workOf(second.relay);
  expect(secondWrites.length).toBeGreaterThan(0);
  const lastOfFirst = Math.max(...firstWrites.map((write) => write.answeredAt));
  const firstOfSecond = Math.min(...secondWrites.map((write) => write.sentAt));
  const overlapping = firstWrites.filter((write) => write.answeredAt >= firstOfSecond);
  expect(overlapping, 'writes of replica-a after replica-b had started writing').toEqual([]);
  expect(lastOfFirst).toBeLessThan(firstOfSecond);

  expect(exit, first.lines.slice(-5).join('\n')).toBe(1);
  expect(first.lines.some((line) => line.includes('lost the leader lease'))).toBe(true);
  expect(second.exitCode()).toBeNull();
}, 180_000);

test('a leader whose API server stalls gives the lease up before its successor takes it, and exits 1', async () => {
  // Replicas of the test before would reconcile this namespace too.
  for (const child of processes) if (child.exitCode === null) child.kill('SIGKILL');
  const leaseName = 'prodclass-operator-stall';
  const first = await startReplica('replica-c', leaseName);
  await waitFor('replica-c to lead', async () => (await holder(leaseName)) === 'replica-c', 30_000);
  const second = await startReplica('replica-d', leaseName);
  await waitFor('replica-d to start as a candidate', async () =>
    second.lines.some((line) => line.includes('operator started')),
  );

  // From now on the leader's requests, its lease renewals among them, are never answered.
  first.relay.hold();
  await waitFor('replica-d to take the lease', async () => (await holder(leaseName)) === 'replica-d', 30_000);
  await waitFor(
    'the relay to record the takeover',
    async () => leaseWritesOf(second.relay, leaseName).length > 0,
  );
  // The successor's first lease write (its takeover) reached the API server after its relay sent it
  // on; the leader's log line was written before the test read it.
  const takeover = Math.min(...leaseWritesOf(second.relay, leaseName).map((write) => write.sentAt));
  const gaveUp = first.heardAt('lost the leader lease');
  expect(gaveUp, 'replica-c to log "lost the leader lease" before replica-d took the lease').toBeDefined();
  expect(gaveUp).toBeLessThan(takeover);
  expect(await first.exited, first.lines.slice(-5).join('\n')).toBe(1);
  expect(second.exitCode()).toBeNull();
}, 180_000);
