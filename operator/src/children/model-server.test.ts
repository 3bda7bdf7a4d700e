import { parseModelUri } from '@prodclass/registry/model-uri';
import { expect, test } from 'vitest';
import { loadConfig } from '../../../model-server/src/config.js';
import { candidateVersionAnnotation, trackDeployment } from './model-server.js';

const settings = {
  trainerImage: 'trainer',
  modelServerImage: 'server',
  pipelineSecret: 'pipeline',
  modelServerSpoolMebibytes: 256,
};

/** The primary track of PredictionService ml/classifier, pinned to version 7. */
const primaryTrack = {
  service: 'classifier',
  namespace: 'ml',
  owner: {
    apiVersion: 'mlops.prodclass.dev/v1alpha1',
    kind: 'PredictionService',
    name: 'classifier',
    uid: 'u',
  },
  track: 'primary',
  registeredModel: 'rakuten_classifier',
  version: '7',
} as const;

test("a track's MODEL_URI is the pinned version, in the form the model server parses", () => {
  const deployment = trackDeployment(settings, {
    ...primaryTrack,
    alias: 'production',
    replicas: 1,
    spread: false,
  });
  const env = deployment.spec?.template.spec?.containers[0]?.env ?? [];
  const modelUri = env.find((variable) => variable.name === 'MODEL_URI')?.value ?? '';
  expect(modelUri).toBe('models:/rakuten_classifier/7');
  expect(parseModelUri(modelUri)).toEqual({ kind: 'version', name: 'rakuten_classifier', version: '7' });
  expect(env.find((variable) => variable.name === 'MODEL_ALIAS')?.value).toBe('production');
});

test('a track with a candidate passes it to the model server as CANDIDATE_MODEL_URI, CANARY_WEIGHT and SHADOW_PERCENT, which its config accepts', () => {
  const deployment = trackDeployment(settings, {
    ...primaryTrack,
    replicas: 1,
    spread: false,
    candidate: { version: '8', alias: 'challenger', canaryWeight: 10, shadowPercent: 100 },
  });
  const env = Object.fromEntries(
    (deployment.spec?.template.spec?.containers[0]?.env ?? []).map(({ name, value }) => [name, value ?? '']),
  );
  expect(env).toMatchObject({
    CANDIDATE_MODEL_URI: 'models:/rakuten_classifier/8',
    CANDIDATE_MODEL_ALIAS: 'challenger',
    CANARY_WEIGHT: '10',
    SHADOW_PERCENT: '100',
  });
  expect(deployment.spec?.template.metadata?.annotations?.[candidateVersionAnnotation]).toBe('8');
  // DATABASE_URL and MLFLOW_TRACKING_URI come from the pipeline Secret (envFrom).
  expect(
    loadConfig({ ...env, MLFLOW_TRACKING_URI: 'http://mlflow:5000', DATABASE_URL: 'postgres://db/prodclass' })
      .traffic,
  ).toMatchObject({
    candidateUri: { kind: 'version', name: 'rakuten_classifier', version: '8' },
    candidateAlias: 'challenger',
    canaryWeight: 10,
    shadowPercent: 100,
  });
});

test('a rollout drill delays the candidate through CANDIDATE_DELAY_MS; without a delay the variable is absent', () => {
  const envOf = (delayMs: number) =>
    trackDeployment(settings, {
      ...primaryTrack,
      replicas: 1,
      spread: false,
      candidate: { version: '8', canaryWeight: 10, shadowPercent: 0, delayMs },
    }).spec?.template.spec?.containers[0]?.env ?? [];
  expect(envOf(750).find((variable) => variable.name === 'CANDIDATE_DELAY_MS')?.value).toBe('750');
  expect(envOf(0).map((variable) => variable.name)).not.toContain('CANDIDATE_DELAY_MS');
});

test("a track's pods spool the inference log to an emptyDir a little larger than the spool's size", () => {
  const deployment = trackDeployment(
    { ...settings, modelServerSpoolMebibytes: 64 },
    {
      ...primaryTrack,
      replicas: 1,
      spread: false,
    },
  );
  const pod = deployment.spec?.template.spec;
  const container = pod?.containers[0];
  const env = Object.fromEntries((container?.env ?? []).map((variable) => [variable.name, variable.value]));
  expect(env.INFERENCE_LOG_SPOOL_BYTES).toBe(String(64 * 1024 * 1024));
  const mount = container?.volumeMounts?.find(
    (volumeMount) => volumeMount.mountPath === env.INFERENCE_LOG_SPOOL_DIR,
  );
  const volume = pod?.volumes?.find((candidate) => candidate.name === mount?.name);
  expect(volume?.emptyDir).toEqual({ sizeLimit: '80Mi' });
  expect(container?.volumeMounts?.map((volumeMount) => volumeMount.mountPath)).toContain('/tmp');
});
