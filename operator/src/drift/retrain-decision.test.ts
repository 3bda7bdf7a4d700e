import { describe, expect, test } from 'vitest';
import type { TrainingRun } from '../resources/types.js';
import { newestRetrain, retrainDecision, retrainTimeAnnotation, wantsRetrain } from './retrain-decision.js';

const day = 86_400_000;

test('only drift (ALERT or CRITICAL) on a monitor with onDrift retrain calls for a TrainingRun', () => {
  expect(wantsRetrain({ outcome: 'Checked', severity: 'ALERT' }, { onDrift: 'retrain' })).toBe(true);
  expect(wantsRetrain({ outcome: 'Checked', severity: 'CRITICAL' }, { onDrift: 'retrain' })).toBe(true);
  expect(wantsRetrain({ outcome: 'Checked', severity: 'ALERT' }, { onDrift: 'none' })).toBe(false);
  expect(wantsRetrain({ outcome: 'Checked', severity: 'WARNING' }, { onDrift: 'retrain' })).toBe(false);
  expect(wantsRetrain({ outcome: 'InsufficientData', severity: 'OK' }, { onDrift: 'retrain' })).toBe(false);
});

test('the newest retrain is decided by the annotation, else by creation', () => {
  const run = (name: string, created: string, decided?: string) =>
    ({
      metadata: {
        name,
        creationTimestamp: created,
        ...(decided ? { annotations: { [retrainTimeAnnotation]: decided } } : {}),
      },
    }) as TrainingRun;
  const runs = [
    run('a', '2026-01-05T10:00:00Z', '2026-01-01T00:00:00Z'),
    run('b', '2026-01-03T00:00:00Z'),
    run('c', '2026-01-02T00:00:00Z', '2026-01-02T00:00:00Z'),
  ];
  expect(newestRetrain(runs)?.metadata.name).toBe('b');
  expect(newestRetrain([])).toBeUndefined();
});

describe('cooldown', () => {
  const now = new Date('2026-01-05T10:00:00Z');
  test('the first drift retrains', () => {
    expect(retrainDecision(now, day, [undefined, undefined])).toEqual({ retrain: true });
  });
  test('not again within the cooldown of the later of the status and the newest child', () => {
    expect(retrainDecision(now, day, ['2026-01-04T09:00:00Z', undefined])).toEqual({ retrain: true });
    expect(retrainDecision(now, day, ['2026-01-04T09:00:00Z', '2026-01-05T08:00:00Z'])).toEqual({
      retrain: false,
      until: new Date('2026-01-06T08:00:00Z'),
    });
    expect(retrainDecision(now, day, [undefined, '2026-01-05T09:59:00Z'])).toMatchObject({ retrain: false });
  });
});
