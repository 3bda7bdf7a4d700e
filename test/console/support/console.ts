import type { AddressInfo } from 'node:net';
import * as k8s from '@kubernetes/client-node';
import type { ConsoleConfig } from '../../../console/src/config.js';
import { buildConsole } from '../../../console/src/server.js';
import { adminConfig, adminConnection } from '../../operator/support/cluster.js';
import { stackEnv } from '../../support/stack-env.js';

export interface RunningConsole {
  url: string;
  close(): Promise<void>;
}

/** The console on a free port of 127.0.0.1, against the local stack, as the admin user. */
export async function startConsole(
  namespace: string,
  databaseUrl: string,
  overrides: Partial<ConsoleConfig> = {},
): Promise<RunningConsole> {
  const env = stackEnv();
  const config: ConsoleConfig = {
    port: 0,
    host: '127.0.0.1',
    namespace,
    registeredModel: 'rakuten_classifier',
    alias: 'production',
    databaseUrl,
    mlflowTrackingUri: env.MLFLOW_TRACKING_URI,
    mlflowPublicUrl: env.MLFLOW_TRACKING_URI,
    prometheusUrl: env.PROMETHEUS_URL,
    feedbackToken: undefined,
    auth: { mode: 'proxy', userHeader: 'x-forwarded-user', groupsHeader: 'x-forwarded-groups' },
    secureCookies: false,
    logLevel: process.env.CONSOLE_TEST_LOG === '1' ? 'info' : 'warn',
    ...overrides,
  };
  const { app } = await buildConsole({ config, connection: adminConnection() });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => app.close() };
}

/** A Role allowing `user` the console's actions in `namespace`: the four kinds of action resources, and feedback. */
export async function allowActions(namespace: string, user: string): Promise<void> {
  const rbac = adminConfig().makeApiClient(k8s.RbacAuthorizationV1Api);
  await rbac.createNamespacedRole({
    namespace,
    body: {
      metadata: { name: 'console-actions' },
      rules: [
        {
          apiGroups: ['mlops.prodclass.dev'],
          resources: [
            'dataincrements',
            'trainingruns',
            'modelpromotions',
            'driftacknowledgements',
            'predictionservices/feedback',
          ],
          verbs: ['create'],
        },
      ],
    },
  });
  await rbac.createNamespacedRoleBinding({
    namespace,
    body: {
      metadata: { name: `console-actions-${user}` },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'console-actions' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: user }],
    },
  });
}
