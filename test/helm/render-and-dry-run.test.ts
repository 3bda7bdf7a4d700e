import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { repoRoot } from '../../stack/paths.js';
import {
  chartDir,
  deleteNamespace,
  freshNamespace,
  helm,
  helmOk,
  installCrds,
  kubectl,
  parseManifests,
} from './support/commands.js';

const fullValues = path.join(repoRoot, 'test/helm/full-values.yaml');
const monitoringApis = [
  '--api-versions',
  'monitoring.coreos.com/v1/ServiceMonitor',
  '--api-versions',
  'monitoring.coreos.com/v1/PrometheusRule',
];
const namespaces: string[] = [];

beforeAll(installCrds);
afterAll(async () => {
  for (const namespace of namespaces) await deleteNamespace(namespace);
});

test.each([
  { values: 'default values', args: [] },
  { values: 'full values', args: ['--values', fullValues] },
])('helm lint passes with $values, without warnings', async ({ args }) => {
  const result = await helm('lint', chartDir, '--strict', ...args);
  expect(result.code, result.stdout + result.stderr).toBe(0);
  expect(result.stdout).toContain('1 chart(s) linted, 0 chart(s) failed');
  expect(result.stdout).not.toMatch(/\[(WARNING|ERROR)\]/);
});

/** Renders the chart for `namespace` and server-side dry-runs every object into it. */
async function dryRun(prefix: string, args: string[]) {
  const namespace = await freshNamespace(prefix);
  namespaces.push(namespace);
  const manifest = await helmOk('template', 'prodclass', chartDir, '--namespace', namespace, ...args);
  const objects = parseManifests(manifest);
  const output = await kubectl(['apply', '--dry-run=server', '--namespace', namespace, '-f', '-'], manifest);
  const accepted = output.split('\n').filter((line) => line.endsWith('(server dry run)'));
  expect(accepted).toHaveLength(objects.length);
  return objects.map((object) => object.kind);
}

test('the default values render objects the API server accepts', async () => {
  const kinds = await dryRun('helm-default', []);
  for (const kind of [
    'Deployment',
    'StatefulSet',
    'PredictionService',
    'NetworkPolicy',
    'ClusterRole',
    'Pod',
  ])
    expect(kinds).toContain(kind);
  // Without the Prometheus Operator's API, no ServiceMonitor or PrometheusRule.
  expect(kinds).not.toContain('ServiceMonitor');
  expect(kinds).not.toContain('PrometheusRule');
});

test('the full values, with the Prometheus Operator API, render objects the API server accepts', async () => {
  const kinds = await dryRun('helm-full', ['--values', fullValues, ...monitoringApis]);
  expect(kinds.filter((kind) => kind === 'ServiceMonitor')).toHaveLength(2);
  expect(kinds).toContain('PrometheusRule');
  // S3 artifacts: no artifacts volume.
  expect(kinds).not.toContain('PersistentVolumeClaim');
});

test('an external database replaces the bundled PostgreSQL and the generated pipeline Secret', async () => {
  const args = ['--set', 'postgresql.enabled=false', '--set', 'externalDatabase.existingSecret=shared-db'];
  const kinds = await dryRun('helm-external', args);
  expect(kinds).not.toContain('StatefulSet');
  expect(kinds).not.toContain('Secret');
  const objects = parseManifests(await helmOk('template', 'prodclass', chartDir, ...args));
  const operator = objects.find(
    (object) => object.metadata.name === 'prodclass-operator' && object.kind === 'Deployment',
  );
  expect(JSON.stringify(operator)).toContain('{"secretRef":{"name":"shared-db"}}');
});

