/**
 * The shadow thread (shadow-thread.ts): holds its own copy of the candidate model, predicts the
 * mirrored products it is sent and, with an inference log, writes their shadow rows to PostgreSQL
 * over a connection of its own, all under the idle scheduling policy, so that on a busy CPU the
 * thread answering requests always runs first.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import type { TokenCount } from '@prodclass/textmodel/model/text-classifier';
import pg from 'pg';
import { loadBundleClassifier } from './bundle-classifier.js';
import type { Classifier } from './classifier.js';
import { InferenceLog } from './inference-log.js';
import type { ShadowThreadOptions, ShadowThreadReply, ShadowThreadRequest } from './shadow-thread.js';
import { uuidv7 } from './uuidv7.js';

/**
 * Linux schedules threads one by one and takes a thread id where it takes a process id: this
 * thread (its id from /proc/thread-self) gets nice 19 and then the SCHED_IDLE policy (util-linux's
 * `chrt`, which Debian images carry). Nice 19 alone lowers the thread's share, not its slices: a
 * request waking the main thread could wait for the rest of the thread's slice. A SCHED_IDLE
 * thread is preempted as soon as a normal thread wakes on its CPU, and no privilege is needed to
 * lower a thread to it. Elsewhere, or without `chrt`, the thread keeps what it could get.
 */
function lowerPriority(): void {
  let threadId: string;
  try {
    const target = fs.readlinkSync('/proc/thread-self');
    threadId = target.slice(target.lastIndexOf('/') + 1);
    os.setPriority(Number(threadId), 19);
  } catch {
    return; // Not Linux: no per-thread priority to set.
  }
  try {
    execFileSync('chrt', ['--idle', '--pid', '0', threadId], { stdio: 'ignore' });
  } catch {
    // No chrt in the image: nice 19 stays.
  }
}

lowerPriority();
const port = parentPort;
if (!port) throw new Error('shadow-worker.js runs as a worker thread of the model server');
const reply = (message: ShadowThreadReply, transfer: ArrayBuffer[] = []) =>
  port.postMessage(message, transfer);

const { databaseUrl } = workerData as ShadowThreadOptions;
const pool = databaseUrl
  ? new pg.Pool({ connectionString: databaseUrl, max: 1, query_timeout: 30_000 })
  : undefined;
pool?.on('error', () => undefined);
const inferenceLog =
  pool &&
  new InferenceLog(pool, {
    written: (rows) => reply({ type: 'log', event: 'written', rows }),
    dropped: (rows, reason) => reply({ type: 'log', event: 'dropped', rows, reason }),
    writeFailed: (error) => reply({ type: 'log', event: 'writeFailed', rows: 0, error: error.message }),
    spooled: () => undefined,
    spoolWritten: () => undefined,
  });
inferenceLog?.start();

let model: { classifier: Classifier; name: string; version: string } | undefined;
let loadError: Error | undefined;
const tokenCounts: TokenCount[] = [];

port.on('message', (message: ShadowThreadRequest) => {
  if (message.type === 'load') {
    const { bundle, name, version } = message;
    try {
      const classifier = loadBundleClassifier(
        Buffer.from(bundle.buffer, bundle.byteOffset, bundle.byteLength),
      );
      model = { classifier, name, version };
      loadError = undefined;
    } catch (error) {
      model = undefined;
      loadError = error as Error;
    }
    return;
  }
  if (message.type === 'close') {
    void (async () => {
      await inferenceLog?.close();
      await pool?.end();
      reply({ type: 'closed' });
    })();
    return;
  }
  const { id, products, shadowOf } = message;
  try {
    if (!model) throw loadError ?? new Error('no candidate model loaded in the shadow thread');
    tokenCounts.length = 0;
    const started = performance.now();
    const rankings = model.classifier.predictTopK(products, 1, tokenCounts);
    const milliseconds = performance.now() - started;
    const predictedAt = new Date();
    const modelMs = milliseconds / products.length;
    const classCodes = new Int32Array(products.length);
    products.forEach(({ designation, description, productid }, index) => {
      const best = rankings[index]?.[0];
      if (!best) throw new Error(`candidate ${model?.name}/${model?.version} returned no class`);
      classCodes[index] = best.classCode;
      const logDescription = description || null;
      inferenceLog?.enqueue({
        predictedAt,
        predictionId: uuidv7(),
        shadowOf: shadowOf[index],
        modelName: model?.name as string,
        modelVersion: model?.version as string,
        prdtypecode: best.classCode,
        confidence: best.probability,
        textLength: designation.length + (logDescription?.length ?? 0),
        tokenCount: tokenCounts[index]?.tokens,
        unknownTokenCount: tokenCounts[index]?.unknown,
        modelMs,
        designation,
        description: logDescription,
        productid,
      });
    });
    reply({ type: 'predicted', id, classCodes, milliseconds }, [classCodes.buffer]);
  } catch (error) {
    reply({ type: 'failed', id, error: (error as Error).message });
  }
});
