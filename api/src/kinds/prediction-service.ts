import { type Static, Type } from '@sinclair/typebox';
import type { KindDefinition } from '../crd.js';
import { defaultRegisteredModel, predictionServiceDefaults } from '../defaults.js';
import {
  aliasPattern,
  Conditions,
  cel,
  durationPattern,
  Enum,
  ObservedGeneration,
  RegisteredModel,
  ResourceRequirements,
  Timestamp,
} from '../schema.js';

const TrackAlias = (description: string) =>
  Type.String({ description, minLength: 1, maxLength: 255, pattern: aliasPattern });

/** The per-pod metric a metrics adapter (such as prometheus-adapter) serves for requests per second. */
export const requestsPerSecondMetric = 'prodclass_prediction_requests_per_second';

const Autoscaling = Type.Object(
  {
    minReplicas: Type.Integer({
      description: 'Fewest replicas of each track.',
      default: predictionServiceDefaults.autoscalingMinReplicas,
      minimum: 1,
      maximum: 100,
    }),
    maxReplicas: Type.Integer({ description: 'Most replicas of each track.', minimum: 1, maximum: 100 }),
    targetCPUUtilization: Type.Optional(
      Type.Integer({
        description:
          'Average CPU use to keep each track at, in percent of the CPU request (needs resources.requests.cpu and metrics-server).',
        minimum: 1,
        maximum: 1000,
      }),
    ),
    targetRequestsPerSecond: Type.Optional(
      Type.Integer({
        description: `Prediction requests per second to keep each pod at, read from the Pods metric ${requestsPerSecondMetric} (needs a metrics adapter such as prometheus-adapter).`,
        minimum: 1,
      }),
    ),
  },
  {
    description:
      'Scale each track (primary and canary) with a HorizontalPodAutoscaler between minReplicas and maxReplicas. When set, replicas and canary.replicas are ignored. With both targets the HPA follows whichever asks for more replicas.',
    ...cel(
      { rule: 'self.minReplicas <= self.maxReplicas', message: 'minReplicas must not exceed maxReplicas' },
      {
        rule: 'has(self.targetCPUUtilization) || has(self.targetRequestsPerSecond)',
        message: 'autoscaling needs targetCPUUtilization, targetRequestsPerSecond or both',
      },
    ),
  },
);

const kubernetesName = (description: string) =>
  Type.String({
    description,
    minLength: 1,
    maxLength: 253,
    pattern: '^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$',
  });

const Traffic = Type.Object(
  {
    candidate: Type.Object(
      {
        alias: Type.Optional(TrackAlias('Registry alias the candidate follows.')),
        version: Type.Optional(Type.Integer({ description: 'Candidate model version.', minimum: 1 })),
      },
      {
        description: 'The candidate model: exactly one of alias and version.',
        ...cel({
          rule: 'has(self.alias) != has(self.version)',
          message: 'traffic.candidate needs exactly one of alias and version',
        }),
      },
    ),
    canaryWeight: Type.Integer({
      description:
        'Percent of products the candidate answers, chosen by a stable hash of the request’s productid (a random key without one): the share holds whatever the replica counts and a product always gets the same version.',
      default: 0,
      minimum: 0,
      maximum: 100,
    }),
    shadowPercent: Type.Integer({
      description:
        'Percent of the requests the primary answers that the candidate also predicts, off the request path; its predictions go to the inference log as shadow rows, never to the caller.',
      default: 0,
      minimum: 0,
      maximum: 100,
    }),
    gateway: Type.Optional(
      Type.Object(
        {
          parentRefs: Type.Array(
            Type.Object(
              {
                name: kubernetesName('Gateway name.'),
                namespace: Type.Optional(kubernetesName('Gateway namespace (default: the service’s).')),
                sectionName: Type.Optional(kubernetesName('Listener of the Gateway.')),
              },
              { description: 'A Gateway the HTTPRoute attaches to.' },
            ),
            { description: 'The Gateways the HTTPRoute attaches to.', minItems: 1, maxItems: 32 },
          ),
          candidateReplicas: Type.Integer({
            description: 'Replicas of the candidate track the HTTPRoute sends canaryWeight percent to.',
            default: predictionServiceDefaults.canaryReplicas,
            minimum: 1,
            maximum: 100,
          }),
        },
        {
          description:
            'Split canary traffic with a Gateway API HTTPRoute (gateway.networking.k8s.io/v1) instead of in the model server: the candidate runs as the canary track with its own Service `NAME-canary`, the Service `NAME` selects the primary track only, and an HTTPRoute `NAME` attached to these Gateways has the two as weighted backendRefs. The Gateway picks a backend per request, so a product does not stick to one version. Shadow traffic stays in the primary pods.',
        },
      ),
    ),
  },
  {
    description:
      'A candidate model beside the primary for a progressive rollout: a weighted canary and shadow traffic. Without gateway, the primary pods load the candidate too and route in process (no extra hop).',
  },
);

