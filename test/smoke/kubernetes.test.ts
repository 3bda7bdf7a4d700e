import * as k8s from '@kubernetes/client-node';
import { expect, test } from 'vitest';
import { stackEnv } from '../support/stack-env.js';

const group = 'smoke.prodclass.dev';

test('kube-apiserver: a CRD and a custom object are applied and read back', async () => {
  const config = new k8s.KubeConfig();
  config.loadFromFile(stackEnv().KUBECONFIG);
  const extensions = config.makeApiClient(k8s.ApiextensionsV1Api);
  const objects = config.makeApiClient(k8s.CustomObjectsApi);

  const crd: k8s.V1CustomResourceDefinition = {
    metadata: { name: `widgets.${group}` },
    spec: {
      group,
      scope: 'Namespaced',
      names: { plural: 'widgets', singular: 'widget', kind: 'Widget' },
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              properties: { spec: { type: 'object', properties: { size: { type: 'integer', minimum: 1 } } } },
            },
          },
        },
      ],
    },
  };
  await extensions.deleteCustomResourceDefinition({ name: crd.metadata?.name ?? '' }).catch(() => undefined);
  await waitFor(async () => !(await exists(extensions, crd.metadata?.name ?? '')));
  await extensions.createCustomResourceDefinition({ body: crd });
  await waitFor(async () => {
    const current = await extensions.readCustomResourceDefinition({ name: crd.metadata?.name ?? '' });
    return current.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') ?? false;
  });

  const body = { apiVersion: `${group}/v1`, kind: 'Widget', metadata: { name: 'first' }, spec: { size: 3 } };
  await objects.createNamespacedCustomObject({
    group,
    version: 'v1',
    namespace: 'default',
    plural: 'widgets',
    body,
  });
  const read = (await objects.getNamespacedCustomObject({
    group,
    version: 'v1',
    namespace: 'default',
    plural: 'widgets',
    name: 'first',
  })) as { spec: { size: number } };
  expect(read.spec.size).toBe(3);

  const invalid = { ...body, metadata: { name: 'invalid' }, spec: { size: 0 } };
  await expect(
    objects.createNamespacedCustomObject({
      group,
      version: 'v1',
      namespace: 'default',
      plural: 'widgets',
      body: invalid,
    }),
  ).rejects.toThrow(/spec.size/);

  await extensions.deleteCustomResourceDefinition({ name: crd.metadata?.name ?? '' });
});

async function exists(api: k8s.ApiextensionsV1Api, name: string): Promise<boolean> {
  return api.readCustomResourceDefinition({ name }).then(
    () => true,
    () => false,
  );
}

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the API server');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
