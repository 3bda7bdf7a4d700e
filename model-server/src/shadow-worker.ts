/**
 * The shadow thread (shadow-thread.ts): holds its own copy of the candidate model and predicts the
 * mirrored products it is sent, at the lowest scheduling priority, so that on a busy CPU the
 * thread answering requests always runs first.
 */
import fs from 'node:fs';
import os from 'node:os';
import { parentPort } from 'node:worker_threads';
import type { TokenCount } from '@prodclass/textmodel/model/text-classifier';
import { loadBundleClassifier } from './bundle-classifier.js';
import type { Classifier } from './classifier.js';
import type { ShadowThreadReply, ShadowThreadRequest } from './shadow-thread.js';

/**
 * Linux schedules threads one by one and takes a thread id where it takes a process id: this
 * thread (its id from /proc/thread-self) gets nice 19. Elsewhere the thread keeps its priority.
 */
function lowerPriority(): void {
  try {
    const threadId = Number(lastPart(fs.readlinkSync('/proc/thread-self')));
    os.setPriority(threadId, 19);
  } catch {
    // Not Linux: no per-thread priority to set.
  }
}

/** The last part of `/proc/thread-self`'s target, `PID/task/TID`. */
function lastPart(target: string): string {
  return target.slice(target.lastIndexOf('/') + 1);
}

lowerPriority();
const port = parentPort;
if (!port) throw new Error('shadow-worker.js runs as a worker thread of the model server');

let classifier: Classifier | undefined;
let loadError: Error | undefined;
const tokenCounts: TokenCount[] = [];

port.on('message', (message: ShadowThreadRequest) => {
  if (message.type === 'load') {
    try {
      const { bundle } = message;
      classifier = loadBundleClassifier(Buffer.from(bundle.buffer, bundle.byteOffset, bundle.byteLength));
      loadError = undefined;
    } catch (error) {
      classifier = undefined;
      loadError = error as Error;
    }
    return;
  }
  const { id, products } = message;
  try {
    if (!classifier) throw loadError ?? new Error('no candidate model loaded in the shadow thread');
    tokenCounts.length = 0;
    const started = performance.now();
    const rankings = classifier.predictTopK(products, 1, tokenCounts);
    const milliseconds = performance.now() - started;
    const classCodes = new Int32Array(products.length);
    const probabilities = new Float64Array(products.length);
    const tokens = new Int32Array(products.length).fill(-1);
    const unknownTokens = new Int32Array(products.length).fill(-1);
    rankings.forEach((ranking, index) => {
      const best = ranking[0];
      if (!best) throw new Error('the candidate returned no class');
      classCodes[index] = best.classCode;
      probabilities[index] = best.probability;
      const counted = tokenCounts[index];
      if (counted) {
        tokens[index] = counted.tokens;
        unknownTokens[index] = counted.unknown;
      }
    });
    const reply: ShadowThreadReply = { id, classCodes, probabilities, tokens, unknownTokens, milliseconds };
    port.postMessage(reply, [classCodes.buffer, probabilities.buffer, tokens.buffer, unknownTokens.buffer]);
  } catch (error) {
    const reply: ShadowThreadReply = { id, error: (error as Error).message };
    port.postMessage(reply);
  }
});
