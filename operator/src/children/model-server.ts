import type { V1ServiceSpec } from '@kubernetes/client-node';
import { containerResources } from '@prodclass/api';
import { labels } from '@prodclass/kube/labels';
import type { KubeObject, OwnerReference } from '@prodclass/kube/objects';
import type { Deployment } from '@prodclass/kube/workloads';
import { formatModelUri } from '@prodclass/registry/model-uri';
import type { ResourceRequirements } from '../resources/types.js';
import type { PipelineSettings } from './jobs.js';
import { childName, managedLabels } from './names.js';
import { restrictedContainer, restrictedPod } from './security.js';

export type Track = 'primary' | 'canary';

/** The pod-template annotation that names the model version a track serves; changing it rolls the pods. */
export const modelVersionAnnotation = 'mlops.prodclass.dev/model-version';
export const serverPort = 8000;
const spoolVolume = 'inference-log-spool';
const spoolPath = '/var/spool/inference-log';
/** Room over the spool's size, which it never passes, for the filesystem's blocks: a full emptyDir evicts the pod. */
const spoolVolumeMarginMebibytes = 16;

const scrapeAnnotations = {
  'prometheus.io/scrape': 'true',
  'prometheus.io/port': String(serverPort),
  'prometheus.io/path': '/metrics',
};

/** The candidate model a primary track's servers load beside their own (docs/operator.md#progressive-delivery). */
export interface CandidateTraffic {
  version: string;
  /** The alias the candidate version was resolved through, when it follows one. */
  alias?: string;
  /** Percent of products the servers route to the candidate (0 when an HTTPRoute splits instead). */
  canaryWeight: number;
  shadowPercent: number;
  /** Rollout drills: milliseconds the servers delay each answer the candidate gives (0: none). */
  delayMs?: number;
}

/** The pod-template annotation that names the candidate version the primary pods load. */
export const candidateVersionAnnotation = 'mlops.prodclass.dev/candidate-version';

function candidateEnv(registeredModel: string, candidate: CandidateTraffic) {
  return [
    {
      name: 'CANDIDATE_MODEL_URI',
      value: formatModelUri({ kind: 'version', name: registeredModel, version: candidate.version }),
    },
    ...(candidate.alias ? [{ name: 'CANDIDATE_MODEL_ALIAS', value: candidate.alias }] : []),
    { name: 'CANARY_WEIGHT', value: String(candidate.canaryWeight) },
    { name: 'SHADOW_PERCENT', value: String(candidate.shadowPercent) },
    ...(candidate.delayMs ? [{ name: 'CANDIDATE_DELAY_MS', value: String(candidate.delayMs) }] : []),
  ];
}

export interface TrackSpec {
  service: string;
  namespace: string;
  owner: OwnerReference;
  track: Track;
  registeredModel: string;
  version: string;
  /** The alias the version was resolved through, when the track follows one. */
  alias?: string;
  replicas: number;
  resources?: ResourceRequirements;
  /** Spread the pods over nodes (a track that always runs two or more). */
  spread: boolean;
  /** A candidate model the track's servers load too, for a weighted canary or shadow traffic. */
  candidate?: CandidateTraffic;
}

export const deploymentName = (service: string, track: Track) => childName(service, track);

/** The labels that select one track's pods. */
export const trackSelector = (service: string, track: Track) => ({
  [labels.instance]: service,
  [labels.component]: 'model-server',
  [labels.track]: track,
});

/** The same as a label selector string (a scale subresource's status.selector). */
export const trackSelectorText = (service: string, track: Track) =>
  Object.entries(trackSelector(service, track))
    .map(([key, value]) => `${key}=${value}`)
    .join(',');

/** The labels on a track's Deployment and the objects that act on it. */
export const trackLabels = (service: string, track: Track) => ({
  ...managedLabels('model-server', service),
  [labels.track]: track,
});

/**
 * One track's Deployment: model servers pinned to one version (`models:/NAME/VERSION`), so a new
 * version is an ordinary rolling update that keeps every old pod until a new one is ready.
 */
