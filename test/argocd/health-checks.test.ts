import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { repoRoot } from '../../stack/paths.js';
import {
  deleteNamespace,
  freshNamespace,
  installCrds,
  type KubeObject,
  kubectl,
  parseManifests,
} from '../helm/support/commands.js';
import { healthCheckFile } from './support/health-check-files.js';
import { runHealthCheck } from './support/lua.js';

// Each case: a sample of manifests/samples created in the API server, its status written through
// the status subresource as the operator writes it (so the CRD validates it), read back, and given
// to the kind's Lua health check run by lua5.4.
type Kind =
  | 'DataIncrement'
  | 'TrainingRun'
  | 'ModelPromotion'
  | 'PredictionService'
  | 'RetrainSchedule'
  | 'DriftMonitor'
  | 'DriftAcknowledgement';
const checkOf = (kind: Kind) => path.join(repoRoot, 'manifests/argocd/health', healthCheckFile(kind));
const samplesDir = path.join(repoRoot, 'manifests/samples');
/** The first sample of `kind` in manifests/samples. */
function sampleOf(kind: Kind): KubeObject {
  const samples = fs
    .readdirSync(samplesDir)
    .sort()
    .flatMap((file) => parseManifests(fs.readFileSync(path.join(samplesDir, file), 'utf8')));
  const sample = samples.find((candidate) => candidate.kind === kind);
  if (!sample) throw new Error(`manifests/samples has no ${kind}`);
  return sample;
}

const condition = (type: string, status: 'True' | 'False' | 'Unknown', reason: string, message: string) => ({
  type,
  status,
  reason,
  message,
  lastTransitionTime: '2026-01-05T10:00:00Z',
  observedGeneration: 1,
});

interface Case {
  kind: Kind;
  state: string;
  status?: Record<string, unknown>;
  /** A merge patch of the spec after the status is written (a change the operator has not seen yet). */
  specChange?: Record<string, unknown>;
  health: string;
  message?: string;
}

