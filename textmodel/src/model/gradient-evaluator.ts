import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { CsrMatrix } from '../features/sparse-matrix.js';
import { type GradientKernels, gradientKernelsModule, instantiateKernels } from './wasm-kernels.js';
import { weightedCrossEntropy } from './weighted-cross-entropy.js';

/**
 * Rows are cut into this many fixed shards whose partial gradients are summed in shard order, so
 * the result does not depend on how many threads computed them.
 */
const shardCount = 4;
/** Below this many stored entries, starting workers costs more than it saves. */
const parallelMinimumEntries = 200_000;
const pageBytes = 65_536;

export interface MultinomialProblem {
  matrix: CsrMatrix;
  /** Class index (0..classes-1) of each row. */
  labels: Int32Array;
  sampleWeights: Float64Array;
  classes: number;
}

/** Byte offsets of the arrays the WebAssembly kernels read and write, in one shared memory. */
interface MemoryLayout {
  indptr: number;
  indices: number;
  values: number;
  coef: number;
  intercept: number;
  scores: number;
  labels: number;
  sampleWeights: number;
  /** Per row, the softmax kernel's Σexp and label margin. */
  sums: number;
  margins: number;
  gradients: number[];
  bytes: number;
}

function layoutFor(problem: MultinomialProblem): MemoryLayout {
  const { matrix, classes } = problem;
  const parameterBytes = (matrix.columns + 1) * classes * 8;
  let end = 0;
  const reserve = (bytes: number) => {
    const start = end;
    end = Math.ceil((start + bytes) / 16) * 16;
    return start;
  };
  const indptr = reserve((matrix.rows + 1) * 4);
  const indices = reserve(matrix.indices.length * 4);
  const values = reserve(matrix.values.length * 8);
  const coef = reserve(parameterBytes);
  const scores = reserve(matrix.rows * classes * 8);
  const labels = reserve(matrix.rows * 4);
  const sampleWeights = reserve(matrix.rows * 8);
  const sums = reserve(matrix.rows * 8);
  const margins = reserve(matrix.rows * 8);
  const gradients = Array.from({ length: shardCount }, () => reserve(parameterBytes));
  return {
    indptr,
    indices,
    values,
    coef,
    intercept: coef + matrix.columns * classes * 8,
    scores,
    labels,
    sampleWeights,
    sums,
    margins,
    gradients,
    bytes: end,
  };
}

/** What one thread needs to evaluate its shards; plain data, so it can be sent to a worker. */
interface ShardContext {
  memory: WebAssembly.Memory;
  module: WebAssembly.Module;
  layout: MemoryLayout;
  classes: number;
  features: number;
  shardStart: Int32Array;
  shardLoss: Float64Array;
}

// Worker threads get this source and the ShardContext; evaluateShards below is its twin on the
// calling thread. weightedCrossEntropy comes as source text (it is self-contained).
const workerSource = `
const { workerData } = require('node:worker_threads');
const weightedCrossEntropy = ${weightedCrossEntropy.toString()};
const { context, shards, control } = workerData;
const { memory, layout, classes, features, shardStart, shardLoss } = context;
const kernels = new WebAssembly.Instance(context.module, { env: { memory } }).exports;
const parameters = (features + 1) * classes;
const sampleWeights = new Float64Array(memory.buffer, layout.sampleWeights, shardStart[shardStart.length - 1]);
let generation = 0;
for (;;) {
  Atomics.wait(control, 0, generation);
  generation = Atomics.load(control, 0);
  if (generation < 0) break;
  try {
    for (const shard of shards) {
      const start = shardStart[shard];
      const end = shardStart[shard + 1];
      const scoresAt = layout.scores + start * classes * 8;
      const gradientAt = layout.gradients[shard];
      new Float64Array(memory.buffer, gradientAt, parameters).fill(0);
      kernels.forward(start, end, layout.indptr, layout.indices, layout.values, layout.coef, layout.intercept, scoresAt);
      const sumsAt = layout.sums + start * 8;
      const marginsAt = layout.margins + start * 8;
      kernels.softmaxResiduals(start, end, scoresAt, layout.labels, layout.sampleWeights, sumsAt, marginsAt, gradientAt + features * classes * 8);
      shardLoss[shard] = weightedCrossEntropy(
        new Float64Array(memory.buffer, sumsAt, end - start),
        new Float64Array(memory.buffer, marginsAt, end - start),
        sampleWeights, start, end);
      kernels.backward(start, end, layout.indptr, layout.indices, layout.values, scoresAt, gradientAt);
    }
  } catch (error) {
    Atomics.store(control, 2, 1);
  }
  Atomics.add(control, 1, 1);
  Atomics.notify(control, 1);
}
`;

