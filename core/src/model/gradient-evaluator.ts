import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { CsrMatrix } from '../features/sparse-matrix.js';
import {
  compileMultinomialLoss,
  type MultinomialLossKernel,
  multinomialLossSource,
} from './multinomial-loss.js';

/**
 * Rows are cut into this many fixed shards whose partial gradients are summed in shard order, so
 * the result does not depend on how many threads computed them.
 */
const shardCount = 4;
/** Below this many stored entries, starting workers costs more than it saves. */
const parallelMinimumEntries = 200_000;

export interface MultinomialProblem {
  matrix: CsrMatrix;
  /** Class index (0..classes-1) of each row. */
  labels: Int32Array;
  sampleWeights: Float64Array;
  classes: number;
}

function sharedCopy<T extends Int32Array | Float64Array>(array: T): T {
  const shared = new (array.constructor as new (buffer: SharedArrayBuffer) => T)(
    new SharedArrayBuffer(array.byteLength),
  );
  shared.set(array);
  return shared;
}

function sharedFloat64(length: number): Float64Array {
  return new Float64Array(new SharedArrayBuffer(length * Float64Array.BYTES_PER_ELEMENT));
}

const workerSource = `
const { workerData } = require('node:worker_threads');
const d = workerData;
const multinomialLoss = new Function(d.kernelSource)();
let generation = 0;
for (;;) {
  Atomics.wait(d.control, 0, generation);
  generation = Atomics.load(d.control, 0);
  if (generation < 0) break;
  for (const shard of d.shards) {
    d.shardLoss[shard] = multinomialLoss(d.indptr, d.indices, d.values, d.labels, d.sampleWeights,
      d.coef, d.features, d.shardStart[shard], d.shardStart[shard + 1], d.shardGradients[shard]);
  }
  Atomics.add(d.control, 1, 1);
  Atomics.notify(d.control, 1);
}
`;

/**
 * Evaluates the weighted cross-entropy sum and its gradient over all rows, on up to `shardCount`
 * threads (the calling thread takes the first shards, worker threads the rest). Data, coefficients
 * and partial gradients live in shared memory; threads synchronise with Atomics, not messages.
 */
export class GradientEvaluator {
  private readonly coef: Float64Array;
  private readonly shardGradients: Float64Array[];
  private readonly shardLoss: Float64Array;
  private readonly shardStart: Int32Array;
  private readonly control = new Int32Array(new SharedArrayBuffer(8));
  private readonly workers: Worker[] = [];
  private readonly ownShards: number[];
  private readonly kernel: MultinomialLossKernel;
  private readonly data: {
    indptr: Int32Array;
    indices: Int32Array;
    values: Float64Array;
    labels: Int32Array;
    sampleWeights: Float64Array;
  };

  constructor(
    private readonly problem: MultinomialProblem,
    threads = Math.min(availableParallelism(), shardCount),
  ) {
    const { matrix, classes } = problem;
    const parameters = (matrix.columns + 1) * classes;
    const parallel = threads > 1 && matrix.values.length >= parallelMinimumEntries;
    const share = <T extends Int32Array | Float64Array>(array: T): T =>
      parallel ? sharedCopy(array) : array;
    this.data = {
      indptr: share(matrix.indptr),
      indices: share(matrix.indices),
      values: share(matrix.values),
      labels: share(problem.labels),
      sampleWeights: share(problem.sampleWeights),
    };
    this.coef = parallel ? sharedFloat64(parameters) : new Float64Array(parameters);
    this.shardGradients = Array.from({ length: shardCount }, () =>
      parallel ? sharedFloat64(parameters) : new Float64Array(parameters),
    );
    this.shardLoss = parallel ? sharedFloat64(shardCount) : new Float64Array(shardCount);
    this.shardStart = this.balancedShardStarts(parallel);
    const kernelSource = multinomialLossSource(classes);
    this.kernel = compileMultinomialLoss(kernelSource);

    const threadCount = parallel ? Math.min(threads, shardCount) : 1;
    const shardsOf = (thread: number) =>
      Array.from({ length: shardCount }, (_, shard) => shard).filter(
        (shard) => Math.floor((shard * threadCount) / shardCount) === thread,
      );
    this.ownShards = shardsOf(0);
    for (let thread = 1; thread < threadCount; thread++) {
      const worker = new Worker(workerSource, {
        eval: true,
        workerData: {
          ...this.data,
          coef: this.coef,
          features: matrix.columns,
          kernelSource,
          shardStart: this.shardStart,
          shardGradients: this.shardGradients,
          shardLoss: this.shardLoss,
          control: this.control,
          shards: shardsOf(thread),
        },
      });
      worker.unref();
      this.workers.push(worker);
    }
  }

  /** Shard boundaries with about the same number of stored entries each (the work is per entry). */
  private balancedShardStarts(shared: boolean): Int32Array {
    const { indptr, rows } = this.problem.matrix;
    const starts = shared
      ? new Int32Array(new SharedArrayBuffer(4 * (shardCount + 1)))
      : new Int32Array(shardCount + 1);
    const total = indptr[rows] as number;
    let row = 0;
    for (let shard = 1; shard < shardCount; shard++) {
      const target = (total * shard) / shardCount;
      while (row < rows && (indptr[row] as number) < target) row++;
      starts[shard] = row;
    }
    starts[shardCount] = rows;
    return starts;
  }

  /** Writes the gradient of the weighted loss sum at `coef` into `gradient` and returns the loss sum. */
  evaluate(coef: Float64Array, gradient: Float64Array): number {
    this.coef.set(coef);
    Atomics.store(this.control, 1, 0);
    Atomics.add(this.control, 0, 1);
    Atomics.notify(this.control, 0);
    const { indptr, indices, values, labels, sampleWeights } = this.data;
    for (const shard of this.ownShards) {
      this.shardLoss[shard] = this.kernel(
        indptr,
        indices,
        values,
        labels,
        sampleWeights,
        this.coef,
        this.problem.matrix.columns,
        this.shardStart[shard] as number,
        this.shardStart[shard + 1] as number,
        this.shardGradients[shard] as Float64Array,
      );
    }
    for (
      let done = Atomics.load(this.control, 1);
      done < this.workers.length;
      done = Atomics.load(this.control, 1)
    ) {
      Atomics.wait(this.control, 1, done);
    }
    gradient.set(this.shardGradients[0] as Float64Array);
    let loss = this.shardLoss[0] as number;
    for (let shard = 1; shard < shardCount; shard++) {
      const partial = this.shardGradients[shard] as Float64Array;
      for (let i = 0; i < gradient.length; i++)
        gradient[i] = (gradient[i] as number) + (partial[i] as number);
      loss += this.shardLoss[shard] as number;
    }
    return loss;
  }

  async close(): Promise<void> {
    Atomics.store(this.control, 0, -1);
    Atomics.notify(this.control, 0);
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }
}
