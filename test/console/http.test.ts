import * as k8s from '@kubernetes/client-node';
import { driftMonitorType } from '@prodclass/api/resources';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startOperator } from '../../operator/src/operator.js';
import {
  adminConfig,
  adminConnection,
  applyCrds,
  createNamespace,
  deleteNamespace,
} from '../operator/support/cluster.js';
import { operatorSettings, Resources, testLog } from '../operator/support/harness.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { allowActions, type RunningConsole, startConsole } from './support/console.js';

// The console's edge against the local stack's API server and PostgreSQL: security headers, the
// CSRF check, authentication by a trusted proxy's header or a bearer token, and RBAC deciding
// (through a SubjectAccessReview) who may create a resource.
let namespace: string;
let database: TestDatabase;
let proxied: RunningConsole;
let bearer: RunningConsole;

beforeAll(async () => {
  await applyCrds();
  namespace = await createNamespace('console-http');
  database = await createTestDatabase();
  await allowActions(namespace, 'alice');
  proxied = await startConsole(namespace, database.url);
  bearer = await startConsole(namespace, database.url, {
    auth: { mode: 'bearer', userHeader: 'x-forwarded-user', groupsHeader: 'x-forwarded-groups' },
  });
});

afterAll(async () => {
  await proxied?.close();
  await bearer?.close();
  await deleteNamespace(namespace);
  await database?.drop();
});

/** A page as a browser gets it: its CSRF cookie and the token its forms carry. */
async function openPage(url: string, headers: Record<string, string>) {
  const response = await fetch(url, { headers, redirect: 'manual' });
  const body = await response.text();
  const cookie = response.headers.get('set-cookie')?.split(';')[0] ?? '';
  const token = /name="_csrf" value="([^"]+)"/.exec(body)?.[1] ?? '';
  return { response, body, cookie, token };
}

function post(url: string, headers: Record<string, string>, form: Record<string, string>) {
  return fetch(url, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
    redirect: 'manual',
  });
}

const trainingForm = {
  dataVersion: 'latest',
  maxFeatures: '300',
  c: '0.5',
  minF1: '0.4',
  autoPromote: 'true',
};

test('health, static files and the strict security headers', async () => {
  const health = await fetch(`${proxied.url}/healthz`);
  expect(health.status).toBe(200);
  expect(await health.json()).toEqual({ status: 'ok' });
  const script = await fetch(`${proxied.url}/static/console.js`);
  expect(script.headers.get('content-type')).toMatch(/^text\/javascript/);
  const { response, body, cookie, token } = await openPage(`${proxied.url}/training`, {
    'x-forwarded-user': 'alice',
  });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-security-policy')).toBe(
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  );
  expect(response.headers.get('set-cookie')).toMatch(/HttpOnly; SameSite=Strict/);
  expect(cookie).toBe(`prodclass_csrf=${token}`);
  expect(body).not.toMatch(/<script>|style="|<style/);
  expect(body).toContain('signed in as <strong>alice</strong>');
});

test('without the proxy header there is no user: 401', async () => {
  const response = await fetch(`${proxied.url}/training`);
  expect(response.status).toBe(401);
  expect(await response.text()).toContain('the x-forwarded-user header is missing');
});

test('a form post without the matching CSRF token is refused, and creates nothing', async () => {
  const alice = { 'x-forwarded-user': 'alice' };
  const { cookie, token } = await openPage(`${proxied.url}/training`, alice);
  const noCookie = await post(`${proxied.url}/actions/training-run`, alice, {
    ...trainingForm,
    _csrf: token,
  });
  expect(noCookie.status).toBe(403);
  const wrong = await post(
    `${proxied.url}/actions/training-run`,
    { ...alice, cookie },
    {
      ...trainingForm,
      _csrf: `${token.slice(0, -1)}x`,
    },
  );
  expect(wrong.status).toBe(403);
  const crossSite = await post(
    `${proxied.url}/actions/training-run`,
    { ...alice, cookie, origin: 'https://evil.example' },
    { ...trainingForm, _csrf: token },
  );
  expect(crossSite.status).toBe(403);
  const runs = await new Resources(namespace).api.request<{ items: unknown[] }>(
    'GET',
    new Resources(namespace).path('trainingruns'),
  );
  expect(runs.items).toEqual([]);
});

