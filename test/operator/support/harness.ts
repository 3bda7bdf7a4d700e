import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { KubeApi } from '@prodclass/kube/api';
import { jsonLogger, type Logger } from '@prodclass/kube/log';
import { jobType } from '@prodclass/kube/objects';
import type { Job } from '@prodclass/kube/workloads';
import { formatJobResult, type JobResult } from '@prodclass/registry/contract/job-result';
import type { OperatorSettings } from '../../../operator/src/config.js';
import type { Promote } from '../../../operator/src/external/promotion.js';
import { registryPromote } from '../../../operator/src/external/registry-promotion.js';
import { type RunningOperator, startOperator } from '../../../operator/src/operator.js';
import { JobPod } from '../../../stack/local-runner/job-pods.js';
import { type LocalRunner, startLocalRunner } from '../../../stack/local-runner/runner.js';
import { scrapeTargetsDir } from '../../../stack/services/prometheus.js';
import { stackEnv } from '../../support/stack-env.js';
import { createTestDatabase, type TestDatabase } from '../../support/test-database.js';
import {
  adminConfig,
  adminConnection,
  applyCrds,
  createNamespace,
  deleteNamespace,
  waitFor,
} from './cluster.js';

export const repository = path.resolve(import.meta.dirname, '../../..');
export const group = 'mlops.prodclass.dev';
export const version = 'v1alpha1';

export function testLog(name: string): Logger {
  return jsonLogger(process.env.OPERATOR_TEST_LOG === '1' ? 'debug' : 'warn', { test: name }, (line) =>
    process.stderr.write(line),
  );
}

/**
 * The Secret the pipeline's Jobs and model servers read DATABASE_URL and MLFLOW_TRACKING_URI from;
 * `extra` adds keys (FEEDBACK_TOKEN turns on the model servers' /feedback).
 */
export async function createPipelineSecret(
  namespace: string,
  databaseUrl: string,
  extra: Record<string, string> = {},
): Promise<void> {
  await adminConfig()
    .makeApiClient(k8s.CoreV1Api)
    .createNamespacedSecret({
      namespace,
      body: {
        metadata: { name: 'prodclass-pipeline' },
        stringData: {
          DATABASE_URL: databaseUrl,
          MLFLOW_TRACKING_URI: stackEnv().MLFLOW_TRACKING_URI,
          ...extra,
        },
      },
    });
}

export function operatorSettings(namespace: string, databaseUrl: string): OperatorSettings {
  return {
    trainerImage: 'prodclass/trainer-job:test',
    modelServerImage: 'prodclass/model-server:test',
    pipelineSecret: 'prodclass-pipeline',
    modelServerSpoolMebibytes: 256,
    databaseUrl,
    mlflowTrackingUri: stackEnv().MLFLOW_TRACKING_URI,
    prometheusUrl: stackEnv().PROMETHEUS_URL,
    watchNamespace: namespace,
    leaseNamespace: namespace,
    leaseName: 'prodclass-operator',
    identity: `test-${randomBytes(3).toString('hex')}`,
    leaseDurationMs: 3000,
    httpHost: '127.0.0.1',
    httpPort: 0,
    concurrency: 4,
    resyncMs: 30_000,
    aliasPollMs: 2000,
    liveQualityMs: 60_000,
    logLevel: 'warn',
  };
}

export function runOperator(
  settings: OperatorSettings,
  promote: Promote,
  connection = adminConnection(),
  clock?: () => Date,
): Promise<RunningOperator> {
  return startOperator(settings, connection, promote, testLog('operator'), clock);
}

/** A local runner for one namespace; `components` limits which Jobs and Deployments it runs. */
export function runLocalRunner(namespace: string, components?: string[]): Promise<LocalRunner> {
  return startLocalRunner(
    adminConnection(),
    { root: repository, logDir: path.join(repository, '.local/logs/local-runner'), scrapeTargetsDir },
    testLog('local-runner'),
    { namespace, components },
  );
}

/** What an end-to-end test runs on; `stop` ends and removes what `startPipeline` started. */
export interface Pipeline {
  namespace: string;
  database: TestDatabase;
  resources: Resources;
  stop(): Promise<void>;
}

export interface PipelineOptions {
  /** The operator's clock (schedules and cooldowns), for tests that move time instead of waiting. */
  clock?: () => Date;
  /** Keys added to the pipeline Secret, such as FEEDBACK_TOKEN. */
  secret?: Record<string, string>;
  /** How often the operator recomputes the PredictionServices' live quality (default 60 s). */
  liveQualityMs?: number;
}

