import { expect, test, vi } from 'vitest';
import { InvalidSpec } from '../resources/validate.js';
import { validSpec } from './valid-spec.js';

test('a valid spec is returned and nothing is recorded', async () => {
  const invalid = vi.fn(async () => undefined);
  expect(await validSpec({ replicas: 2 }, (raw) => raw as { replicas: number }, invalid)).toEqual({
    replicas: 2,
  });
  expect(invalid).not.toHaveBeenCalled();
});

test('an invalid spec is recorded with the reason and gives undefined', async () => {
  const invalid = vi.fn(async (_message: string) => undefined);
  const refuse = () => {
    throw new InvalidSpec('spec.replicas must be between 0 and 100');
  };
  expect(await validSpec({}, refuse, invalid)).toBeUndefined();
  expect(invalid).toHaveBeenCalledWith('spec.replicas must be between 0 and 100');
});

test('any other error is not a verdict on the spec: it is thrown, nothing recorded', async () => {
  const invalid = vi.fn(async () => undefined);
  const broken = () => {
    throw new TypeError('bug');
  };
  await expect(validSpec({}, broken, invalid)).rejects.toThrow(TypeError);
  expect(invalid).not.toHaveBeenCalled();
});
