import fs from 'node:fs';
import path from 'node:path';
import { labels } from '@prodclass/kube/labels';
import type { Logger } from '@prodclass/kube/log';
import type { LocalPod } from './deployment-runner.js';

/** A Prometheus file_sd target group. */
interface TargetGroup {
  targets: string[];
  labels: Record<string, string>;
}

const filePrefix = 'local-runner-';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The pod's target groups as Kubernetes service discovery and the usual relabelings would give
 * them: `namespace`, `pod`, the `app.kubernetes.io/*` labels as `app_kubernetes_io_*`, `track`,
 * and one group per Service selecting the pod with its name as `service` (what the console and
 * the chart's alert rules group by). The pod's one local port stands for its container ports.
 */
function targetGroups(pod: LocalPod, services: string[]): TargetGroup[] {
  const common: Record<string, string> = {
    __metrics_path__: pod.annotations['prometheus.io/path'] ?? '/metrics',
    namespace: pod.namespace,
    pod: pod.name,
  };
  for (const [name, value] of Object.entries(pod.labels))
    if (name.startsWith('app.kubernetes.io/')) common[name.replace(/[^a-zA-Z0-9_]/g, '_')] = value;
  const track = pod.labels[labels.track];
  if (track) common.track = track;
  const targets = [`127.0.0.1:${pod.port}`];
  if (services.length === 0) return [{ targets, labels: common }];
  return services.map((service) => ({ targets, labels: { ...common, service } }));
}

/**
 * Registers each running pod annotated `prometheus.io/scrape: "true"` with Prometheus as a
 * file_sd target: one JSON file per pod in `directory`, written atomically (temp file, rename),
 * removed when the pod stops. Files are named after this process, so that a runner can remove
 * those a killed runner left without touching those of runners still alive.
 */
export class ScrapeTargets {
  readonly #files = new Map<LocalPod, string>();

  constructor(
    private readonly directory: string,
    private readonly servicesSelecting: (pod: LocalPod) => string[],
    private readonly log: Logger,
  ) {
    fs.mkdirSync(directory, { recursive: true });
    for (const file of fs.readdirSync(directory)) {
      const pid = Number(new RegExp(`^${filePrefix}(\\d+)-`).exec(file)?.[1]);
      if (pid && !isAlive(pid)) fs.rmSync(path.join(directory, file), { force: true });
    }
  }

  add(pod: LocalPod): void {
    if (pod.annotations['prometheus.io/scrape'] !== 'true') return;
    this.#files.set(
      pod,
      path.join(this.directory, `${filePrefix}${process.pid}-${pod.namespace}-${pod.name}.json`),
    );
    this.#write(pod);
    this.log.info('scrape target added', { namespace: pod.namespace, pod: pod.name, port: pod.port });
  }

  remove(pod: LocalPod): void {
    const file = this.#files.get(pod);
    if (!file) return;
    this.#files.delete(pod);
    fs.rmSync(file, { force: true });
    this.log.info('scrape target removed', { namespace: pod.namespace, pod: pod.name });
  }

  /** Rewrites every pod's file: the Services selecting the pods changed. */
  refresh(): void {
    for (const pod of this.#files.keys()) this.#write(pod);
  }

  stop(): void {
    for (const pod of [...this.#files.keys()]) this.remove(pod);
  }

  #write(pod: LocalPod): void {
    const file = this.#files.get(pod);
    if (!file) return;
    const temporary = `${file}.tmp`;
    try {
      fs.writeFileSync(temporary, JSON.stringify(targetGroups(pod, this.servicesSelecting(pod))));
      fs.renameSync(temporary, file);
    } catch (error) {
      this.log.warn('could not write scrape target', { file, error });
    }
  }
}
