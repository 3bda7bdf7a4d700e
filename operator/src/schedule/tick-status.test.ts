import { describe, expect, test } from 'vitest';
import type { DataIncrement, TrainingRun } from '../resources/types.js';
import { historyStatus, stateOf, type Tick } from './tick-status.js';

const run = (phase?: 'Pending' | 'Running' | 'Succeeded' | 'Failed', modelVersion?: string) =>
  ({ status: { phase, modelVersion } }) as TrainingRun;
const increment = (phase?: 'Pending' | 'Running' | 'Succeeded' | 'Failed') =>
  ({ status: { phase } }) as DataIncrement;
const tick = (minute: number, children: Partial<Tick>): Tick => ({
  time: new Date(Date.UTC(2026, 4, 13, 10, minute)),
  name: `weekly-${minute}`,
  ...children,
});

describe('a tick', () => {
  test('is over when its TrainingRun is', () => {
    expect(stateOf(tick(0, { dataIncrement: increment('Succeeded'), trainingRun: run('Running') }))).toBe(
      'Active',
    );
    expect(stateOf(tick(0, { trainingRun: run('Succeeded') }))).toBe('Succeeded');
    expect(stateOf(tick(0, { trainingRun: run('Failed') }))).toBe('Failed');
  });

  test('whose DataIncrement ended without a TrainingRun failed; a load in progress is active', () => {
    expect(stateOf(tick(0, { dataIncrement: increment('Succeeded') }))).toBe('Failed');
    expect(stateOf(tick(0, { dataIncrement: increment('Failed') }))).toBe('Failed');
    expect(stateOf(tick(0, { dataIncrement: increment('Running') }))).toBe('Active');
  });
});

test('history: the kept ticks with their versions, and the latest success even when pruned', () => {
  const succeeded = { ...tick(5, { trainingRun: run('Succeeded', '7') }), result: 'Succeeded' as const };
  const failed = { ...tick(9, { trainingRun: run('Failed') }), result: 'Failed' as const };
  const history = historyStatus(
    { lastSuccessfulTime: '2026-05-13T09:00:00Z' },
    [succeeded, failed],
    [failed],
  );
  expect(history.recent).toEqual([
    {
      scheduledTime: '2026-05-13T10:09:00Z',
      dataIncrement: 'weekly-9',
      trainingRun: 'weekly-9',
      result: 'Failed',
      modelVersion: undefined,
      promotion: undefined,
    },
  ]);
  expect(history.lastSuccessfulTime).toBe('2026-05-13T10:05:00Z');
  expect(
    historyStatus({ lastSuccessfulTime: '2026-05-14T00:00:00Z' }, [succeeded], []).lastSuccessfulTime,
  ).toBe('2026-05-14T00:00:00Z');
});
