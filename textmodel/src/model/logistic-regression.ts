import type { CsrMatrix, SparseRow } from '../features/sparse-matrix.js';
import { GradientEvaluator } from './gradient-evaluator.js';
import { type IterationProgress, minimizeLbfgs, type StopReason } from './lbfgs.js';
import { multinomialPreconditioner } from './preconditioner.js';

export interface LogisticRegressionSettings {
  /** Inverse L2 regularisation strength, as in scikit-learn. */
  C: number;
  maxIter: number;
  /** Gradient tolerance (scikit-learn's tol for lbfgs). */
  tol: number;
  classWeight: 'balanced' | 'none';
}

export { defaultLogisticRegressionSettings } from '../estimator-defaults.js';

/** The fitted parameters. `coef` is feature-major: `coef[feature * classes.length + class]`. */
export interface LogisticRegressionState {
  settings: LogisticRegressionSettings;
  classes: number[];
  features: number;
  coef: Float64Array;
  intercept: Float64Array;
}

export interface FitReport {
  iterations: number;
  evaluations: number;
  loss: number;
  converged: boolean;
  stopReason: StopReason;
}

export interface FitOptions {
  onIteration?: (progress: IterationProgress) => void;
  /** Threads for the gradient; defaults to the available cores (up to 4). */
  threads?: number;
}

export interface ClassProbability {
  classCode: number;
  probability: number;
}

/** Class weights n / (classes * count), as scikit-learn's class_weight='balanced'. */
function balancedWeights(labels: Int32Array, classCount: number): Float64Array {
  const counts = new Float64Array(classCount);
  for (const label of labels) counts[label] = (counts[label] as number) + 1;
  return Float64Array.from(labels, (label) => labels.length / (classCount * (counts[label] as number)));
}

/**
 * Multinomial logistic regression with an L2 penalty, fitted by L-BFGS to scikit-learn's
 * optimum: it minimises (1/S) Σ w_i CE_i + ||W||² / (2 C S), S = Σ w_i, intercepts unpenalised,
 * stopping like scikit-learn's lbfgs (largest gradient component <= tol, relative loss change
 * <= 64 eps, or max_iter). A diagonal preconditioner lets L-BFGS get there in fewer iterations.
 */
export class LogisticRegression {
  private state: LogisticRegressionState | null = null;

  constructor(readonly settings: LogisticRegressionSettings) {
    if (!(settings.C > 0)) throw new Error(`C must be positive, got ${settings.C}`);
    if (!(Number.isInteger(settings.maxIter) && settings.maxIter >= 1)) {
      throw new Error(`max_iter must be a whole number >= 1, got ${settings.maxIter}`);
    }
    if (!(settings.tol > 0)) throw new Error(`tol must be positive, got ${settings.tol}`);
  }

  static fromState(state: LogisticRegressionState): LogisticRegression {
    const model = new LogisticRegression(state.settings);
    model.state = state;
    return model;
  }

  get fitted(): LogisticRegressionState {
    if (!this.state) throw new Error('the logistic regression is not fitted');
    return this.state;
  }

  async fit(matrix: CsrMatrix, targets: ArrayLike<number>, options: FitOptions = {}): Promise<FitReport> {
    if (targets.length !== matrix.rows) {
      throw new Error(`${matrix.rows} rows but ${targets.length} targets`);
    }
    const classes = [...new Set(Array.from(targets))].sort((a, b) => a - b);
    if (classes.length < 2) {
      throw new Error(
        `the training data has ${classes.length === 0 ? 'no rows' : `only one class (${classes[0]})`}; a classifier needs at least two classes`,
      );
    }
    const classIndex = new Map(classes.map((code, index) => [code, index]));
    const labels = Int32Array.from(targets, (code) => classIndex.get(code) as number);
    const sampleWeights =
      this.settings.classWeight === 'balanced'
        ? balancedWeights(labels, classes.length)
        : new Float64Array(labels.length).fill(1);
    let weightSum = 0;
    for (const weight of sampleWeights) weightSum += weight;

    const K = classes.length;
    const features = matrix.columns;
    const penalized = features * K;
    const l2Strength = 1 / (this.settings.C * weightSum);
    const evaluator = new GradientEvaluator({ matrix, labels, sampleWeights, classes: K }, options.threads);
    try {
      const result = minimizeLbfgs(
        (coef, gradient) => {
          const lossSum = evaluator.evaluate(coef, gradient);
          let squaredNorm = 0;
          for (let i = 0; i < penalized; i++) {
            const weight = coef[i] as number;
            squaredNorm += weight * weight;
            gradient[i] = (gradient[i] as number) / weightSum + l2Strength * weight;
          }
          for (let i = penalized; i < gradient.length; i++) gradient[i] = (gradient[i] as number) / weightSum;
          return lossSum / weightSum + 0.5 * l2Strength * squaredNorm;
        },
        new Float64Array((features + 1) * K),
        {
          maxIterations: this.settings.maxIter,
          gradientTolerance: this.settings.tol,
          lossTolerance: 64 * Number.EPSILON,
          memory: 10,
          maxLineSearchSteps: 50,
          preconditioner: multinomialPreconditioner(matrix, sampleWeights, K, l2Strength),
          ...(options.onIteration ? { onIteration: options.onIteration } : {}),
        },
      );
      this.state = {
        settings: this.settings,
        classes,
        features,
        coef: result.x.slice(0, penalized),
        intercept: result.x.slice(penalized),
      };
      return {
        iterations: result.iterations,
        evaluations: result.evaluations,
        loss: result.loss,
        converged: result.stopReason === 'gradient tolerance' || result.stopReason === 'loss tolerance',
        stopReason: result.stopReason,
      };
    } finally {
      await evaluator.close();
    }
  }

