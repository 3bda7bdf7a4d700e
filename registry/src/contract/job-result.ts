/**
 * What a load or training Job did, written by `prodclass data load` and `prodclass train` to the
 * container's termination message and read by the operator from the Pod's status
 * (`status.containerStatuses[].state.terminated.message`): the operator learns the result of its
 * own Job from the Job, not by searching MLflow or PostgreSQL for it.
 */

/** Where Kubernetes reads the termination message from unless the container says otherwise. */
export const terminationMessagePath = '/dev/termination-log';

/** Overrides the termination message file, for runs outside a kubelet (the local runner sets it). */
export const terminationMessagePathEnv = 'PRODCLASS_TERMINATION_MESSAGE_PATH';

/** The kubelet keeps at most 4096 bytes of a container's termination message. */
export const maxJobResultBytes = 4096;

export interface LoadResult {
  kind: 'load';
  /** The data version the load created (its data_loads name). */
  dataVersion: string;
  rowsAdded: number;
  totalRows: number;
  /** Share of the source the catalog holds after the load, in percent. */
  percentage: number;
  datasetFingerprint?: string;
  completedAt?: string;
}

/** The columns of a completed `data_loads` row the load result is made of. */
export interface RecordedLoad {
  name: string;
  rows_added: number | null;
  cumulative_rows: number | null;
  cumulative_percentage: number;
  dataset_fingerprint: string | null;
  completed_at: string | null;
}

/** A completed load, as a load Job reports it. */
export function loadResultOf(load: RecordedLoad): LoadResult {
  return {
    kind: 'load',
    dataVersion: load.name,
    rowsAdded: load.rows_added ?? 0,
    totalRows: load.cumulative_rows ?? 0,
    percentage: load.cumulative_percentage,
    ...(load.dataset_fingerprint ? { datasetFingerprint: load.dataset_fingerprint } : {}),
    ...(load.completed_at ? { completedAt: load.completed_at } : {}),
  };
}

export interface PromotionDecision {
  decision: 'promote' | 'reject';
  reason: string;
}

export interface TrainResult {
  kind: 'train';
  /** The data version the model was trained on (what "the latest completed load" resolved to). */
  dataVersion: string;
  rows: { train: number; test: number };
  runId: string;
  registeredModel: string;
  modelVersion: string;
  /** Held-out scores under their MLflow metric keys (`test_f1_weighted`, ...). */
  metrics: Record<string, number>;
  /** The promotion rule's verdict, when the run was asked to decide. */
  promotion?: PromotionDecision;
}

/** How many products one model labels `from` and the other `to`. */
export interface ClassFlip {
  from: number;
  to: number;
  count: number;
}

/** The most flips an impact result lists: enough for the matrix, well within the 4 KB message. */
export const maxImpactFlips = 10;

export interface ImpactResult {
  kind: 'impact';
  registeredModel: string;
  /** The version the champion alias pointed at when the catalog was scored. */
  championVersion: string;
  candidateVersion: string;
  /** The completed load whose catalog was scored. */
  dataVersion: string;
  products: number;
  /** Products whose predicted class differs between the champion and the candidate. */
  changed: number;
  /** changed / products (0 for an empty catalog). */
  changedShare: number;
  /** The largest flips, most products first, at most maxImpactFlips. */
  flips: ClassFlip[];
}

export type JobResult = LoadResult | TrainResult | ImpactResult;

const byteLength = (text: string) => Buffer.byteLength(text, 'utf8');

/**
 * The result as the termination message: JSON within 4096 bytes. The promotion reason is the only
 * free text; it is shortened (with an ellipsis) when the whole would not fit.
 */
