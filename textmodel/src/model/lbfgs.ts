import { lbfgsKernels } from './lbfgs-kernels.js';

/** Writes the gradient at `x` into `gradient` and returns the objective value. */
export type Objective = (x: Float64Array, gradient: Float64Array) => number;

export interface IterationProgress {
  iteration: number;
  loss: number;
  /** Largest absolute gradient component: the stopping criterion. */
  gradientMaxAbs: number;
  /** Objective evaluations so far (line searches may take several per iteration). */
  evaluations: number;
}

export interface LbfgsOptions {
  maxIterations: number;
  /** Stop when every gradient component is at most this in absolute value (scipy's pgtol). */
  gradientTolerance: number;
  /** Stop when the relative loss decrease falls to this (scipy's ftol; scikit-learn uses 64 eps). */
  lossTolerance: number;
  /** Correction pairs kept (scipy's maxcor). */
  memory: number;
  /** Objective evaluations allowed per line search (scikit-learn passes maxls 50). */
  maxLineSearchSteps: number;
  /** Diagonal of an inverse-Hessian estimate, the initial matrix of every two-loop recursion; identity when absent. */
  preconditioner?: Float64Array;
  onIteration?: (progress: IterationProgress) => void;
}

export type StopReason = 'gradient tolerance' | 'loss tolerance' | 'max iterations' | 'line search failed';

export interface LbfgsResult {
  x: Float64Array;
  loss: number;
  iterations: number;
  evaluations: number;
  stopReason: StopReason;
}

// Strong Wolfe conditions: sufficient decrease and curvature (MINPACK-2's defaults used by scipy).
const sufficientDecrease = 1e-3;
const curvature = 0.9;

/** The minimiser of the cubic through (a, fa, da) and (b, fb, db), or the bisection if it is not inside the interval. */
function cubicMinimizer(a: number, fa: number, da: number, b: number, fb: number, db: number): number {
  const d1 = da + db - (3 * (fa - fb)) / (a - b);
  const radicand = d1 * d1 - da * db;
  if (radicand >= 0) {
    const d2 = Math.sign(b - a) * Math.sqrt(radicand);
    const step = b - (b - a) * ((db + d2 - d1) / (db - da + 2 * d2));
    const low = Math.min(a, b);
    const high = Math.max(a, b);
    const margin = 0.1 * (high - low);
    if (Number.isFinite(step) && step > low + margin && step < high - margin) return step;
  }
  return (a + b) / 2;
}

/**
 * Limited-memory BFGS for a smooth unconstrained objective, with a strong-Wolfe line search and
 * the stopping rules of scipy's L-BFGS-B as scikit-learn configures it. Deterministic.
 */