test('RBAC decides: alice may create a TrainingRun, bob gets 403', async () => {
  const bob = { 'x-forwarded-user': 'bob' };
  const asBob = await openPage(`${proxied.url}/training`, bob);
  const denied = await post(
    `${proxied.url}/actions/training-run`,
    { ...bob, cookie: asBob.cookie },
    {
      ...trainingForm,
      _csrf: asBob.token,
    },
  );
  expect(denied.status).toBe(403);
  expect(await denied.text()).toContain(`bob may not create trainingruns in namespace ${namespace}`);

  const alice = { 'x-forwarded-user': 'alice' };
  const asAlice = await openPage(`${proxied.url}/training`, alice);
  const created = await post(
    `${proxied.url}/actions/training-run`,
    { ...alice, cookie: asAlice.cookie },
    {
      ...trainingForm,
      _csrf: asAlice.token,
    },
  );
  expect(created.status).toBe(303);
  const name = /applied=TrainingRun\/([a-z0-9-]+)/.exec(created.headers.get('location') ?? '')?.[1] ?? '';
  const run = await new Resources(namespace).get('trainingruns', name);
  expect(run.metadata.annotations['mlops.prodclass.dev/requested-by']).toBe('alice');
  expect(run.spec).toMatchObject({
    dataVersion: 'latest',
    registeredModel: 'rakuten_classifier',
    hyperparameters: { maxFeatures: 300, c: 0.5 },
    autoPromote: { enabled: true, minF1: 0.4, alias: 'production' },
  });
  // The watch brings it to the page.
  await expect
    .poll(async () => (await openPage(`${proxied.url}/training`, alice)).body)
    .toContain(`data-key="TrainingRun/${name}"`);
});

test('bearer mode: a ServiceAccount token is reviewed and authorized; a bad token gets 401', async () => {
  const core = adminConfig().makeApiClient(k8s.CoreV1Api);
  await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name: 'viewer' } } });
  const { status } = await core.createNamespacedServiceAccountToken({
    namespace,
    name: 'viewer',
    body: { spec: { audiences: [], expirationSeconds: 600 } },
  });
  const headers = { authorization: `Bearer ${status?.token}` };
  const page = await openPage(`${bearer.url}/models`, headers);
  expect(page.response.status).toBe(200);
  expect(page.body).toContain(`signed in as <strong>system:serviceaccount:${namespace}:viewer</strong>`);
  const denied = await post(
    `${bearer.url}/actions/model-promotion`,
    { ...headers, cookie: page.cookie },
    {
      version: '1',
      _csrf: page.token,
    },
  );
  expect(denied.status).toBe(403);
  const bad = await fetch(`${bearer.url}/models`, { headers: { authorization: 'Bearer not-a-token' } });
  expect(bad.status).toBe(401);
});

test('Monitoring shows each DriftMonitor’s severity and latest report', async () => {
  const alice = { 'x-forwarded-user': 'alice' };
  const discovery = await new Resources(namespace).api.request<{ resources: { name: string }[] }>(
    'GET',
    '/apis/mlops.prodclass.dev/v1alpha1',
  );
  expect(
    discovery.resources.map((resource) => resource.name),
    'the API server serves DriftMonitors (crds/ applied)',
  ).toContain('driftmonitors');
  const resources = new Resources(namespace);
  await resources.create('DriftMonitor', 'driftmonitors', 'classifier-drift', {
    predictionService: 'classifier',
  });
  await resources.api.mergePatch(
    driftMonitorType,
    namespace,
    'classifier-drift',
    {
      status: {
        severity: 'ALERT',
        lastCheckTime: '2026-12-04T06:00:00Z',
        lastReport: {
          id: '0193a5b2-7c3d-7e4f-8a9b-0c1d2e3f4a5b',
          outcome: 'Checked',
          currentSamples: 1200,
          referenceSamples: 5000,
          tests: [
            { feature: 'text_length', test: 'psi', statistic: 0.2512, severity: 'ALERT' },
            {
              feature: 'tokens',
              test: 'oov_share',
              statistic: 0.12,
              severity: 'WARNING',
              unknownWords: [
                { word: 'zorglub', count: 299 },
                { word: '<b>été</b>', count: 12 },
              ],
            },
          ],
        },
      },
    },
    'status',
  );
  await expect
    .poll(async () => (await openPage(`${proxied.url}/monitoring`, alice)).body)
    .toContain(
      '1200 predictions against 5000 reference rows (report 0193a5b2-7c3d-7e4f-8a9b-0c1d2e3f4a5b in drift_reports)',
    );
  const { body } = await openPage(`${proxied.url}/monitoring`, alice);
  expect(body).toContain('<span class="phase phase-alert">ALERT</span>');
  expect(body).toContain('<td>text_length</td><td>psi</td>');
  expect(body).toContain(
    'New words (absent from the reference window): zorglub (299), &lt;b&gt;été&lt;/b&gt; (12)</td>',
  );
  expect(body).toContain('Not acknowledged yet.');
  expect(body).toContain('Retrain on the latest data');
  expect(body).toContain('action="/actions/drift-acknowledgement"');
  expect(body).toContain('name="report" value="0193a5b2-7c3d-7e4f-8a9b-0c1d2e3f4a5b"');
});