export function formatJobResult(result: JobResult): string {
  const text = JSON.stringify(result);
  if (byteLength(text) <= maxJobResultBytes) return text;
  if (result.kind === 'train' && result.promotion) {
    const { reason } = result.promotion;
    const withoutReason = JSON.stringify({ ...result, promotion: { ...result.promotion, reason: '' } });
    const room = maxJobResultBytes - byteLength(withoutReason) - 8;
    if (room > 0) {
      let shortened = reason.slice(0, room);
      while (byteLength(JSON.stringify(shortened)) - 2 > room) shortened = shortened.slice(0, -1);
      return JSON.stringify({ ...result, promotion: { ...result.promotion, reason: `${shortened}…` } });
    }
  }
  throw new Error(`the ${result.kind} result is ${byteLength(text)} bytes, over ${maxJobResultBytes}`);
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

class Fields {
  constructor(
    private readonly object: Json,
    /** The path of this object in the result: `rows.`. */
    private readonly prefix = '',
  ) {}

  #fail(key: string, expected: string): never {
    throw new Error(`job result: ${this.prefix}${key} must be ${expected}`);
  }

  string(key: string): string {
    const value = this.object[key];
    if (typeof value !== 'string' || value === '') this.#fail(key, 'a non-empty string');
    return value;
  }

  optionalString(key: string): string | undefined {
    return this.object[key] === undefined ? undefined : this.string(key);
  }

  number(key: string): number {
    const value = this.object[key];
    if (typeof value !== 'number' || !Number.isFinite(value)) this.#fail(key, 'a number');
    return value;
  }

  count(key: string): number {
    const value = this.number(key);
    if (!Number.isSafeInteger(value) || value < 0) this.#fail(key, 'a whole number ≥ 0');
    return value;
  }

  nested(key: string): Fields {
    const value = this.object[key];
    if (!isObject(value)) this.#fail(key, 'an object');
    return new Fields(value, `${this.prefix}${key}.`);
  }

  /** The data version, under its key or, from Jobs of releases before the rename, under `load`. */
  dataVersion(): string {
    return this.object.dataVersion === undefined && this.object.load !== undefined
      ? this.string('load')
      : this.string('dataVersion');
  }

  keys(): string[] {
    return Object.keys(this.object);
  }

  list(key: string): Fields[] {
    const value = this.object[key];
    if (!Array.isArray(value) || !value.every(isObject)) this.#fail(key, 'a list of objects');
    return value.map((item, index) => new Fields(item, `${this.prefix}${key}[${index}].`));
  }
}

function loadResult(fields: Fields): LoadResult {
  const datasetFingerprint = fields.optionalString('datasetFingerprint');
  const completedAt = fields.optionalString('completedAt');
  return {
    kind: 'load',
    dataVersion: fields.dataVersion(),
    rowsAdded: fields.count('rowsAdded'),
    totalRows: fields.count('totalRows'),
    percentage: fields.number('percentage'),
    ...(datasetFingerprint ? { datasetFingerprint } : {}),
    ...(completedAt ? { completedAt } : {}),
  };
}

function trainResult(fields: Fields, object: Json): TrainResult {
  const rows = fields.nested('rows');
  const metricFields = fields.nested('metrics');
  const metrics = Object.fromEntries(metricFields.keys().map((key) => [key, metricFields.number(key)]));
  let promotion: PromotionDecision | undefined;
  if (object.promotion !== undefined) {
    const decided = fields.nested('promotion');
    const decision = decided.string('decision');
    if (decision !== 'promote' && decision !== 'reject')
      throw new Error(`job result: promotion.decision must be promote or reject, got ${decision}`);
    const reason = decided.optionalString('reason') ?? '';
    promotion = { decision, reason };
  }
  return {
    kind: 'train',
    dataVersion: fields.dataVersion(),
    rows: { train: rows.count('train'), test: rows.count('test') },
    runId: fields.string('runId'),
    registeredModel: fields.string('registeredModel'),
    modelVersion: fields.string('modelVersion'),
    metrics,
    ...(promotion ? { promotion } : {}),
  };
}

function impactResult(fields: Fields): ImpactResult {
  const changedShare = fields.number('changedShare');
  if (changedShare < 0 || changedShare > 1) throw new Error('job result: changedShare must be from 0 to 1');
  return {
    kind: 'impact',
    registeredModel: fields.string('registeredModel'),
    championVersion: fields.string('championVersion'),
    candidateVersion: fields.string('candidateVersion'),
    dataVersion: fields.string('dataVersion'),
    products: fields.count('products'),
    changed: fields.count('changed'),
    changedShare,
    flips: fields
      .list('flips')
      .map((flip) => ({ from: flip.count('from'), to: flip.count('to'), count: flip.count('count') })),
  };
}

/** The result of a Job of `kind` from its termination message; throws saying what is wrong. */
export function parseJobResult(message: string, kind: 'load'): LoadResult;
export function parseJobResult(message: string, kind: 'train'): TrainResult;
export function parseJobResult(message: string, kind: 'impact'): ImpactResult;
export function parseJobResult(message: string, kind: JobResult['kind']): JobResult {
  let object: unknown;
  try {
    object = JSON.parse(message);
  } catch {
    throw new Error(`job result: not JSON: ${message.slice(0, 80)}`);
  }
  if (!isObject(object)) throw new Error('job result: not a JSON object');
  if (object.kind !== kind) throw new Error(`job result: kind must be ${kind}, got ${String(object.kind)}`);
  const fields = new Fields(object);
  if (kind === 'impact') return impactResult(fields);
  return kind === 'load' ? loadResult(fields) : trainResult(fields, object);
}
