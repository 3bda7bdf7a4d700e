import { describe, expect, it } from 'vitest';
import { minimizeLbfgs } from './lbfgs.js';

const options = {
  maxIterations: 500,
  gradientTolerance: 1e-10,
  lossTolerance: 0,
  memory: 10,
  maxLineSearchSteps: 50,
};

describe('minimizeLbfgs', () => {
  it('finds the minimum of the Rosenbrock function', () => {
    const result = minimizeLbfgs(
      (x, gradient) => {
        const [a, b] = [x[0] as number, x[1] as number];
        gradient[0] = -2 * (1 - a) - 400 * a * (b - a * a);
        gradient[1] = 200 * (b - a * a);
        return (1 - a) ** 2 + 100 * (b - a * a) ** 2;
      },
      Float64Array.from([-1.2, 1]),
      options,
    );
    expect(result.stopReason).toBe('gradient tolerance');
    expect(result.x[0]).toBeCloseTo(1, 6);
    expect(result.x[1]).toBeCloseTo(1, 6);
  });

  it('reports every iteration and is deterministic', () => {
    const losses: number[][] = [[], []];
    for (const run of [0, 1]) {
      minimizeLbfgs(
        (x, gradient) => {
          let loss = 0;
          x.forEach((value, i) => {
            loss += (i + 1) * (value - i) ** 2;
            gradient[i] = 2 * (i + 1) * (value - i);
          });
          return loss;
        },
        new Float64Array(20),
        { ...options, onIteration: ({ loss }) => losses[run]?.push(loss) },
      );
    }
    expect(losses[0]?.length).toBeGreaterThan(1);
    expect(losses[0]).toEqual(losses[1]);
  });
});