test.each([
  {
    database: 'the bundled PostgreSQL',
    args: [],
    secret: 'prodclass-pipeline',
    // The database and its Secret are created by the install itself.
    hooks: { 'helm.sh/hook': 'post-install,pre-upgrade', 'argocd.argoproj.io/hook': 'Sync' },
  },
  {
    database: 'an external database',
    args: ['--set', 'postgresql.enabled=false', '--set', 'externalDatabase.existingSecret=shared-db'],
    secret: 'shared-db',
    hooks: { 'helm.sh/hook': 'pre-install,pre-upgrade' },
  },
])('prodclass db migrate runs as a hook Job with $database', async ({ args, secret, hooks }) => {
  const objects = parseManifests(await helmOk('template', 'prodclass', chartDir, ...args));
  const jobs = objects.filter((object) => object.kind === 'Job');
  expect(jobs.map((job) => job.metadata.name)).toEqual(['prodclass-db-migrate']);
  const job = jobs[0] as (typeof jobs)[number];
  expect(job.metadata.annotations).toEqual({
    ...hooks,
    'helm.sh/hook-delete-policy': 'before-hook-creation,hook-succeeded',
  });
  type Container = { image: string; args: string[]; envFrom: unknown[] };
  const pod = (job.spec as { template: { metadata: { labels: Record<string, string> } } }).template;
  // PostgreSQL's NetworkPolicy admits pods labelled part-of: prodclass.
  expect(pod.metadata.labels['app.kubernetes.io/part-of']).toBe('prodclass');
  const [container] = (pod as unknown as { spec: { containers: Container[] } }).spec.containers;
  expect(container).toMatchObject({
    image: 'prodclass/trainer-job:0.1.0',
    args: ['db', 'migrate'],
    envFrom: [{ secretRef: { name: secret } }],
  });
});

test.each([
  { values: 'default values', args: [], retention: '90', schedule: '17 3 * * *' },
  { values: 'full values', args: ['--values', fullValues], retention: '30', schedule: '5 1 * * *' },
])('prodclass db maintain runs as a CronJob with $values', async ({ args, retention, schedule }) => {
  const objects = parseManifests(await helmOk('template', 'prodclass', chartDir, ...args));
  const cronJobs = objects.filter((object) => object.kind === 'CronJob');
  expect(cronJobs.map((cronJob) => cronJob.metadata.name)).toEqual(['prodclass-db-maintain']);
  type Container = { image: string; args: string[]; envFrom: unknown[] };
  const spec = cronJobs[0]?.spec as {
    schedule: string;
    timeZone: string;
    concurrencyPolicy: string;
    jobTemplate: { spec: { template: { spec: { containers: Container[] } } } };
  };
  expect(spec).toMatchObject({ schedule, timeZone: 'Etc/UTC', concurrencyPolicy: 'Forbid' });
  expect(spec.jobTemplate.spec.template.spec.containers[0]).toMatchObject({
    args: ['db', 'maintain', '--retention-days', retention],
    envFrom: [{ secretRef: { name: 'prodclass-pipeline' } }],
  });
});

test('generated Secrets agree on one random password, and no secret has a default', async () => {
  const render = async () => parseManifests(await helmOk('template', 'prodclass', chartDir));
  const secrets = async () => {
    const decoded: Record<string, string> = {};
    for (const secret of (await render()).filter((object) => object.kind === 'Secret'))
      for (const [key, value] of Object.entries(secret.data as Record<string, string>))
        decoded[key] = Buffer.from(value, 'base64').toString();
    return decoded;
  };
  const first = await secrets();
  const password = first.POSTGRES_PASSWORD as string;
  expect(password).toMatch(/^[A-Za-z0-9]{32}$/);
  expect(first.DATABASE_URL).toBe(
    `postgresql://prodclass:${password}@prodclass-postgresql.default.svc:5432/prodclass`,
  );
  expect(first.MLFLOW_BACKEND_STORE_URI).toContain(`:${password}@`);
  expect(first.MLFLOW_TRACKING_URI).toBe('http://prodclass-mlflow.default.svc:5000');
  expect((await secrets()).POSTGRES_PASSWORD).not.toBe(password);
});