export function trackDeployment(settings: PipelineSettings, track: TrackSpec): Deployment {
  const common = managedLabels('model-server', track.service);
  const selector = trackSelector(track.service, track.track);
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: deploymentName(track.service, track.track),
      namespace: track.namespace,
      labels: trackLabels(track.service, track.track),
      ownerReferences: [track.owner],
    },
    spec: {
      replicas: track.replicas,
      selector: { matchLabels: selector },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      template: {
        metadata: {
          labels: { ...common, ...selector },
          annotations: {
            [modelVersionAnnotation]: track.version,
            ...(track.candidate ? { [candidateVersionAnnotation]: track.candidate.version } : {}),
            ...scrapeAnnotations,
          },
        },
        spec: {
          ...restrictedPod,
          // Inference-log rows wait here while PostgreSQL is away; it outlives a container restart, not the pod.
          volumes: [
            ...(restrictedPod.volumes ?? []),
            {
              name: spoolVolume,
              emptyDir: { sizeLimit: `${settings.modelServerSpoolMebibytes + spoolVolumeMarginMebibytes}Mi` },
            },
          ],
          ...(track.spread
            ? {
                topologySpreadConstraints: [
                  {
                    maxSkew: 1,
                    topologyKey: 'kubernetes.io/hostname',
                    whenUnsatisfiable: 'ScheduleAnyway',
                    labelSelector: { matchLabels: selector },
                  },
                ],
              }
            : {}),
          containers: [
            {
              ...restrictedContainer,
              volumeMounts: [
                ...(restrictedContainer.volumeMounts ?? []),
                { name: spoolVolume, mountPath: spoolPath },
              ],
              name: 'model-server',
              image: settings.modelServerImage,
              ports: [{ name: 'http', containerPort: serverPort }],
              env: [
                {
                  name: 'MODEL_URI',
                  value: formatModelUri({
                    kind: 'version',
                    name: track.registeredModel,
                    version: track.version,
                  }),
                },
                ...(track.alias ? [{ name: 'MODEL_ALIAS', value: track.alias }] : []),
                ...(track.candidate ? candidateEnv(track.registeredModel, track.candidate) : []),
                { name: 'PORT', value: String(serverPort) },
                { name: 'HOST', value: '0.0.0.0' },
                { name: 'INFERENCE_LOG_SPOOL_DIR', value: spoolPath },
                {
                  name: 'INFERENCE_LOG_SPOOL_BYTES',
                  value: String(settings.modelServerSpoolMebibytes * 1024 * 1024),
                },
              ],
              envFrom: [{ secretRef: { name: settings.pipelineSecret } }],
              readinessProbe: { httpGet: { path: '/ready', port: 'http' }, periodSeconds: 5 },
              livenessProbe: { httpGet: { path: '/health', port: 'http' }, periodSeconds: 20 },
              resources: containerResources(track.resources),
            },
          ],
        },
      },
    },
  };
}

type Service = KubeObject & { spec: V1ServiceSpec };

/**
 * The Service in front of both tracks: traffic splits by ready pods, as without a service mesh.
 * With `track`, it selects that track's pods alone (when an HTTPRoute does the split).
 */
export function predictionService(
  service: string,
  namespace: string,
  owner: OwnerReference,
  track?: Track,
): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: service,
      namespace,
      labels: managedLabels('model-server', service),
      annotations: scrapeAnnotations,
      ownerReferences: [owner],
    },
    spec: {
      selector: track
        ? trackSelector(service, track)
        : { [labels.instance]: service, [labels.component]: 'model-server' },
      ports: [{ name: 'http', port: 80, targetPort: 'http' }],
    },
  };
}

/** The candidate track's own Service, the HTTPRoute's second backend. */
export const candidateServiceName = (service: string) => childName(service, 'canary');

export function candidateService(service: string, namespace: string, owner: OwnerReference): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: candidateServiceName(service),
      namespace,
      labels: trackLabels(service, 'canary'),
      ownerReferences: [owner],
    },
    spec: {
      selector: trackSelector(service, 'canary'),
      ports: [{ name: 'http', port: 80, targetPort: 'http' }],
    },
  };
}

export interface GatewayParent {
  name: string;
  namespace?: string;
  sectionName?: string;
}

/**
 * A Gateway API HTTPRoute (gateway.networking.k8s.io/v1) named like the service: every request
 * through the parent Gateways goes to the primary Service or the candidate's in proportion to the
 * weights (100 − canaryWeight and canaryWeight).
 */
export function weightedRoute(
  service: string,
  namespace: string,
  owner: OwnerReference,
  parentRefs: readonly GatewayParent[],
  canaryWeight: number,
): KubeObject & { spec: Record<string, unknown> } {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: {
      name: service,
      namespace,
      labels: managedLabels('model-server', service),
      ownerReferences: [owner],
    },
    spec: {
      parentRefs: parentRefs.map((parent) => ({
        group: 'gateway.networking.k8s.io',
        kind: 'Gateway',
        ...parent,
      })),
      rules: [
        {
          backendRefs: [
            { group: '', kind: 'Service', name: service, port: 80, weight: 100 - canaryWeight },
            {
              group: '',
              kind: 'Service',
              name: candidateServiceName(service),
              port: 80,
              weight: canaryWeight,
            },
          ],
        },
      ],
    },
  };
}

/**
 * Under an autoscaler: whether every pod of the Deployment runs `version` with at least `minReplicas`
 * ready, however many the autoscaler is adding or removing (a scale is not a rollout).
 */
export function rolledOutScaled(deployment: Deployment, version: string, minReplicas: number): boolean {
  const status = deployment.status ?? {};
  return (
    deployment.spec?.template.metadata?.annotations?.[modelVersionAnnotation] === version &&
    (status.observedGeneration ?? 0) >= (deployment.metadata.generation ?? 0) &&
    (status.updatedReplicas ?? 0) >= (status.replicas ?? 0) &&
    (status.readyReplicas ?? 0) >= minReplicas
  );
}

/** Whether a Deployment has fully rolled out `version` with `replicas` ready pods. */
export function rolledOut(deployment: Deployment, version: string, replicas: number): boolean {
  const status = deployment.status ?? {};
  return (
    deployment.spec?.template.metadata?.annotations?.[modelVersionAnnotation] === version &&
    (status.observedGeneration ?? 0) >= (deployment.metadata.generation ?? 0) &&
    (status.updatedReplicas ?? 0) >= replicas &&
    (status.readyReplicas ?? 0) >= replicas &&
    (status.replicas ?? 0) <= replicas
  );
}
