import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { V1Container } from '@kubernetes/client-node';
import { isAlreadyExists, type KubeApi } from '@prodclass/kube/api';
import { timestamp } from '@prodclass/kube/conditions';
import { jobPodLabels } from '@prodclass/kube/labels';
import { podType, resourceType } from '@prodclass/kube/objects';
import type { ContainerStatus, Job, Pod } from '@prodclass/kube/workloads';
import { maxJobResultBytes } from '@prodclass/registry/contract/job-result';

const serviceAccountType = resourceType('v1', 'ServiceAccount', 'serviceaccounts');

/** What the kubelet keeps of the log as a failed container's message (FallbackToLogsOnError). */
const fallbackLogBytes = 2048;
const fallbackLogLines = 80;

/**
 * The kubelet's part for one attempt of a Job: a Pod object owned by the Job, labelled as the Job
 * controller labels its Pods, a termination message file for the process, and the Pod status the
 * kubelet reports when the container starts and ends (with the termination message).
 */
export class JobPod {
  readonly messageFile: string;
  readonly #startedAt = timestamp();

  private constructor(
    private readonly api: KubeApi,
    private readonly pod: Pod,
    private readonly container: V1Container,
    messageDir: string,
  ) {
    const { namespace, name } = pod.metadata;
    this.messageFile = path.join(messageDir, `${namespace}.${name}`);
    fs.mkdirSync(messageDir, { recursive: true });
    fs.writeFileSync(this.messageFile, '');
  }

  static async create(api: KubeApi, job: Job, container: V1Container, messageDir: string): Promise<JobPod> {
    const namespace = job.metadata.namespace ?? 'default';
    const { name, uid } = job.metadata;
    if (!uid) throw new Error(`Job ${namespace}/${name} has no uid`);
    await ensureDefaultServiceAccount(api, namespace);
    const template = job.spec?.template;
    const pod = await api.create<Pod>(podType, namespace, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: `${name.slice(0, 57)}-${randomBytes(3).toString('hex').slice(0, 5)}`,
        namespace,
        labels: {
          ...template?.metadata?.labels,
          [jobPodLabels.jobName]: name,
          [jobPodLabels.controllerUid]: uid,
          [jobPodLabels.legacyJobName]: name,
          [jobPodLabels.legacyControllerUid]: uid,
        },
        ownerReferences: [
          { apiVersion: 'batch/v1', kind: 'Job', name, uid, controller: true, blockOwnerDeletion: true },
        ],
      },
      spec: { ...template?.spec, containers: template?.spec?.containers ?? [], nodeName: 'local-runner' },
    });
    const jobPod = new JobPod(api, pod, container, messageDir);
    await jobPod.#report('Running', { running: { startedAt: jobPod.#startedAt } });
    return jobPod;
  }

  /** The container exited: its termination message and the Pod's final phase, as the kubelet writes them. */
  async exited(exitCode: number, logFile: string): Promise<void> {
    const message = this.#terminationMessage(exitCode, logFile);
    await this.#report(exitCode === 0 ? 'Succeeded' : 'Failed', {
      terminated: {
        exitCode,
        reason: exitCode === 0 ? 'Completed' : 'Error',
        ...(message ? { message } : {}),
        startedAt: this.#startedAt,
        finishedAt: timestamp(),
      },
    });
    fs.rmSync(this.messageFile, { force: true });
  }

  #terminationMessage(exitCode: number, logFile: string): string {
    const written = readTail(this.messageFile, maxJobResultBytes, false);
    if (written || exitCode === 0 || this.container.terminationMessagePolicy !== 'FallbackToLogsOnError')
      return written;
    return readTail(logFile, fallbackLogBytes, true).split('\n').slice(-fallbackLogLines).join('\n').trim();
  }

  async #report(phase: 'Running' | 'Succeeded' | 'Failed', state: ContainerStatus['state']): Promise<void> {
    const { namespace = '', name } = this.pod.metadata;
    const status: Pod['status'] = {
      phase,
      startTime: this.#startedAt,
      containerStatuses: [
        {
          name: this.container.name,
          image: this.container.image ?? '',
          imageID: '',
          ready: phase === 'Running',
          started: phase === 'Running',
          restartCount: 0,
          state,
        },
      ],
    };
    await this.api.mergePatch(podType, namespace, name, { status }, 'status');
  }
}

/** The first `limit` bytes of a file (or its last, with `fromEnd`); empty when there is no file. */
function readTail(file: string, limit: number, fromEnd: boolean): string {
  let content: Buffer;
  try {
    content = fs.readFileSync(file);
  } catch {
    return '';
  }
  return (fromEnd ? content.subarray(-limit) : content.subarray(0, limit)).toString('utf8');
}

/**
 * Pods run as their namespace's `default` ServiceAccount, which the API server's admission insists
 * exists; the controller manager that makes it in a cluster is not part of the local stack.
 */
async function ensureDefaultServiceAccount(api: KubeApi, namespace: string): Promise<void> {
  await api
    .create(serviceAccountType, namespace, {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'default' },
    })
    .catch((error: unknown) => {
      if (!isAlreadyExists(error)) throw error;
    });
}
