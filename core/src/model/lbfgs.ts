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

function dot(a: Float64Array, b: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i] as number) * (b[i] as number);
  return sum;
}

/** target += scale * source, then returns dot(target, dotWith) (0 without dotWith), in one pass. */
function addScaledThenDot(
  target: Float64Array,
  scale: number,
  source: Float64Array,
  dotWith: Float64Array | null,
): number {
  if (!dotWith) {
    for (let i = 0; i < target.length; i++) target[i] = (target[i] as number) + scale * (source[i] as number);
    return 0;
  }
  let sum = 0;
  for (let i = 0; i < target.length; i++) {
    const value = (target[i] as number) + scale * (source[i] as number);
    target[i] = value;
    sum += value * (dotWith[i] as number);
  }
  return sum;
}

function weightedSquaredNorm(a: Float64Array, weights: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i] as number) ** 2 * (weights[i] as number);
  return sum;
}

function maxAbs(a: Float64Array): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) {
    const value = Math.abs(a[i] as number);
    if (value > max) max = value;
  }
  return max;
}

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
  let x = Float64Array.from(x0);
  let gradient = new Float64Array(n);
  let trial = new Float64Array(n);
  let trialGradient = new Float64Array(n);
  const direction = new Float64Array(n);
  const s = Array.from({ length: m }, () => new Float64Array(n));
  const y = Array.from({ length: m }, () => new Float64Array(n));
  const rho = new Float64Array(m);
  const alpha = new Float64Array(m);
  let stored = 0;
  let newest = -1;

  let evaluations = 1;
  let loss = objective(x, gradient);
  if (maxAbs(gradient) <= options.gradientTolerance) {
    return { x, loss, iterations: 0, evaluations, stopReason: 'gradient tolerance' };
  }

  const evaluateAt = (step: number): number => {
    for (let i = 0; i < n; i++) trial[i] = (x[i] as number) + step * (direction[i] as number);
    evaluations++;
    return objective(trial, trialGradient);
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
      const slope = dot(trialGradient, direction);
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
    const preconditioner = options.preconditioner;
    // Two-loop recursion, direction = -H * gradient, each update fused with the next dot product.
    const oldest = (newest - stored + 1 + m) % m;
    for (let i = 0; i < n; i++) direction[i] = -(gradient[i] as number);
    let sDirection = stored > 0 ? dot(s[newest] as Float64Array, direction) : 0;
    for (let j = 0, pair = newest; j < stored; j++, pair = (pair - 1 + m) % m) {
      const a = (rho[pair] as number) * sDirection;
      alpha[pair] = a;
      const next = j + 1 < stored ? (s[(pair - 1 + m) % m] as Float64Array) : null;
      sDirection = addScaledThenDot(direction, -a, y[pair] as Float64Array, next);
    }
    let gamma = 1;
    if (stored > 0) {
      const yNewest = y[newest] as Float64Array;
      gamma =
        1 /
        ((rho[newest] as number) *
          (preconditioner ? weightedSquaredNorm(yNewest, preconditioner) : dot(yNewest, yNewest)));
    }
    let yDirection = 0;
    const yOldest = stored > 0 ? (y[oldest] as Float64Array) : null;
    for (let i = 0; i < n; i++) {
      const scaled = (direction[i] as number) * gamma * (preconditioner ? (preconditioner[i] as number) : 1);
      direction[i] = scaled;
      if (yOldest) yDirection += (yOldest[i] as number) * scaled;
    }
    for (let j = 0, pair = oldest; j < stored; j++, pair = (pair + 1) % m) {
      const b = (rho[pair] as number) * yDirection;
      const next = j + 1 < stored ? (y[(pair + 1) % m] as Float64Array) : null;
      yDirection = addScaledThenDot(direction, (alpha[pair] as number) - b, s[pair] as Float64Array, next);
    }
    let slope0 = dot(gradient, direction);
    if (!(slope0 < 0)) {
      // Not a descent direction (numerical trouble): restart from steepest descent.
      stored = 0;
      for (let i = 0; i < n; i++) direction[i] = -(gradient[i] as number);
      slope0 = dot(gradient, direction);
    }
    const initialStep = stored === 0 ? 1 / Math.sqrt(dot(direction, direction)) : 1;
    const accepted = lineSearch(initialStep, slope0);
    if (!accepted) {
      return { x, loss, iterations: iteration - 1, evaluations, stopReason: 'line search failed' };
    }

    const slot = (newest + 1) % m;
    const sSlot = s[slot] as Float64Array;
    const ySlot = y[slot] as Float64Array;
    for (let i = 0; i < n; i++) {
      sSlot[i] = (trial[i] as number) - (x[i] as number);
      ySlot[i] = (trialGradient[i] as number) - (gradient[i] as number);
    }
    const sy = dot(sSlot, ySlot);
    if (sy > Number.EPSILON * dot(ySlot, ySlot)) {
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
    const gradientMaxAbs = maxAbs(gradient);
    options.onIteration?.({ iteration, loss, gradientMaxAbs, evaluations });
    if (gradientMaxAbs <= options.gradientTolerance) {
      return { x, loss, iterations: iteration, evaluations, stopReason: 'gradient tolerance' };
    }
    if (previousLoss - loss <= options.lossTolerance * Math.max(Math.abs(previousLoss), Math.abs(loss), 1)) {
      return { x, loss, iterations: iteration, evaluations, stopReason: 'loss tolerance' };
    }
  }
  return { x, loss, iterations: options.maxIterations, evaluations, stopReason: 'max iterations' };
}
