import { parseModelUri } from '@prodclass/registry/model-uri';
import { expect, test } from 'vitest';
import { trackDeployment } from './model-server.js';

test("a track's MODEL_URI is the pinned version, in the form the model server parses", () => {
  const deployment = trackDeployment(
    {
      trainerImage: 'trainer',
      modelServerImage: 'server',
      pipelineSecret: 'pipeline',
      modelServerSpoolMebibytes: 256,
    },
    {
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
      alias: 'production',
      replicas: 1,
      spread: false,
    },
  );
  const env = deployment.spec?.template.spec?.containers[0]?.env ?? [];
  const modelUri = env.find((variable) => variable.name === 'MODEL_URI')?.value ?? '';
  expect(modelUri).toBe('models:/rakuten_classifier/7');
  expect(parseModelUri(modelUri)).toEqual({ kind: 'version', name: 'rakuten_classifier', version: '7' });
  expect(env.find((variable) => variable.name === 'MODEL_ALIAS')?.value).toBe('production');
});

test("a track's pods spool the inference log to an emptyDir a little larger than the spool's size", () => {
  const deployment = trackDeployment(
    {
      trainerImage: 'trainer',
      modelServerImage: 'server',
      pipelineSecret: 'pipeline',
      modelServerSpoolMebibytes: 64,
    },
    {
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