export const PredictionServiceSpec = Type.Object(
  {
    registeredModel: RegisteredModel({
      description: 'MLflow registered model to serve.',
      default: defaultRegisteredModel,
    }),
    alias: Type.Optional(
      TrackAlias(
        'Registry alias the primary track follows; when it moves, the track rolls out the new version. Used when version is not set, with production as the default.',
      ),
    ),
    version: Type.Optional(
      Type.Integer({
        description: 'Model version pinned on the primary track, instead of an alias.',
        minimum: 1,
      }),
    ),
    replicas: Type.Integer({
      description:
        'Replicas of the primary track, ignored when autoscaling is set (the scale subresource sets this field).',
      default: predictionServiceDefaults.replicas,
      minimum: 0,
      maximum: 100,
    }),
    resources: Type.Optional(
      ResourceRequirements('CPU and memory of each model-server container (core ResourceRequirements).'),
    ),
    canary: Type.Optional(
      Type.Object(
        {
          alias: Type.Optional(TrackAlias('Registry alias the canary track follows.')),
          version: Type.Optional(
            Type.Integer({ description: 'Model version pinned on the canary track.', minimum: 1 }),
          ),
          replicas: Type.Integer({
            description: 'Replicas of the canary track, ignored when autoscaling is set.',
            default: predictionServiceDefaults.canaryReplicas,
            minimum: 1,
            maximum: 100,
          }),
        },
        {
          description:
            'A second track serving another version or alias behind the same Service; traffic splits in proportion to the ready pods of each track. Remove it to end the canary.',
          ...cel({
            rule: 'has(self.alias) != has(self.version)',
            message: 'canary needs exactly one of alias and version',
          }),
        },
      ),
    ),
    autoscaling: Type.Optional(Autoscaling),
    liveQuality: Type.Object(
      {
        window: Type.String({
          description:
            'How far back status.liveQuality looks, ending at the latest computation (m, h or d; rounded out to whole UTC hours).',
          default: predictionServiceDefaults.liveQualityWindow,
          pattern: durationPattern,
        }),
      },
      {
        description:
          "The live quality the operator reports in status.liveQuality and its metrics: the served versions' predictions over the window against their labels (docs/quality.md).",
        default: {},
      },
    ),
    traffic: Type.Optional(Traffic),
  },
  {
    description: 'Which model to serve, from which version or alias, and with how many replicas.',
    ...cel(
      {
        rule: '!(has(self.alias) && has(self.version))',
        message: 'set at most one of alias and version (neither means the alias production)',
      },
      {
        rule: "!has(self.autoscaling) || !has(self.autoscaling.targetCPUUtilization) || (has(self.resources) && has(self.resources.requests) && 'cpu' in self.resources.requests)",
        message:
          'autoscaling.targetCPUUtilization needs resources.requests.cpu (utilisation is a share of the request)',
      },
      {
        rule: '!(has(self.canary) && has(self.traffic))',
        message: 'set at most one of canary (split by ready pods) and traffic (split by weight)',
      },
    ),
  },
);
export type PredictionServiceSpec = Static<typeof PredictionServiceSpec>;

const Ratio = (description: string) => Type.Optional(Type.Number({ description, minimum: 0, maximum: 1 }));

export const LiveQualityOfVersion = Type.Object({
  modelVersion: Type.String({ description: 'The model version.' }),
  track: Enum(['primary', 'canary', 'candidate'], {
    description:
      "The track that serves it (candidate: spec.traffic's candidate, answering its canaryWeight in the primary pods).",
  }),
  served: Type.Integer({ description: 'Predictions of the version logged in the window.' }),
  labeled: Type.Integer({ description: 'Of them, those with a label.' }),
  coverage: Type.Number({ description: 'labeled / served (0 when nothing was served).' }),
  accuracy: Ratio('Share of the labeled predictions that were right (absent without labels).'),
  weightedF1: Ratio("F1 per class weighted by each class's labeled count (absent without labels)."),
  labelLagP50Seconds: Type.Optional(
    Type.Number({ description: 'Median time from prediction to label, in seconds (absent without labels).' }),
  ),
  estimatedAccuracy: Ratio(
    'Mean calibrated confidence of the served predictions: the accuracy estimated without labels (absent for a version trained before calibration, or that served nothing).',
  ),
  testAccuracy: Ratio("The version's accuracy on its held-out test set (MLflow metric test_accuracy)."),
});
export type LiveQualityOfVersion = Static<typeof LiveQualityOfVersion>;