test('a drift report is acknowledged from the console: a DriftAcknowledgement the operator records; bob gets 403', async () => {
  const resources = new Resources(namespace);
  const operator = await startOperator(
    operatorSettings(namespace, database.url),
    adminConnection(),
    async () => {
      throw new Error('no promotion expected in this test');
    },
    testLog('operator'),
  );
  const anonymous = await startConsole(namespace, database.url, {
    auth: { mode: 'off', userHeader: 'x-forwarded-user', groupsHeader: 'x-forwarded-groups' },
  });
  try {
    // A model with no predictions: the monitor's first check is a real (InsufficientData) report.
    await resources.create('DriftMonitor', 'driftmonitors', 'quiet-model', {
      registeredModel: `console_ack_${namespace.replace(/-/g, '_')}`,
    });
    const monitor = await resources.until('driftmonitors', 'quiet-model', (o) => o.status?.lastReport);
    const report: string = monitor.status.lastReport.id;
    const form = (token: string) => ({
      driftMonitor: 'quiet-model',
      report,
      action: 'investigate',
      reason: 'new supplier feed',
      _csrf: token,
    });

    const bob = { 'x-forwarded-user': 'bob' };
    const asBob = await openPage(`${proxied.url}/monitoring`, bob);
    const denied = await post(
      `${proxied.url}/actions/drift-acknowledgement`,
      { ...bob, cookie: asBob.cookie },
      form(asBob.token),
    );
    expect(denied.status).toBe(403);
    expect(await denied.text()).toContain(
      `bob may not create driftacknowledgements in namespace ${namespace}`,
    );

    const alice = { 'x-forwarded-user': 'alice' };
    const asAlice = await openPage(`${proxied.url}/monitoring`, alice);
    expect(asAlice.body).toContain(`name="report" value="${report}"`);
    const created = await post(
      `${proxied.url}/actions/drift-acknowledgement`,
      { ...alice, cookie: asAlice.cookie },
      form(asAlice.token),
    );
    expect(created.status).toBe(303);
    const name =
      /applied=DriftAcknowledgement\/([a-z0-9-]+)/.exec(created.headers.get('location') ?? '')?.[1] ?? '';
    const acknowledgement = await resources.until(
      'driftacknowledgements',
      name,
      (o) => o.status?.phase === 'Recorded',
    );
    expect(acknowledgement.spec).toEqual({
      driftMonitor: 'quiet-model',
      report,
      action: 'investigate',
      by: 'alice',
      reason: 'new supplier feed',
    });
    expect(acknowledgement.metadata.annotations['mlops.prodclass.dev/requested-by']).toBe('alice');
    const page = await openPage(`${proxied.url}/monitoring`, alice);
    expect(page.body).toContain(`Acknowledgements of report ${report}`);
    expect(page.body).toMatch(/<td>investigate<\/td><td>alice<\/td><td>new supplier feed<\/td>/);

    // Without authentication the acknowledgement is anonymous's.
    const open = await openPage(`${anonymous.url}/monitoring`, {});
    const posted = await post(
      `${anonymous.url}/actions/drift-acknowledgement`,
      { cookie: open.cookie },
      {
        ...form(open.token),
        action: 'retrain',
        reason: '',
      },
    );
    expect(posted.status).toBe(303);
    const second =
      /applied=DriftAcknowledgement\/([a-z0-9-]+)/.exec(posted.headers.get('location') ?? '')?.[1] ?? '';
    const recorded = await resources.until(
      'driftacknowledgements',
      second,
      (o) => o.status?.phase === 'Recorded',
    );
    expect(recorded.spec).toEqual({
      driftMonitor: 'quiet-model',
      report,
      action: 'retrain',
      by: 'anonymous',
    });
    expect((await openPage(`${anonymous.url}/monitoring`, {})).body).toMatch(
      /<td>retrain<\/td><td>anonymous<\/td><td><\/td>/,
    );
  } finally {
    await anonymous.close();
    await operator.stop();
  }
});