test('every container runs as non-root with a read-only root filesystem', async () => {
  const objects = parseManifests(
    await helmOk('template', 'prodclass', chartDir, '--values', fullValues, ...monitoringApis),
  );
  type PodSpec = {
    securityContext?: { runAsNonRoot?: boolean; runAsUser?: number };
    containers: { name: string; securityContext?: Record<string, unknown> }[];
  };
  const pods = objects.flatMap((object): PodSpec[] => {
    if (object.kind === 'Pod') return [object.spec as PodSpec];
    const spec = object.spec as
      | { template?: { spec: PodSpec }; jobTemplate?: { spec: { template: { spec: PodSpec } } } }
      | undefined;
    const template = spec?.template ?? spec?.jobTemplate?.spec.template;
    return template ? [template.spec] : [];
  });
  // operator, MLflow, PostgreSQL, the console, the db-migrate hook Job, the db-maintain CronJob
  // and the helm test Pod.
  expect(pods.length).toBe(7);
  for (const pod of pods) {
    expect(pod.securityContext?.runAsNonRoot).toBe(true);
    expect(pod.securityContext?.runAsUser).toBeGreaterThan(0);
    for (const container of pod.containers)
      expect(container.securityContext, container.name).toEqual({
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ['ALL'] },
      });
  }
});

test.each([
  { values: 'default values', args: [] },
  { values: 'full values', args: ['--values', fullValues] },
])('MLflow runs without its job runner and Huey consumers ($values)', async ({ args }) => {
  const objects = parseManifests(await helmOk('template', 'prodclass', chartDir, ...args));
  const mlflow = objects.find(
    (object) => object.kind === 'Deployment' && object.metadata.name === 'prodclass-mlflow',
  );
  type Container = { name: string; env?: { name: string; value?: string }[] };
  const pod = mlflow?.spec as { template: { spec: { containers: Container[] } } } | undefined;
  const container = pod?.template.spec.containers.find((candidate) => candidate.name === 'mlflow');
  expect(container?.env).toContainEqual({ name: 'MLFLOW_SERVER_ENABLE_JOB_EXECUTION', value: 'false' });
});

test.each([
  { values: 'default values', args: [], env: [] },
  {
    values: 'full values',
    args: ['--values', fullValues],
    env: [{ name: 'PROMETHEUS_URL', value: 'http://prometheus-operated.monitoring.svc:9090' }],
  },
])(
  "the operator's PROMETHEUS_URL comes from operator.prometheusUrl, unset when empty ($values)",
  async ({ args, env }) => {
    const objects = parseManifests(await helmOk('template', 'prodclass', chartDir, ...args));
    const operator = objects.find(
      (object) => object.kind === 'Deployment' && object.metadata.name === 'prodclass-operator',
    );
    type Container = { name: string; env?: { name: string; value?: string }[] };
    const pod = operator?.spec as { template: { spec: { containers: Container[] } } } | undefined;
    const container = pod?.template.spec.containers.find((candidate) => candidate.name === 'operator');
    expect(container?.env?.filter((variable) => variable.name === 'PROMETHEUS_URL')).toEqual(env);
  },
);

test.each([
  { mode: 'off', impersonates: false },
  { mode: 'bearer', impersonates: false },
  { mode: 'proxy', impersonates: true },
])(
  'the console may impersonate users and groups only in auth mode proxy ($mode)',
  async ({ mode, impersonates }) => {
    const objects = parseManifests(
      await helmOk(
        'template',
        'prodclass',
        chartDir,
        '--set',
        'console.enabled=true',
        '--set',
        `console.auth.mode=${mode}`,
      ),
    );
    const impersonation = objects.filter((object) =>
      ((object.rules as { verbs: string[] }[] | undefined) ?? []).some((rule) =>
        rule.verbs.includes('impersonate'),
      ),
    );
    expect(impersonation.map((object) => object.metadata.name)).toEqual(
      impersonates ? ['prodclass-console-impersonate-default'] : [],
    );
    if (impersonates)
      expect(
        objects.find(
          (object) =>
            object.kind === 'ClusterRoleBinding' &&
            object.metadata.name === 'prodclass-console-impersonate-default',
        )?.subjects,
      ).toEqual([{ kind: 'ServiceAccount', name: 'prodclass-console', namespace: 'default' }]);
  },
);