  /** Class probabilities, row-major: `probabilities[row * classes + class]`, classes in ascending code order. */
  predictProba(matrix: CsrMatrix): Float64Array {
    const state = this.fitted;
    if (matrix.columns !== state.features) {
      throw new Error(`the model expects ${state.features} features, got ${matrix.columns}`);
    }
    const probabilities = new Float64Array(matrix.rows * state.classes.length);
    const { indptr, indices, values } = matrix;
    for (let row = 0; row < matrix.rows; row++) {
      const [start, end] = [indptr[row] as number, indptr[row + 1] as number];
      writeProbabilities(state, indices, values, start, end, probabilities, row * state.classes.length);
    }
    return probabilities;
  }

  /**
   * One row's class probabilities, written to `probabilities` (classes in ascending code order);
   * allocates nothing. The row's columns must be below the model's feature count.
   */
  predictRowProba(row: SparseRow, probabilities: Float64Array): Float64Array {
    writeProbabilities(this.fitted, row.indices, row.values, 0, row.indices.length, probabilities, 0);
    return probabilities;
  }

  /** The most probable class code of each row (the first class wins ties, as numpy's argmax). */
  predict(matrix: CsrMatrix): number[] {
    return mostProbableClasses(this.predictProba(matrix), this.fitted.classes);
  }
}

/** The most probable class code of each row of row-major probabilities (the first class wins ties). */
export function mostProbableClasses(probabilities: Float64Array, classes: readonly number[]): number[] {
  return Array.from({ length: probabilities.length / classes.length }, (_, row) => {
    const top = topClasses(
      probabilities.subarray(row * classes.length, (row + 1) * classes.length),
      classes,
      1,
    );
    return (top[0] as ClassProbability).classCode;
  });
}

/** Softmax of the intercepts plus the row's entries times the coefficients, at `probabilities[base..base + classes)`. */
function writeProbabilities(
  { coef, intercept, classes }: LogisticRegressionState,
  indices: Int32Array,
  values: Float64Array,
  start: number,
  end: number,
  probabilities: Float64Array,
  base: number,
): void {
  const K = classes.length;
  for (let k = 0; k < K; k++) probabilities[base + k] = intercept[k] as number;
  for (let entry = start; entry < end; entry++) {
    const value = values[entry] as number;
    const offset = (indices[entry] as number) * K;
    for (let k = 0; k < K; k++) {
      probabilities[base + k] = (probabilities[base + k] as number) + value * (coef[offset + k] as number);
    }
  }
  let max = Number.NEGATIVE_INFINITY;
  for (let k = 0; k < K; k++) max = Math.max(max, probabilities[base + k] as number);
  let sum = 0;
  for (let k = 0; k < K; k++) {
    const exp = Math.exp((probabilities[base + k] as number) - max);
    probabilities[base + k] = exp;
    sum += exp;
  }
  for (let k = 0; k < K; k++) probabilities[base + k] = (probabilities[base + k] as number) / sum;
}

/**
 * The k most probable classes of one row of probabilities, most probable first; equally probable
 * classes in their order in `classes`. Picks by selection, k passes over the row.
 */
export function topClasses(
  probabilities: ArrayLike<number>,
  classes: readonly number[],
  k: number,
): ClassProbability[] {
  const top: ClassProbability[] = [];
  let previous = -1;
  let previousProbability = Number.POSITIVE_INFINITY;
  while (top.length < Math.min(k, classes.length)) {
    let best = -1;
    let bestProbability = Number.NEGATIVE_INFINITY;
    for (let index = 0; index < classes.length; index++) {
      const probability = probabilities[index] as number;
      const rankedAfterPrevious =
        probability < previousProbability || (probability === previousProbability && index > previous);
      if (rankedAfterPrevious && (best < 0 || probability > bestProbability)) {
        best = index;
        bestProbability = probability;
      }
    }
    if (best < 0) break;
    top.push({ classCode: classes[best] as number, probability: bestProbability });
    previous = best;
    previousProbability = bestProbability;
  }
  return top;
}
