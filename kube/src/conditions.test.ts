import { afterEach, beforeEach, expect, test, vi } from 'vitest';
import { type Condition, conditionOf, timestamp, withCondition, withConditions } from './conditions.js';

const ready = (status: Condition['status'], reason: string): Omit<Condition, 'lastTransitionTime'> => ({
  type: 'Ready',
  status,
  reason,
  message: `${reason} message`,
});

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(new Date('2026-03-01T10:00:00.123Z'));
});
afterEach(() => {
  vi.useRealTimers();
});

test('timestamps are RFC 3339 to the second, as the API server stores them', () => {
  expect(timestamp()).toBe('2026-03-01T10:00:00Z');
  expect(timestamp(new Date('2026-01-02T03:04:05.999Z'))).toBe('2026-01-02T03:04:05Z');
});

test('a new condition is appended with the time now and the generation it was computed for', () => {
  const existing: Condition = { ...ready('True', 'Loaded'), type: 'Loaded', lastTransitionTime: 'earlier' };
  expect(withCondition([existing], ready('False', 'Pending'), 3)).toEqual([
    existing,
    { ...ready('False', 'Pending'), lastTransitionTime: '2026-03-01T10:00:00Z', observedGeneration: 3 },
  ]);
  expect(withCondition(undefined, ready('True', 'Done'), undefined)).toEqual([
    { ...ready('True', 'Done'), lastTransitionTime: '2026-03-01T10:00:00Z', observedGeneration: undefined },
  ]);
});

test('the same status keeps lastTransitionTime; reason, message and observedGeneration follow the update', () => {
  const before: Condition[] = [{ ...ready('False', 'Pending'), lastTransitionTime: '2026-02-01T00:00:00Z' }];
  expect(withCondition(before, ready('False', 'Training'), 2)).toEqual([
    { ...ready('False', 'Training'), lastTransitionTime: '2026-02-01T00:00:00Z', observedGeneration: 2 },
  ]);
});

test('a status change moves lastTransitionTime, in place among the other conditions', () => {
  const before: Condition[] = [
    { ...ready('False', 'Pending'), lastTransitionTime: '2026-02-01T00:00:00Z', observedGeneration: 1 },
    { type: 'Trained', status: 'Unknown', reason: 'Training', message: '', lastTransitionTime: 'then' },
  ];
  const after = withCondition(before, ready('True', 'Succeeded'), 1);
  expect(after.map((condition) => condition.type)).toEqual(['Ready', 'Trained']);
  expect(conditionOf(after, 'Ready')).toEqual({
    ...ready('True', 'Succeeded'),
    lastTransitionTime: '2026-03-01T10:00:00Z',
    observedGeneration: 1,
  });
  expect(conditionOf(after, 'Trained')).toBe(before[1]);
  expect(before[0]?.status).toBe('False');
});

test('updates apply in order: the last update of a type wins, its transition judged from the one before', () => {
  const before: Condition[] = [{ ...ready('False', 'Pending'), lastTransitionTime: '2026-02-01T00:00:00Z' }];
  const after = withConditions(before, [ready('False', 'InvalidSpec'), ready('False', 'Failed')], 4);
  expect(after).toEqual([
    { ...ready('False', 'Failed'), lastTransitionTime: '2026-02-01T00:00:00Z', observedGeneration: 4 },
  ]);
  expect(withConditions(undefined, [], 1)).toEqual([]);
  expect(conditionOf(undefined, 'Ready')).toBeUndefined();
});
