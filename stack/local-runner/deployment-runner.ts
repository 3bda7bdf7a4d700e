import type { ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { KubeApi } from '@prodclass/kube/api';
import { timestamp } from '@prodclass/kube/conditions';
import type { Logger } from '@prodclass/kube/log';
import { deploymentType, keyOf } from '@prodclass/kube/objects';
import type { Deployment } from '@prodclass/kube/workloads';
import { freePort } from '../processes.js';
import type { ScrapeTargets } from './scrape-targets.js';
import { containerEnv, localCommand, podEmptyDirs, startProcess, type Workspace } from './workloads.js';

/** A model-server process standing in for one pod. */
export interface LocalPod {
  namespace: string;
  /** `<deployment>-<template hash>-<port>`, unique on this machine. */
  name: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  templateHash: string;
  port: number;
  process: ChildProcess;
  ready: boolean;
  /** Taken out of Service traffic; stopped once its in-flight requests are done. */
  terminating: boolean;
  inFlight: number;
}

const readinessTimeoutMs = 180_000;

/**
 * Runs each Deployment's pods as local processes and rolls them like the Deployment controller
 * with maxSurge 1 / maxUnavailable 0: a new pod is started and must answer /ready before an old
 * one leaves Service traffic and is stopped. Writes the Deployment status a real cluster would.
 */
export class DeploymentRunner {
  readonly #pods = new Map<string, LocalPod[]>();
  readonly #latest = new Map<string, Deployment>();
  readonly #syncing = new Map<string, Promise<void>>();
  readonly #dirty = new Set<string>();
  #stopped = false;

  constructor(
    private readonly api: KubeApi,
    private readonly workspace: Workspace,
    private readonly scrapeTargets: ScrapeTargets,
    private readonly log: Logger,
  ) {}

  /** Ready pods that take traffic, in every Deployment. */
  servingPods(): LocalPod[] {
    return [...this.#pods.values()].flat().filter((pod) => pod.ready && !pod.terminating);
  }

  observe(deployment: Deployment): void {
    const key = keyOf(deployment);
    this.#latest.set(key, deployment);
    this.#schedule(key);
  }

  /** The Deployment is gone: its pods stop. */
  forget(deployment: Deployment): void {
    const key = keyOf(deployment);
    this.#latest.delete(key);
    this.#schedule(key);
  }

  #schedule(key: string): void {
    if (this.#syncing.has(key)) {
      this.#dirty.add(key);
      return;
    }
    const run = async () => {
      do {
        this.#dirty.delete(key);
        await this.#sync(key).catch((error: unknown) =>
          this.log.error('deployment sync failed', { key, error }),
        );
      } while (this.#dirty.has(key) && !this.#stopped);
      this.#syncing.delete(key);
    };
    this.#syncing.set(key, run());
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await Promise.all(this.#syncing.values());
    await Promise.all([...this.#pods.values()].flat().map((pod) => this.#terminate(pod)));
  }

  async #sync(key: string): Promise<void> {
    const deployment = this.#latest.get(key);
    const pods = (this.#pods.get(key) ?? []).filter(
      (pod) => pod.process.exitCode === null && !pod.terminating,
    );
    this.#pods.set(key, pods);
    if (!deployment) {
      await Promise.all(pods.map((pod) => this.#terminate(pod)));
      this.#pods.delete(key);
      return;
    }
    const template = deployment.spec?.template;
    const container = template?.spec?.containers[0];
    if (!template || !container) return;
    const hash = createHash('sha256').update(JSON.stringify(template)).digest('hex').slice(0, 10);
    const replicas = deployment.spec?.replicas ?? 1;

    for (;;) {
      if (this.#stopped || this.#latest.get(key) !== deployment) break;
      const current = pods.filter((pod) => pod.templateHash === hash);
      const old = pods.filter((pod) => pod.templateHash !== hash);
      await this.#writeStatus(deployment, pods, hash);
      if (current.length < replicas) {
        const pod = await this.#startPod(deployment, container, hash);
        pods.push(pod);
        await this.#writeStatus(deployment, pods, hash);
        if (await this.#waitReady(pod)) {
          pod.ready = true;
          const retired = old[0];
          if (retired) await this.#retire(pods, retired);
        } else {
          this.log.warn('pod never became ready; replacing it', { deployment: key, port: pod.port });
          await this.#retire(pods, pod);
        }
        continue;
      }
      const surplus = [...old, ...current.slice(replicas)];
      if (surplus.length === 0) break;
      for (const pod of surplus) await this.#retire(pods, pod);
    }
    await this.#writeStatus(deployment, pods, hash);
  }

  async #startPod(
    deployment: Deployment,
    container: NonNullable<NonNullable<Deployment['spec']>['template']['spec']>['containers'][number],
    hash: string,
  ): Promise<LocalPod> {
    const namespace = deployment.metadata.namespace ?? 'default';
    const port = await freePort();
    const emptyDirs = podEmptyDirs(
      deployment.spec?.template.spec ?? { containers: [container] },
      container,
      await containerEnv(this.api, namespace, container),
    );
    const env = { ...emptyDirs.env, PORT: String(port), HOST: '127.0.0.1' };
    const name = `${deployment.metadata.name}-${hash}-${port}`;
    const process = startProcess(
      this.workspace,
      `${namespace}.${name}`,
      localCommand(this.workspace, container),
      env,
    );
    this.log.info('pod started', { deployment: keyOf(deployment), port, pid: process.pid });
    const pod: LocalPod = {
      namespace,
      name,
      labels: deployment.spec?.template.metadata?.labels ?? {},
      annotations: deployment.spec?.template.metadata?.annotations ?? {},
      templateHash: hash,
      port,
      process,
      ready: false,
      terminating: false,
      inFlight: 0,
    };
    this.scrapeTargets.add(pod);
    process.once('exit', (code) => {
      emptyDirs.remove();
      this.scrapeTargets.remove(pod);
      if (pod.terminating) return;
      this.log.warn('pod exited; starting another', { deployment: keyOf(deployment), port, code });
      pod.ready = false;
      const latest = this.#latest.get(keyOf(deployment));
      if (latest) this.observe(latest);
    });
    return pod;
  }

  async #waitReady(pod: LocalPod): Promise<boolean> {
    const deadline = Date.now() + readinessTimeoutMs;
    while (Date.now() < deadline && pod.process.exitCode === null && !this.#stopped) {
      const ok = await fetch(`http://127.0.0.1:${pod.port}/ready`, {
        signal: AbortSignal.timeout(2000),
      }).then(
        (response) => response.ok,
        () => false,
      );
      if (ok) return true;
      await sleep(250);
    }
    return false;
  }

  /** Takes the pod out of traffic, then stops it once its in-flight requests have finished. */
  async #retire(pods: LocalPod[], pod: LocalPod): Promise<void> {
    pods.splice(pods.indexOf(pod), 1);
    await this.#terminate(pod);
  }

  async #terminate(pod: LocalPod): Promise<void> {
    pod.terminating = true;
    const deadline = Date.now() + 10_000;
    while (pod.inFlight > 0 && Date.now() < deadline) await sleep(20);
    if (pod.process.exitCode !== null) return;
    const exited = new Promise((resolve) => pod.process.once('exit', resolve));
    pod.process.kill('SIGTERM');
    await Promise.race([exited, sleep(15_000).then(() => pod.process.kill('SIGKILL'))]);
  }

  async #writeStatus(deployment: Deployment, pods: LocalPod[], hash: string): Promise<void> {
    const replicas = deployment.spec?.replicas ?? 1;
    const updated = pods.filter((pod) => pod.templateHash === hash).length;
    const ready = pods.filter((pod) => pod.ready).length;
    const now = timestamp();
    const available = ready >= replicas;
    await this.api
      .mergePatch(
        deploymentType,
        deployment.metadata.namespace ?? 'default',
        deployment.metadata.name,
        {
          status: {
            observedGeneration: deployment.metadata.generation,
            replicas: pods.length,
            updatedReplicas: updated,
            readyReplicas: ready,
            availableReplicas: ready,
            unavailableReplicas: Math.max(replicas - ready, 0),
            conditions: [
              {
                type: 'Available',
                status: available ? 'True' : 'False',
                reason: available ? 'MinimumReplicasAvailable' : 'MinimumReplicasUnavailable',
                message: `${ready} of ${replicas} replicas ready (local runner)`,
                lastUpdateTime: now,
                lastTransitionTime: now,
              },
            ],
          },
        },
        'status',
      )
      .catch((error: unknown) => this.log.warn('could not write deployment status', { error }));
  }
}
