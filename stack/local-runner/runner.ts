import { KubeApi } from '@prodclass/kube/api';
import type { Connection } from '@prodclass/kube/connection';
import { Informer } from '@prodclass/kube/informer';
import { labels, managedSelector } from '@prodclass/kube/labels';
import type { Logger } from '@prodclass/kube/log';
import {
  deploymentType,
  jobType,
  type KubeObject,
  type ResourceType,
  serviceType,
} from '@prodclass/kube/objects';
import type { Deployment, Job } from '@prodclass/kube/workloads';
import { DeploymentRunner } from './deployment-runner.js';
import { JobRunner } from './job-runner.js';
import { ScrapeTargets } from './scrape-targets.js';
import { ServiceProxies } from './service-proxy.js';
import type { Workspace } from './workloads.js';

export interface LocalRunner {
  stop(): Promise<void>;
}

/**
 * A development stand-in for the kubelet and the Job and Deployment controllers, for an API server
 * without nodes: it runs the Jobs and Deployments the operator made as local processes, gives
 * every Service a local URL and registers annotated pods with Prometheus. The operator does not
 * know it exists.
 */
export async function startLocalRunner(
  connection: Connection,
  workspace: Workspace,
  log: Logger,
  scope: { namespace?: string; components?: string[] } = {},
): Promise<LocalRunner> {
  const { namespace, components } = scope;
  const api = new KubeApi(connection);
  // Only the selected components (app.kubernetes.io/component), when a test plays the others itself.
  const selector = components
    ? `${managedSelector},${labels.component} in (${components.join(',')})`
    : managedSelector;
  const informer = <T extends KubeObject>(type: ResourceType) =>
    new Informer<T>(
      type,
      api,
      {
        namespace,
        labelSelector: selector,
        resyncMs: 30_000,
        watchTimeoutSeconds: 60,
        stallMs: 90_000,
      },
      log,
    );
  const jobs = informer<Job>(jobType);
  const deployments = informer<Deployment>(deploymentType);
  const services = informer<KubeObject>(serviceType);

  const jobRunner = new JobRunner(api, workspace, log);
  const scrapeTargets = new ScrapeTargets(
    workspace.scrapeTargetsDir,
    (pod): string[] => proxies.servicesSelecting(pod),
    log,
  );
  const deploymentRunner = new DeploymentRunner(api, workspace, scrapeTargets, log);
  const proxies = new ServiceProxies(api, () => deploymentRunner.servingPods(), log);

  jobs.on((event, job) => (event === 'deleted' ? jobRunner.forget(job) : jobRunner.observe(job)));
  deployments.on((event, deployment) =>
    event === 'deleted' ? deploymentRunner.forget(deployment) : deploymentRunner.observe(deployment),
  );
  services.on((event, service) => {
    if (event === 'deleted') {
      proxies.forget(service);
      scrapeTargets.refresh();
    } else
      proxies
        .observe(service)
        .catch((error: unknown) => log.warn('service proxy failed', { error }))
        .then(() => scrapeTargets.refresh());
  });
  await Promise.all([jobs.start(), deployments.start(), services.start()]);
  log.info('local runner watching', { namespace: namespace ?? '(all)', workspace: workspace.root });

  return {
    async stop() {
      await Promise.all([jobs.stop(), deployments.stop(), services.stop()]);
      jobRunner.stop();
      await deploymentRunner.stop();
      scrapeTargets.stop();
      await proxies.stop();
    },
  };
}