const cases: Case[] = [
  { kind: 'DataIncrement', state: 'new', health: 'Progressing' },
  {
    kind: 'DataIncrement',
    state: 'loading',
    status: {
      phase: 'Running',
      observedGeneration: 1,
      conditions: [
        condition('Loaded', 'Unknown', 'Loading', 'waiting for Job initial-40pct-load'),
        condition('Ready', 'False', 'Loading', 'waiting for Job initial-40pct-load'),
      ],
    },
    health: 'Progressing',
    message: 'Loading: waiting for Job initial-40pct-load',
  },
  {
    kind: 'DataIncrement',
    state: 'loaded',
    status: {
      phase: 'Succeeded',
      observedGeneration: 1,
      conditions: [condition('Ready', 'True', 'Succeeded', 'load initial-40pct completed')],
    },
    health: 'Healthy',
  },
  {
    kind: 'DataIncrement',
    state: 'failed',
    status: {
      phase: 'Failed',
      observedGeneration: 1,
      conditions: [
        condition('Ready', 'False', 'Failed', 'Job initial-40pct-load failed: BackoffLimitExceeded'),
      ],
    },
    health: 'Degraded',
    message: 'Failed: Job initial-40pct-load failed: BackoffLimitExceeded',
  },
  {
    kind: 'TrainingRun',
    state: 'waiting for data',
    status: {
      phase: 'Pending',
      observedGeneration: 1,
      conditions: [
        condition('DataReady', 'False', 'DataIncrementNotReady', 'initial-40pct has not succeeded yet'),
        condition('Ready', 'False', 'WaitingForData', 'initial-40pct has not succeeded yet'),
      ],
    },
    health: 'Progressing',
  },
  {
    kind: 'TrainingRun',
    state: 'training',
    status: {
      phase: 'Running',
      observedGeneration: 1,
      conditions: [condition('Ready', 'False', 'Training', 'waiting for Job train-initial-40pct-train')],
    },
    health: 'Progressing',
  },
  {
    kind: 'TrainingRun',
    state: 'trained and promoted',
    status: {
      phase: 'Succeeded',
      observedGeneration: 1,
      modelVersion: '3',
      conditions: [condition('Ready', 'True', 'Promoted', 'v3 is rakuten_classifier@production')],
    },
    health: 'Healthy',
  },
  {
    kind: 'TrainingRun',
    state: 'failed',
    status: {
      phase: 'Failed',
      observedGeneration: 1,
      conditions: [condition('Ready', 'False', 'Failed', 'Job train-initial-40pct-train failed')],
    },
    health: 'Degraded',
  },
  {
    kind: 'TrainingRun',
    state: 'status without observedGeneration',
    status: { phase: 'Succeeded' },
    health: 'Progressing',
    message: 'Waiting for the operator to observe generation 1',
  },
  {
    kind: 'ModelPromotion',
    state: 'promoting',
    status: {
      phase: 'Pending',
      observedGeneration: 1,
      conditions: [condition('Ready', 'False', 'Promoting', 'moving rakuten_classifier@production to v1')],
    },
    health: 'Progressing',
  },
  {
    kind: 'ModelPromotion',
    state: 'promoted',
    status: {
      phase: 'Succeeded',
      observedGeneration: 1,
      promotedAt: '2026-01-05T10:00:00Z',
      conditions: [condition('Ready', 'True', 'Promoted', 'rakuten_classifier@production: unset → v1')],
    },
    health: 'Healthy',
    message: 'Promoted: rakuten_classifier@production: unset → v1',
  },
  {
    kind: 'ModelPromotion',
    state: 'awaiting approval',
    status: {
      phase: 'AwaitingApproval',
      observedGeneration: 1,
      evidence: {
        offline: { decision: 'promote', candidateF1: 0.81, championVersion: '3', championF1: 0.78 },
      },
      conditions: [
        condition('Approved', 'Unknown', 'AwaitingApproval', 'waiting for a person allowed to approve'),
        condition('Ready', 'Unknown', 'AwaitingApproval', 'waiting for a person allowed to approve'),
      ],
    },
    health: 'Suspended',
    message: 'AwaitingApproval: waiting for a person allowed to approve',
  },
  {
    kind: 'ModelPromotion',
    state: 'in a Progressive rollout step',
    status: {
      phase: 'Progressing',
      observedGeneration: 1,
      rollout: {
        step: { name: 'canary', index: 1, shadowPercent: 0, canaryWeight: 10 },
        stepStartedAt: '2026-01-05T10:10:00Z',
        startedAt: '2026-01-05T10:00:00Z',
        championVersion: '3',
        candidateVersion: '4',
      },
      conditions: [
        condition('Progressing', 'True', 'WaitingForRequests', 'canary 10%: 120 of 500 candidate answers'),
        condition('Ready', 'False', 'Progressing', 'canary 10%: 120 of 500 candidate answers'),
      ],
    },
    health: 'Progressing',
    message: 'Progressing: canary 10%: 120 of 500 candidate answers',
  },
  {
    kind: 'ModelPromotion',
    state: 'a Progressive rollout stopped by its analysis',
    status: {
      phase: 'Failed',
      observedGeneration: 1,
      conditions: [
        condition(
          'Ready',
          'False',
          'AnalysisFailed',
          'shadow 100%: agreement 0.41 < 0.80 over 2,310 shadow requests; the alias stays at v3',
        ),
      ],
    },
    health: 'Degraded',
    message:
      'AnalysisFailed: shadow 100%: agreement 0.41 < 0.80 over 2,310 shadow requests; the alias stays at v3',
  },
  {
    kind: 'ModelPromotion',
    state: 'rejected',
    status: {
      phase: 'Failed',
      observedGeneration: 1,
      approval: { rejectedBy: 'alice', rejectedAt: '2026-01-05T10:00:00Z' },
      conditions: [condition('Ready', 'False', 'Rejected', 'rejected by alice')],
    },
    health: 'Degraded',
    message: 'Rejected: rejected by alice',
  },
  {
    kind: 'ModelPromotion',
    state: 'version not found',
    status: {
      phase: 'Failed',
      observedGeneration: 1,
      conditions: [condition('Ready', 'False', 'VersionNotFound', 'rakuten_classifier has no version 1')],
    },
    health: 'Degraded',
    message: 'VersionNotFound: rakuten_classifier has no version 1',
  },
  { kind: 'PredictionService', state: 'new', health: 'Progressing' },
  {
    kind: 'PredictionService',
    state: 'rolling out',
    status: {
      observedGeneration: 1,
      conditions: [
        condition('PrimaryReady', 'False', 'RollingOut', 'rolling out v3'),
        condition('Ready', 'False', 'PrimaryNotReady', 'primary rolling out v3'),
      ],
    },
    health: 'Progressing',
  },
  {
    kind: 'PredictionService',
    state: 'ready',
    status: {
      observedGeneration: 1,
      servedVersion: '3',
      readyReplicas: 3,
      conditions: [
        condition('PrimaryReady', 'True', 'RolledOut', 'v3 is served'),
        condition('CanaryReady', 'True', 'RolledOut', 'v1 is served'),
        condition('Ready', 'True', 'Ready', 'serving v3 at http://rakuten-classifier.ns.svc'),
      ],
    },
    health: 'Healthy',
  },
  {
    kind: 'PredictionService',
    state: 'alias missing',
    status: {
      observedGeneration: 1,
      conditions: [
        condition(
          'ModelResolved',
          'False',
          'AliasNotFound',
          'rakuten_classifier@production does not exist (yet)',
        ),
        condition('Ready', 'False', 'AliasNotFound', 'rakuten_classifier@production does not exist (yet)'),
      ],
    },
    health: 'Degraded',
    message: 'AliasNotFound: rakuten_classifier@production does not exist (yet)',
  },
  {
    kind: 'PredictionService',
    state: 'invalid spec',
    status: {
      observedGeneration: 1,
      conditions: [condition('Ready', 'False', 'InvalidSpec', 'canary.version 9 is not served')],
    },
    health: 'Degraded',
  },
  {
    kind: 'PredictionService',
    state: 'scaled to zero',
    status: {
      observedGeneration: 1,
      conditions: [
        condition('PrimaryReady', 'False', 'NoReplicas', 'replicas is 0'),
        condition('Ready', 'False', 'PrimaryNotReady', 'primary rolling out v3'),
      ],
    },
    health: 'Suspended',
  },
  {
    kind: 'PredictionService',
    state: 'ready, then its spec changed',
    status: {
      observedGeneration: 1,
      conditions: [condition('Ready', 'True', 'Ready', 'serving v3 at http://rakuten-classifier.ns.svc')],
    },
    specChange: { replicas: 4 },
    health: 'Progressing',
    message: 'Waiting for the operator to observe generation 2',
  },
  { kind: 'DriftMonitor', state: 'new', health: 'Progressing', message: 'Waiting for the first check' },
  {
    kind: 'DriftMonitor',
    state: 'no drift',
    status: {
      observedGeneration: 1,
      severity: 'WARNING',
      lastCheckTime: '2026-01-05T06:00:00Z',
      conditions: [
        condition('Drifted', 'False', 'NoDrift', 'severity WARNING over 900 current and 4000 reference rows'),
        condition('Ready', 'True', 'Checked', 'report 4b7c: severity WARNING'),
      ],
    },
    health: 'Healthy',
  },
  {
    kind: 'DriftMonitor',
    state: 'too little data',
    status: {
      observedGeneration: 1,
      severity: 'OK',
      conditions: [
        condition('InsufficientData', 'True', 'TooFewSamples', 'too few predictions to judge drift'),
        condition('Drifted', 'Unknown', 'InsufficientData', 'too few predictions to judge drift'),
        condition('Ready', 'True', 'InsufficientData', 'too few predictions to judge drift'),
      ],
    },
    health: 'Healthy',
    message: 'InsufficientData: too few predictions to judge drift',
  },
  {
    kind: 'DriftMonitor',
    state: 'drifted',
    status: {
      observedGeneration: 1,
      severity: 'ALERT',
      conditions: [
        condition('Drifted', 'True', 'DriftDetected', 'severity ALERT: text_length psi 0.250 (ALERT)'),
        condition('Ready', 'True', 'Checked', 'report 4b7c: severity ALERT'),
      ],
    },
    health: 'Degraded',
    message: 'DriftDetected: severity ALERT: text_length psi 0.250 (ALERT)',
  },
  {
    kind: 'DriftMonitor',
    state: 'service not serving yet',
    status: {
      observedGeneration: 1,
      conditions: [
        condition('Ready', 'False', 'NoServedVersion', 'PredictionService classifier serves no version yet'),
      ],
    },
    health: 'Progressing',
  },
  {
    kind: 'DriftMonitor',
    state: 'service not found',
    status: {
      observedGeneration: 1,
      conditions: [condition('Ready', 'False', 'TargetNotFound', 'PredictionService classifier not found')],
    },
    health: 'Degraded',
    message: 'TargetNotFound: PredictionService classifier not found',
  },
  { kind: 'DriftAcknowledgement', state: 'new', health: 'Progressing', message: 'Waiting for the operator' },
  {
    kind: 'DriftAcknowledgement',
    state: 'recorded',
    status: {
      observedGeneration: 1,
      phase: 'Recorded',
      acknowledgementId: 7,
      acknowledgedAt: '2026-01-05T10:00:00Z',
      conditions: [
        condition('Recorded', 'True', 'Recorded', 'retrain by alice recorded as acknowledgement 7'),
        condition('Ready', 'True', 'Recorded', 'retrain by alice recorded as acknowledgement 7'),
      ],
    },
    health: 'Healthy',
    message: 'Recorded: retrain by alice recorded as acknowledgement 7',
  },
  {
    kind: 'DriftAcknowledgement',
    state: 'unknown report',
    status: {
      observedGeneration: 1,
      phase: 'Failed',
      conditions: [
        condition('Recorded', 'False', 'ReportNotFound', 'no drift report has id 4b7c2d1e'),
        condition('Ready', 'False', 'ReportNotFound', 'no drift report has id 4b7c2d1e'),
      ],
    },
    health: 'Degraded',
    message: 'ReportNotFound: no drift report has id 4b7c2d1e',
  },
  { kind: 'RetrainSchedule', state: 'new', health: 'Progressing' },
  {
    kind: 'RetrainSchedule',
    state: 'waiting for its first tick',
    status: {
      observedGeneration: 1,
      nextScheduleTime: '2026-01-12T02:00:00Z',
      conditions: [condition('Ready', 'True', 'Scheduled', 'next tick at 2026-01-12T02:00:00Z')],
    },
    health: 'Healthy',
    message: 'Scheduled: next tick at 2026-01-12T02:00:00Z',
  },
  {
    kind: 'RetrainSchedule',
    state: 'running a tick',
    status: {
      observedGeneration: 1,
      lastScheduleTime: '2026-01-12T02:00:00Z',
      nextScheduleTime: '2026-01-19T02:00:00Z',
      active: [
        {
          scheduledTime: '2026-01-12T02:00:00Z',
          dataIncrement: 'weekly-retrain-29470560',
          trainingRun: 'weekly-retrain-29470560',
        },
      ],
      recent: [
        {
          scheduledTime: '2026-01-05T02:00:00Z',
          dataIncrement: 'weekly-retrain-29460480',
          trainingRun: 'weekly-retrain-29460480',
          result: 'Failed',
        },
      ],
      conditions: [condition('Ready', 'True', 'Scheduled', 'next tick at 2026-01-19T02:00:00Z')],
    },
    health: 'Healthy',
    message: 'Running: TrainingRun weekly-retrain-29470560; Scheduled: next tick at 2026-01-19T02:00:00Z',
  },
  {
    kind: 'RetrainSchedule',
    state: 'latest tick failed',
    status: {
      observedGeneration: 1,
      lastScheduleTime: '2026-01-12T02:00:00Z',
      recent: [
        {
          scheduledTime: '2026-01-12T02:00:00Z',
          dataIncrement: 'weekly-retrain-29470560',
          trainingRun: 'weekly-retrain-29470560',
          result: 'Failed',
        },
        {
          scheduledTime: '2026-01-05T02:00:00Z',
          dataIncrement: 'weekly-retrain-29460480',
          trainingRun: 'weekly-retrain-29460480',
          result: 'Succeeded',
          modelVersion: '4',
          promotion: 'promote',
        },
      ],
      conditions: [condition('Ready', 'True', 'Scheduled', 'next tick at 2026-01-19T02:00:00Z')],
    },
    health: 'Degraded',
    message: 'The latest tick failed: TrainingRun weekly-retrain-29470560',
  },
  {
    kind: 'RetrainSchedule',
    state: 'invalid spec',
    status: {
      observedGeneration: 1,
      conditions: [condition('Ready', 'False', 'InvalidSpec', 'spec.schedule: minute: 61 is outside 0-59')],
    },
    health: 'Degraded',
    message: 'InvalidSpec: spec.schedule: minute: 61 is outside 0-59',
  },
  {
    kind: 'RetrainSchedule',
    state: 'suspended',
    // Written as the operator does once it has seen the suspension (generation 2).
    status: {
      observedGeneration: 2,
      conditions: [condition('Ready', 'True', 'Suspended', 'suspended: no tick starts anything')],
    },
    specChange: { suspend: true },
    health: 'Suspended',
  },
  {
    kind: 'RetrainSchedule',
    state: 'scheduled, then its spec changed',
    status: {
      observedGeneration: 1,
      conditions: [condition('Ready', 'True', 'Scheduled', 'next tick at 2026-01-12T02:00:00Z')],
    },
    specChange: { schedule: '0 4 * * mon' },
    health: 'Progressing',
    message: 'Waiting for the operator to observe generation 2',
  },
];