export const PredictionServiceStatus = Type.Object(
  {
    servedVersion: Type.Optional(
      Type.String({ description: 'Model version the primary track has fully rolled out.' }),
    ),
    canaryVersion: Type.Optional(
      Type.String({ description: 'Model version the canary track has fully rolled out.' }),
    ),
    candidateVersion: Type.Optional(
      Type.String({
        description:
          "Model version of spec.traffic's candidate that the pods load (or the candidate track serves), once rolled out.",
      }),
    ),
    readyReplicas: Type.Optional(
      Type.Integer({ description: 'Ready model-server replicas over both tracks.' }),
    ),
    replicas: Type.Optional(
      Type.Integer({
        description: 'Model-server pods of the primary track (the scale subresource reads it).',
      }),
    ),
    selector: Type.Optional(
      Type.String({
        description: "Label selector of the primary track's pods (the scale subresource reads it).",
      }),
    ),
    url: Type.Optional(Type.String({ description: 'In-cluster address of the Service.' })),
    rollout: Type.Optional(
      Type.Object(
        {
          modelPromotion: Type.String({
            description:
              'The Progressive ModelPromotion (same namespace) whose step sets the candidate traffic.',
          }),
          step: Type.String({ description: 'Its step (shadow, approval, canary or full).' }),
          candidateVersion: Type.String({ description: 'The version it rolls out.' }),
          canaryWeight: Type.Integer({ description: 'Percent of products the candidate answers.' }),
          shadowPercent: Type.Integer({ description: 'Percent of requests mirrored to the candidate.' }),
        },
        {
          description:
            'The rollout that drives the candidate traffic of a service following the promotion’s model and alias without spec.traffic or spec.canary of its own.',
        },
      ),
    ),
    liveQuality: Type.Optional(
      Type.Object(
        {
          window: Type.String({ description: 'spec.liveQuality.window as computed.' }),
          from: Timestamp('Start of the window, rounded down to a whole UTC hour.'),
          to: Timestamp('End of the window, rounded up to a whole UTC hour.'),
          observedTime: Timestamp('When it was computed.'),
          versions: Type.Array(LiveQualityOfVersion, {
            description: 'One entry per version a track serves.',
            maxItems: 2,
          }),
        },
        {
          description:
            'Live quality of the served versions: their predictions in the window against their labels, recomputed every LIVE_QUALITY_SECONDS (docs/quality.md).',
        },
      ),
    ),
    observedGeneration: Type.Optional(ObservedGeneration),
    conditions: Type.Optional(
      Conditions(
        'Ready (from ModelResolved, PrimaryReady and CanaryReady), ModelResolved, PrimaryReady, CanaryReady and, with spec.traffic.gateway, TrafficRouted, in the metav1.Condition shape.',
      ),
    ),
  },
  { description: 'What is served, and whether it is ready.' },
);
export type PredictionServiceStatus = Static<typeof PredictionServiceStatus>;

export const predictionService: KindDefinition = {
  kind: 'PredictionService',
  plural: 'predictionservices',
  shortNames: ['psvc'],
  description:
    'PredictionService serves a registered model over HTTP: a Deployment per track (primary and an optional canary) running the model server, and one Service in front of both, scraped by Prometheus. A track that follows an alias rolls out the new version when the alias moves.',
  spec: PredictionServiceSpec,
  status: PredictionServiceStatus,
  scale: {
    specReplicasPath: '.spec.replicas',
    statusReplicasPath: '.status.replicas',
    labelSelectorPath: '.status.selector',
  },
  printerColumns: [
    { name: 'Model', type: 'string', jsonPath: '.spec.registeredModel' },
    {
      name: 'Served',
      type: 'string',
      description: 'Model version the primary track serves',
      jsonPath: '.status.servedVersion',
    },
    {
      name: 'Canary',
      type: 'string',
      description: 'Model version the canary track serves',
      jsonPath: '.status.canaryVersion',
    },
    { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
    {
      name: 'Replicas',
      type: 'integer',
      description: 'Ready replicas over both tracks',
      jsonPath: '.status.readyReplicas',
    },
    {
      name: 'Live-Acc',
      type: 'number',
      description: "Live accuracy of the primary track's version over spec.liveQuality.window",
      jsonPath: '.status.liveQuality.versions[?(@.track=="primary")].accuracy',
    },
    { name: 'URL', type: 'string', jsonPath: '.status.url' },
  ],
};