/**
 * A namespace of its own with the pipeline Secret, a test database, the operator (promoting
 * through the registry) and the local runner. If a step fails, what had started is stopped.
 */
export async function startPipeline(
  namespacePrefix: string,
  options: PipelineOptions = {},
): Promise<Pipeline> {
  const stops: (() => Promise<unknown>)[] = [];
  const stop = async () => {
    for (const step of stops.reverse()) await step();
  };
  try {
    await applyCrds();
    const namespace = await createNamespace(namespacePrefix);
    stops.push(() => deleteNamespace(namespace));
    const database = await createTestDatabase();
    stops.push(() => database.drop());
    await createPipelineSecret(namespace, database.url, options.secret);
    const settings = operatorSettings(namespace, database.url);
    const operator = await runOperator(
      { ...settings, liveQualityMs: options.liveQualityMs ?? settings.liveQualityMs },
      registryPromote(database.url, stackEnv().MLFLOW_TRACKING_URI),
      adminConnection(),
      options.clock,
    );
    stops.push(() => operator.stop());
    const runner = await runLocalRunner(namespace);
    stops.push(() => runner.stop());
    return { namespace, database, resources: new Resources(namespace), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Plain-JSON access to the custom resources of one namespace. */
export class Resources {
  readonly api = new KubeApi(adminConnection());
  constructor(readonly namespace: string) {}

  path(plural: string, name?: string): string {
    return `/apis/${group}/${version}/namespaces/${this.namespace}/${plural}${name ? `/${name}` : ''}`;
  }

  create(kind: string, plural: string, name: string, spec: object): Promise<Record<string, unknown>> {
    return this.api.request('POST', this.path(plural), {
      body: { apiVersion: `${group}/${version}`, kind, metadata: { name }, spec },
    });
  }

  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary status fields
  get(plural: string, name: string): Promise<any> {
    return this.api.request('GET', this.path(plural, name));
  }

  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary fields
  getAt(apiPath: string): Promise<any> {
    return this.api.request('GET', apiPath);
  }

  /** Waits until `predicate` holds for the object, returning it. */
  async until(
    plural: string,
    name: string,
    // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary status fields
    predicate: (object: any) => boolean,
    timeoutMs = 60_000,
    // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary status fields
  ): Promise<any> {
    // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary status fields
    let last: any;
    await waitFor(
      `${plural}/${name} to reach the expected state`,
      async () => {
        last = await this.get(plural, name);
        return predicate(last);
      },
      timeoutMs,
    ).catch((error: Error) => {
      throw new Error(`${error.message}; last status: ${JSON.stringify(last?.status)}`);
    });
    return last;
  }

  // biome-ignore lint/suspicious/noExplicitAny: conditions as JSON
  static condition(object: any, type: string): any {
    // biome-ignore lint/suspicious/noExplicitAny: conditions as JSON
    return object?.status?.conditions?.find((c: any) => c.type === type);
  }
}

/**
 * Marks a Job finished as the Job controller would (the local stack has none); a completed Job's
 * Pod first reports `result` as its termination message, as the kubelet would.
 */
export async function finishJob(
  namespace: string,
  name: string,
  outcome: 'Complete' | 'Failed',
  result?: JobResult,
): Promise<void> {
  const api = new KubeApi(adminConnection());
  if (result) {
    const job = await api.request<Job>('GET', jobType.path(namespace, name));
    const container = job.spec?.template.spec?.containers[0];
    if (!container) throw new Error(`Job ${name} has no container`);
    const pod = await JobPod.create(api, job, container, path.join(repository, '.local/logs/test-pods'));
    fs.writeFileSync(pod.messageFile, formatJobResult(result));
    await pod.exited(0, '');
  }
  const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const conditions =
    outcome === 'Complete'
      ? [
          {
            type: 'SuccessCriteriaMet',
            status: 'True',
            lastTransitionTime: now,
            reason: 'CompletionsReached',
          },
          { type: 'Complete', status: 'True', lastTransitionTime: now, reason: 'CompletionsReached' },
        ]
      : [
          {
            type: 'FailureTarget',
            status: 'True',
            lastTransitionTime: now,
            reason: 'BackoffLimitExceeded',
            message: 'boom',
          },
          {
            type: 'Failed',
            status: 'True',
            lastTransitionTime: now,
            reason: 'BackoffLimitExceeded',
            message: 'boom',
          },
        ];
  await api.mergePatch(
    jobType,
    namespace,
    name,
    {
      status: {
        startTime: now,
        ...(outcome === 'Complete' ? { succeeded: 1, completionTime: now } : { failed: 1 }),
        conditions,
      },
    },
    'status',
  );
}