let namespace: string;
beforeAll(async () => {
  await installCrds();
  namespace = await freshNamespace('argocd-health');
});
afterAll(async () => {
  if (namespace) await deleteNamespace(namespace);
});

test.each(cases.map((c, index) => ({ ...c, index })))(
  '$kind $state → $health',
  async ({ kind, status, specChange, health, message, index }) => {
    const sample = sampleOf(kind);
    const name = `${sample.metadata.name}-${index}`;
    await kubectl(['create', '-n', namespace, '-f', '-'], JSON.stringify({ ...sample, metadata: { name } }));
    const resource = `${kind.toLowerCase()}.mlops.prodclass.dev`;
    if (status)
      await kubectl([
        'patch',
        resource,
        name,
        '-n',
        namespace,
        '--subresource=status',
        '--type=merge',
        '-p',
        JSON.stringify({ status }),
      ]);
    if (specChange)
      await kubectl([
        'patch',
        resource,
        name,
        '-n',
        namespace,
        '--type=merge',
        '-p',
        JSON.stringify({ spec: specChange }),
      ]);
    const stored = JSON.parse(await kubectl(['get', resource, name, '-n', namespace, '-o', 'json']));
    const result = await runHealthCheck(checkOf(kind), stored);
    expect(result.status).toBe(health);
    if (message) expect(result.message).toBe(message);
  },
);

test('every kind has a check, and every health state is covered for each kind', () => {
  const kinds: Kind[] = [
    'DataIncrement',
    'TrainingRun',
    'ModelPromotion',
    'PredictionService',
    'RetrainSchedule',
    'DriftMonitor',
    'DriftAcknowledgement',
  ];
  for (const kind of kinds) {
    expect(fs.existsSync(checkOf(kind)), checkOf(kind)).toBe(true);
    const states = new Set(cases.filter((c) => c.kind === kind).map((c) => c.health));
    for (const health of ['Healthy', 'Progressing', 'Degraded'])
      expect(states, `${kind} ${health}`).toContain(health);
  }
});
