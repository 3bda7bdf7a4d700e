import { randomBytes } from 'node:crypto';
import path from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { registryPromote } from '../../operator/src/external/registry-promotion.js';
import type { RunningOperator } from '../../operator/src/operator.js';
import {
  adminConfig,
  applyCrds,
  createNamespace,
  deleteNamespace,
  kubectl,
} from '../operator/support/cluster.js';
import { operatorSettings, Resources, repository, runOperator } from '../operator/support/harness.js';
import { aliasVersion, recordTraining } from '../operator/support/mlflow.js';
import { grantPromotionApprover, grantPromotionEditor } from '../operator/support/promotion-rbac.js';
import { stackEnv } from '../support/stack-env.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { axeViolations, type Chromium, launchChromium } from './support/chromium.js';
import { type RunningConsole, startConsole } from './support/console.js';

// The Approve button on the Models page, in Chromium, against the real API server with the
// approval admission policy and approver role of manifests/approval/ and the operator running.
// The console (proxy mode) writes the annotation impersonating the signed-in user, so the policy
// judges that user, not the console.
const suffix = randomBytes(4).toString('hex');
const registeredModel = `console_approval_${suffix}`;
const approver = `alice-${suffix}`;
const bystander = `mallory-${suffix}`;
/** The approver may approve through this group only: impersonation must carry the groups. */
const approvers = `release-managers-${suffix}`;
let namespace: string;
let database: TestDatabase;
let operator: RunningOperator;
let consoleServer: RunningConsole;
let chromium: Chromium | undefined;
let resources: Resources;
const versions: string[] = [];

beforeAll(async () => {
  await applyCrds();
  await kubectl('apply', '-f', path.join(repository, 'manifests/approval'));
  namespace = await createNamespace('console-approval');
  database = await createTestDatabase();
  resources = new Resources(namespace);
  await grantPromotionApprover(namespace, { group: approvers });
  // The bystander may read and patch promotions, but not approve them.
  await grantPromotionEditor(namespace, bystander);
  for (let i = 0; i < 2; i++) {
    const { version } = await recordTraining({
      experiment: registeredModel,
      registeredModel,
      trainingRun: 'none/none',
      f1: 0.8,
      decision: 'promote',
    });
    versions.push(version);
  }
  operator = await runOperator(
    operatorSettings(namespace, database.url),
    registryPromote(database.url, stackEnv().MLFLOW_TRACKING_URI),
  );
  await resources.create('ModelPromotion', 'modelpromotions', 'first', {
    registeredModel,
    version: Number(versions[0]),
  });
  await resources.until('modelpromotions', 'first', (o) => o.status?.phase === 'Succeeded');
  await resources.create('ModelPromotion', 'modelpromotions', 'to-v2', {
    registeredModel,
    version: Number(versions[1]),
    approval: 'Required',
  });
  await resources.until('modelpromotions', 'to-v2', (o) => o.status?.phase === 'AwaitingApproval');
  consoleServer = await startConsole(namespace, database.url, { registeredModel });
  chromium = await launchChromium('console-approval-');
}, 180_000);

afterAll(async () => {
  await chromium?.close();
  await consoleServer?.close();
  await operator?.stop();
  if (namespace) await deleteNamespace(namespace);
  await database?.drop();
});

const pageAs = async (user: string, groups = '') => {
  const page = await chromium?.browser.newPage();
  if (!page) throw new Error('no browser');
  await page.setExtraHTTPHeaders({ 'x-forwarded-user': user, 'x-forwarded-groups': groups });
  await page.goto(`${consoleServer.url}/models`);
  return page;
};

test('a user without the approve verb sees a clear refusal and nothing changes', {
  timeout: 120_000,
}, async () => {
  const page = await pageAs(bystander);
  const waiting = page.getByRole('region', { name: 'Waiting for approval' });
  await waiting.getByRole('heading', { name: /to-v2: v\d+ to @production/ }).waitFor();
  await waiting.getByRole('button', { name: 'Approve to-v2' }).click();
  const refusal = page.getByRole('alert');
  await refusal.waitFor();
  expect(await refusal.textContent()).toMatch(
    new RegExp(`${bystander} may not approve modelpromotions in namespace ${namespace}`),
  );
  expect(await page.title()).toMatch(/Not allowed/);
  const unchanged = await resources.get('modelpromotions', 'to-v2');
  expect(unchanged.metadata.annotations?.['mlops.prodclass.dev/approved-by']).toBeUndefined();
  expect(unchanged.status.phase).toBe('AwaitingApproval');
  expect(await aliasVersion(registeredModel, 'production')).toBe(versions[0]);
  await page.close();
});

