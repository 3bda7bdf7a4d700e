import { parseModelUri } from '@prodclass/registry/model-uri';
import { expect, test } from 'vitest';
import { trackDeployment } from './model-server.js';

test("a track's MODEL_URI is the pinned version, in the form the model server parses", () => {
  const deployment = trackDeployment(
    { trainerImage: 'trainer', modelServerImage: 'server', pipelineSecret: 'pipeline' },
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