function evaluateShards(context: ShardContext, kernels: GradientKernels, shards: readonly number[]): void {
  const { memory, layout, classes, features, shardStart, shardLoss } = context;
  const parameters = (features + 1) * classes;
  const sampleWeights = new Float64Array(memory.buffer, layout.sampleWeights, shardStart.at(-1));
  for (const shard of shards) {
    const start = shardStart[shard] as number;
    const end = shardStart[shard + 1] as number;
    const scoresAt = layout.scores + start * classes * 8;
    const gradientAt = layout.gradients[shard] as number;
    new Float64Array(memory.buffer, gradientAt, parameters).fill(0);
    kernels.forward(
      start,
      end,
      layout.indptr,
      layout.indices,
      layout.values,
      layout.coef,
      layout.intercept,
      scoresAt,
    );
    const sumsAt = layout.sums + start * 8;
    const marginsAt = layout.margins + start * 8;
    kernels.softmaxResiduals(
      start,
      end,
      scoresAt,
      layout.labels,
      layout.sampleWeights,
      sumsAt,
      marginsAt,
      gradientAt + features * classes * 8,
    );
    shardLoss[shard] = weightedCrossEntropy(
      new Float64Array(memory.buffer, sumsAt, end - start),
      new Float64Array(memory.buffer, marginsAt, end - start),
      sampleWeights,
      start,
      end,
    );
    kernels.backward(start, end, layout.indptr, layout.indices, layout.values, scoresAt, gradientAt);
  }
}

/** Shard boundaries with about the same number of stored entries each (the work is per entry). */
function balancedShardStarts(matrix: CsrMatrix): Int32Array {
  const starts = new Int32Array(new SharedArrayBuffer(4 * (shardCount + 1)));
  const total = matrix.indptr[matrix.rows] as number;
  let row = 0;
  for (let shard = 1; shard < shardCount; shard++) {
    const target = (total * shard) / shardCount;
    while (row < matrix.rows && (matrix.indptr[row] as number) < target) row++;
    starts[shard] = row;
  }
  starts[shardCount] = matrix.rows;
  return starts;
}

/**
 * Evaluates the weighted cross-entropy sum and its gradient over all rows, on up to `shardCount`
 * threads (the calling thread takes the first shards, worker threads the rest). The data,
 * coefficients and partial gradients live in one shared WebAssembly memory; threads synchronise
 * with Atomics on a small control array, not with messages.
 */
export class GradientEvaluator {
  private readonly context: ShardContext;
  private readonly kernels: GradientKernels;
  private readonly coef: Float64Array;
  private readonly gradients: Float64Array[];
  /** [generation, workers done, worker failed] */
  private readonly control = new Int32Array(new SharedArrayBuffer(12));
  private readonly workers: Worker[] = [];
  private readonly ownShards: number[];

  constructor(problem: MultinomialProblem, threads = Math.min(availableParallelism(), shardCount)) {
    const { matrix, classes } = problem;
    const layout = layoutFor(problem);
    const pages = Math.max(1, Math.ceil(layout.bytes / pageBytes));
    const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
    const module = gradientKernelsModule(classes, pages);
    new Int32Array(memory.buffer, layout.indptr, matrix.rows + 1).set(matrix.indptr);
    new Int32Array(memory.buffer, layout.indices, matrix.indices.length).set(matrix.indices);
    new Float64Array(memory.buffer, layout.values, matrix.values.length).set(matrix.values);
    new Int32Array(memory.buffer, layout.labels, matrix.rows).set(problem.labels);
    new Float64Array(memory.buffer, layout.sampleWeights, matrix.rows).set(problem.sampleWeights);
    const parameters = (matrix.columns + 1) * classes;
    this.coef = new Float64Array(memory.buffer, layout.coef, parameters);
    this.gradients = layout.gradients.map((offset) => new Float64Array(memory.buffer, offset, parameters));
    this.context = {
      memory,
      module,
      layout,
      classes,
      features: matrix.columns,
      shardStart: balancedShardStarts(matrix),
      shardLoss: new Float64Array(new SharedArrayBuffer(8 * shardCount)),
    };
    this.kernels = instantiateKernels(module, memory);

    const threadCount =
      threads > 1 && matrix.values.length >= parallelMinimumEntries ? Math.min(threads, shardCount) : 1;
    const shardsOf = (thread: number) =>
      Array.from({ length: shardCount }, (_, shard) => shard).filter(
        (shard) => Math.floor((shard * threadCount) / shardCount) === thread,
      );
    this.ownShards = shardsOf(0);
    for (let thread = 1; thread < threadCount; thread++) {
      const worker = new Worker(workerSource, {
        eval: true,
        workerData: { context: this.context, shards: shardsOf(thread), control: this.control },
      });
      worker.unref();
      this.workers.push(worker);
    }
  }

  /** Writes the gradient of the weighted loss sum at `coef` into `gradient` and returns the loss sum. */
  evaluate(coef: Float64Array, gradient: Float64Array): number {
    this.coef.set(coef);
    Atomics.store(this.control, 1, 0);
    Atomics.add(this.control, 0, 1);
    Atomics.notify(this.control, 0);
    evaluateShards(this.context, this.kernels, this.ownShards);
    for (
      let done = Atomics.load(this.control, 1);
      done < this.workers.length;
      done = Atomics.load(this.control, 1)
    ) {
      Atomics.wait(this.control, 1, done);
    }
    if (Atomics.load(this.control, 2) !== 0) throw new Error('a gradient worker thread failed');
    gradient.set(this.gradients[0] as Float64Array);
    let loss = this.context.shardLoss[0] as number;
    for (let shard = 1; shard < shardCount; shard++) {
      const partial = this.gradients[shard] as Float64Array;
      for (let i = 0; i < gradient.length; i++)
        gradient[i] = (gradient[i] as number) + (partial[i] as number);
      loss += this.context.shardLoss[shard] as number;
    }
    return loss;
  }

  async close(): Promise<void> {
    Atomics.store(this.control, 0, -1);
    Atomics.notify(this.control, 0);
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }
}
