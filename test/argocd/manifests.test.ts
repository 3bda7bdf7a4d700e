import fs from 'node:fs';
import path from 'node:path';
import { loadYaml } from '@kubernetes/client-node';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { repoRoot } from '../../stack/paths.js';
import {
  chartDir,
  deleteNamespace,
  freshNamespace,
  helmOk,
  installCrds,
  type KubeObject,
  kubectl,
  parseManifests,
} from '../helm/support/commands.js';
import { healthCheckFile } from './support/health-check-files.js';

const samplesDir = path.join(repoRoot, 'manifests/samples');
let namespace: string;

beforeAll(async () => {
  await installCrds();
  namespace = await freshNamespace('manifests');
});
afterAll(async () => {
  if (namespace) await deleteNamespace(namespace);
});

test('there is a sample of each custom resource, and the API server accepts every one', async () => {
  const samples = fs
    .readdirSync(samplesDir)
    .flatMap((file) => parseManifests(fs.readFileSync(path.join(samplesDir, file), 'utf8')));
  expect(new Set(samples.map((sample) => sample.kind))).toEqual(
    new Set([
      'DataIncrement',
      'TrainingRun',
      'ModelPromotion',
      'PredictionService',
      'RetrainSchedule',
      'DriftMonitor',
      'DriftAcknowledgement',
    ]),
  );
  const output = await kubectl(['apply', '--dry-run=server', '-n', namespace, '-f', samplesDir]);
  expect(output.trim().split('\n')).toHaveLength(samples.length);
  expect(output).not.toMatch(/unchanged|configured/);
});

test('the kustomize base builds the CRDs, RBAC, operator, db-migrate Job and db-maintain CronJob, and the API server accepts it', async () => {
  const built = await kubectl(['kustomize', path.join(repoRoot, 'manifests/base')]);
  const objects = parseManifests(built);
  expect(objects.map((object) => object.kind).sort()).toEqual([
    'ClusterRole',
    'ClusterRoleBinding',
    'CronJob',
    'CustomResourceDefinition',
    'CustomResourceDefinition',
    'CustomResourceDefinition',
    'CustomResourceDefinition',
    'CustomResourceDefinition',
    'CustomResourceDefinition',
    'CustomResourceDefinition',
    'Deployment',
    'Job',
    'Namespace',
    'Role',
    'RoleBinding',
    'ServiceAccount',
  ]);
  const job = objects.find((object) => object.kind === 'Job') as KubeObject;
  expect(job.metadata.name).toBe('prodclass-db-migrate');
  const operator = objects.find((object) => object.kind === 'Deployment') as KubeObject;
  type Container = { image: string; args?: string[]; envFrom: unknown[] };
  const containerOf = (object: KubeObject) =>
    (object.spec as { template: { spec: { containers: Container[] } } }).template.spec.containers[0];
  const trainerImage = (
    containerOf(operator) as unknown as { env: { name: string; value?: string }[] }
  ).env.find((variable) => variable.name === 'TRAINER_IMAGE')?.value;
  // The operator's own Jobs' image, and the Secret they read DATABASE_URL from.
  expect(containerOf(job)).toMatchObject({
    image: trainerImage,
    args: ['db', 'migrate'],
    envFrom: containerOf(operator)?.envFrom,
  });
  const cronJob = objects.find((object) => object.kind === 'CronJob') as KubeObject;
  const maintainer = (
    cronJob.spec as { jobTemplate: { spec: { template: { spec: { containers: Container[] } } } } }
  ).jobTemplate.spec.template.spec.containers[0];
  expect(maintainer).toMatchObject({
    image: trainerImage,
    args: ['db', 'maintain', '--retention-days', '90'],
    envFrom: containerOf(operator)?.envFrom,
  });
  // Its namespace must exist for a dry run of the namespaced objects (the RBAC test creates it too).
  await kubectl(['apply', '-f', path.join(repoRoot, 'manifests/rbac/namespace.yaml')]);
  const output = await kubectl(['apply', '--dry-run=server', '-f', '-'], built);
  expect(output.trim().split('\n')).toHaveLength(objects.length);
});

test('the Argo CD kustomization puts each Lua health check under its argocd-cm key', async () => {
  const [configMap] = parseManifests(
    await kubectl(['kustomize', path.join(repoRoot, 'manifests/argocd')]),
  ) as [KubeObject & { data: Record<string, string> }];
  expect(configMap.metadata).toMatchObject({ name: 'argocd-cm', namespace: 'argocd' });
  const expected: Record<string, string> = {};
  for (const kind of [
    'DataIncrement',
    'TrainingRun',
    'ModelPromotion',
    'PredictionService',
    'RetrainSchedule',
    'DriftMonitor',
    'DriftAcknowledgement',
  ])
    expected[`resource.customizations.health.mlops.prodclass.dev_${kind}`] = fs.readFileSync(
      path.join(repoRoot, 'manifests/argocd/health', healthCheckFile(kind)),
      'utf8',
    );
  expect(configMap.data).toEqual(expected);
});

test('the Argo CD Application installs the chart and keeps the Secrets its render would regenerate', async () => {
  const application = loadYaml(
    fs.readFileSync(path.join(repoRoot, 'manifests/argocd/application.yaml'), 'utf8'),
  ) as {
    spec: {
      source: { path: string; helm: { releaseName: string } };
      destination: { namespace: string };
      ignoreDifferences: { kind: string; name: string; jsonPointers: string[] }[];
    };
  };
  const { source, destination, ignoreDifferences } = application.spec;
  expect(path.join(repoRoot, source.path)).toBe(chartDir);
  const rendered = parseManifests(
    await helmOk('template', source.helm.releaseName, chartDir, '--namespace', destination.namespace),
  );
  const secrets = rendered.filter((object) => object.kind === 'Secret').map((secret) => secret.metadata.name);
  expect(ignoreDifferences.map((entry) => entry.name).sort()).toEqual(secrets.sort());
  for (const entry of ignoreDifferences)
    expect(entry).toMatchObject({ kind: 'Secret', jsonPointers: ['/data'] });
});