test('an approver clicks Approve: the promotion records who approved and the alias moves', {
  timeout: 120_000,
}, async () => {
  const page = await pageAs(approver, approvers);
  const waiting = page.getByRole('region', { name: 'Waiting for approval' });
  await waiting.getByText('Candidate F1 (own test set)').waitFor();
  const serious = (await axeViolations(page))
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => `${violation.id}: ${violation.targets.join(', ')}`);
  expect(serious).toEqual([]);
  await waiting.getByRole('button', { name: 'Approve to-v2' }).click();
  await page.getByText('Approved ModelPromotion to-v2').waitFor();
  const approved = await resources.until('modelpromotions', 'to-v2', (o) => o.status?.phase === 'Succeeded');
  expect(approved.status.approval.approvedBy).toBe(approver);
  expect(Date.parse(approved.status.approval.approvedAt)).not.toBeNaN();
  expect(await aliasVersion(registeredModel, 'production')).toBe(versions[1]);
  await page.close();
});

/** Opens the Models page (for its CSRF cookie and token) and posts a decision from it. */
async function postDecision(url: string, headers: Record<string, string>, form: Record<string, string>) {
  const page = await fetch(`${url}/models`, { headers });
  const body = await page.text();
  const cookie = page.headers.get('set-cookie')?.split(';')[0] ?? '';
  const csrf = /name="_csrf" value="([^"]+)"/.exec(body)?.[1] ?? '';
  const response = await fetch(`${url}/actions/promotion-decision`, {
    method: 'POST',
    headers: { ...headers, cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ ...form, _csrf: csrf }).toString(),
    redirect: 'manual',
  });
  return { status: response.status, body: await response.text() };
}

test("bearer mode rejects with the user's own token; off mode refuses to approve for nobody", {
  timeout: 120_000,
}, async () => {
  await resources.create('ModelPromotion', 'modelpromotions', 'back-to-v1', {
    registeredModel,
    version: Number(versions[0]),
    approval: 'Required',
  });
  await resources.until('modelpromotions', 'back-to-v1', (o) => o.status?.phase === 'AwaitingApproval');

  const off = await startConsole(namespace, database.url, {
    registeredModel,
    auth: { mode: 'off', userHeader: 'x-forwarded-user', groupsHeader: 'x-forwarded-groups' },
  });
  try {
    const refused = await postDecision(off.url, {}, { promotion: 'back-to-v1', decision: 'approve' });
    expect(refused.status).toBe(403);
    expect(refused.body).toContain('there is nobody to approve as');
  } finally {
    await off.close();
  }

  const core = adminConfig().makeApiClient(k8s.CoreV1Api);
  await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name: 'release-manager' } } });
  const user = `system:serviceaccount:${namespace}:release-manager`;
  await grantPromotionApprover(
    namespace,
    { serviceAccount: `${namespace}:release-manager` },
    'release-manager-approves',
  );
  const { status } = await core.createNamespacedServiceAccountToken({
    namespace,
    name: 'release-manager',
    body: { spec: { audiences: [], expirationSeconds: 600 } },
  });
  const bearer = await startConsole(namespace, database.url, {
    registeredModel,
    auth: { mode: 'bearer', userHeader: 'x-forwarded-user', groupsHeader: 'x-forwarded-groups' },
  });
  try {
    const decided = await postDecision(
      bearer.url,
      { authorization: `Bearer ${status?.token}` },
      { promotion: 'back-to-v1', decision: 'reject' },
    );
    expect(decided.status, decided.body).toBe(303);
  } finally {
    await bearer.close();
  }
  const rejected = await resources.until(
    'modelpromotions',
    'back-to-v1',
    (o) => o.status?.phase === 'Failed',
  );
  expect(rejected.status.approval.rejectedBy).toBe(user);
  expect(await aliasVersion(registeredModel, 'production')).toBe(versions[1]);
});