export function minimizeLbfgs(objective: Objective, x0: Float64Array, options: LbfgsOptions): LbfgsResult {
  const n = x0.length;
  const m = options.memory;
  // Every vector lives in one WebAssembly memory for the SIMD kernels, as a byte offset; the
  // kernels step four values at a time over zero padding that stays zero.
  const bytes = Math.ceil(n / 4) * 32;
  const vectorCount = 6 + 2 * m;
  const pages = Math.max(1, Math.ceil((vectorCount * bytes) / 65_536));
  const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
  const kernels = lbfgsKernels(memory, pages);
  const offsetOf = (vector: number) => vector * bytes;
  const view = (offset: number) => new Float64Array(memory.buffer, offset, n);
  const points = [0, 1, 2, 3].map((vector) => view(offsetOf(vector)));
  const evaluate = (point: number, pointGradient: number) =>
    objective(points[point / bytes] as Float64Array, points[pointGradient / bytes] as Float64Array);
  let x = offsetOf(0);
  let gradient = offsetOf(1);
  let trial = offsetOf(2);
  let trialGradient = offsetOf(3);
  const direction = offsetOf(4);
  const preconditioner = offsetOf(5);
  const s = Array.from({ length: m }, (_, pair) => offsetOf(6 + pair));
  const y = Array.from({ length: m }, (_, pair) => offsetOf(6 + m + pair));
  view(x).set(x0);
  if (options.preconditioner) view(preconditioner).set(options.preconditioner);
  else view(preconditioner).fill(1);
  const rho = new Float64Array(m);
  const alpha = new Float64Array(m);
  let stored = 0;
  let newest = -1;
  const result = (loss: number, iterations: number, stopReason: StopReason): LbfgsResult => ({
    x: view(x).slice(),
    loss,
    iterations,
    evaluations,
    stopReason,
  });

  let evaluations = 1;
  let loss = evaluate(x, gradient);
  if (kernels.maxAbs(gradient, bytes) <= options.gradientTolerance)
    return result(loss, 0, 'gradient tolerance');

  const evaluateAt = (step: number): number => {
    kernels.addScaled(trial, x, step, direction, bytes);
    evaluations++;
    return evaluate(trial, trialGradient);
  };

  /** Finds a step satisfying the strong Wolfe conditions; leaves its point in trial / trialGradient. */
  const lineSearch = (initialStep: number, slope0: number): { step: number; loss: number } | null => {
    let previousStep = 0;
    let previousLoss = loss;
    let previousSlope = slope0;
    let step = initialStep;
    let low = 0;
    let high = 0;
    let lowLoss = 0;
    let lowSlope = 0;
    let highLoss = 0;
    let highSlope = 0;
    let bracketed = false;
    for (let attempt = 0; attempt < options.maxLineSearchSteps; attempt++) {
      if (bracketed) {
        step = cubicMinimizer(low, lowLoss, lowSlope, high, highLoss, highSlope);
      }
      const trialLoss = evaluateAt(step);
      const slope = kernels.dot(trialGradient, direction, bytes);
      const armijo = trialLoss <= loss + sufficientDecrease * step * slope0;
      if (!bracketed) {
        if (!armijo || (attempt > 0 && trialLoss >= previousLoss)) {
          [low, lowLoss, lowSlope, high, highLoss, highSlope] = [
            previousStep,
            previousLoss,
            previousSlope,
            step,
            trialLoss,
            slope,
          ];
          bracketed = true;
          continue;
        }
        if (Math.abs(slope) <= -curvature * slope0) return { step, loss: trialLoss };
        if (slope >= 0) {
          [low, lowLoss, lowSlope, high, highLoss, highSlope] = [
            step,
            trialLoss,
            slope,
            previousStep,
            previousLoss,
            previousSlope,
          ];
          bracketed = true;
          continue;
        }
        [previousStep, previousLoss, previousSlope] = [step, trialLoss, slope];
        step *= 4;
        continue;
      }
      if (!armijo || trialLoss >= lowLoss) {
        [high, highLoss, highSlope] = [step, trialLoss, slope];
      } else {
        if (Math.abs(slope) <= -curvature * slope0) return { step, loss: trialLoss };
        if (slope * (high - low) >= 0) [high, highLoss, highSlope] = [low, lowLoss, lowSlope];
        [low, lowLoss, lowSlope] = [step, trialLoss, slope];
      }
      if (Math.abs(high - low) <= 1e-16 * Math.max(1, Math.abs(low))) break;
    }
    return null;
  };

  for (let iteration = 1; iteration <= options.maxIterations; iteration++) {
    // Two-loop recursion, direction = -H * gradient, each update fused with the next dot product
    // (a last update dots with `direction` itself, unused).
    const oldest = (newest - stored + 1 + m) % m;
    kernels.negate(direction, gradient, bytes);
    let sDirection = stored > 0 ? kernels.dot(s[newest] as number, direction, bytes) : 0;
    for (let j = 0, pair = newest; j < stored; j++, pair = (pair - 1 + m) % m) {
      const a = (rho[pair] as number) * sDirection;
      alpha[pair] = a;
      const next = j + 1 < stored ? (s[(pair - 1 + m) % m] as number) : direction;
      sDirection = kernels.addScaledThenDot(direction, -a, y[pair] as number, next, bytes);
    }
    let gamma = 1;
    if (stored > 0) {
      gamma =
        1 /
        ((rho[newest] as number) * kernels.weightedSquaredNorm(y[newest] as number, preconditioner, bytes));
    }
    let yDirection = kernels.scaleThenDot(
      direction,
      gamma,
      preconditioner,
      stored > 0 ? (y[oldest] as number) : direction,
      bytes,
    );
    for (let j = 0, pair = oldest; j < stored; j++, pair = (pair + 1) % m) {
      const b = (rho[pair] as number) * yDirection;
      const next = j + 1 < stored ? (y[(pair + 1) % m] as number) : direction;
      yDirection = kernels.addScaledThenDot(
        direction,
        (alpha[pair] as number) - b,
        s[pair] as number,
        next,
        bytes,
      );
    }
    let slope0 = kernels.dot(gradient, direction, bytes);
    if (!(slope0 < 0)) {
      // Not a descent direction (numerical trouble): restart from steepest descent.
      stored = 0;
      kernels.negate(direction, gradient, bytes);
      slope0 = kernels.dot(gradient, direction, bytes);
    }
    const initialStep = stored === 0 ? 1 / Math.sqrt(kernels.dot(direction, direction, bytes)) : 1;
    const accepted = lineSearch(initialStep, slope0);
    if (!accepted) return result(loss, iteration - 1, 'line search failed');

    const slot = (newest + 1) % m;
    const sSlot = s[slot] as number;
    const ySlot = y[slot] as number;
    kernels.differences(sSlot, ySlot, trial, x, trialGradient, gradient, bytes);
    const sy = kernels.dot(sSlot, ySlot, bytes);
    if (sy > Number.EPSILON * kernels.dot(ySlot, ySlot, bytes)) {
      rho[slot] = 1 / sy;
      newest = slot;
      stored = Math.min(stored + 1, m);
    } else if (stored === m) {
      stored = m - 1; // the rejected pair overwrote the oldest one
    }
    const previousLoss = loss;
    [x, trial] = [trial, x];
    [gradient, trialGradient] = [trialGradient, gradient];
    loss = accepted.loss;
    const gradientMaxAbs = kernels.maxAbs(gradient, bytes);
    options.onIteration?.({ iteration, loss, gradientMaxAbs, evaluations });
    if (gradientMaxAbs <= options.gradientTolerance) return result(loss, iteration, 'gradient tolerance');
    if (previousLoss - loss <= options.lossTolerance * Math.max(Math.abs(previousLoss), Math.abs(loss), 1)) {
      return result(loss, iteration, 'loss tolerance');
    }
  }
  return result(loss, options.maxIterations, 'max iterations');
}
