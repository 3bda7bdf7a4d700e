import { describe, expect, test } from 'vitest';
import { renewalTimeLeft } from './leader-election.js';

describe('renewalTimeLeft', () => {
  test('counts the renew deadline from the start of the last successful renewal', () => {
    expect(renewalTimeLeft(1_000, 1_000, 10_000)).toBe(10_000);
    expect(renewalTimeLeft(1_000, 8_500, 10_000)).toBe(2_500);
  });

  test('is nothing or less once the deadline has passed: leadership is lost', () => {
    expect(renewalTimeLeft(1_000, 11_000, 10_000)).toBe(0);
    expect(renewalTimeLeft(1_000, 40_000, 10_000)).toBeLessThan(0);
  });
});
