import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { SeededRandom } from '@prodclass/textmodel/sampling/random';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

/** The shape of generated inference-log traffic; drift tests shift one part of it. */
export interface TrafficProfile {
  textLengthMean: number;
  textLengthDeviation: number;
  /** prdtypecode → relative weight. */
  classWeights: Record<number, number>;
  /** Share of the looked-up terms unknown to the vocabulary, on average. */
  unknownShare: number;
}

export const baselineTraffic: TrafficProfile = {
  textLengthMean: 400,
  textLengthDeviation: 120,
  classWeights: { 10: 5, 40: 3, 1140: 4, 1280: 6, 2583: 8, 2705: 2 },
  unknownShare: 0.04,
};

export interface GeneratedPrediction {
  predictedAt: Date;
  modelName: string;
  modelVersion: string;
  prdtypecode: number;
  /** A float32 value, as the log's real column keeps it. */
  confidence: number;
  textLength: number;
  tokenCount: number;
  unknownTokenCount: number;
}

export interface TrafficWindow {
  modelName: string;
  modelVersion: string;
  from: Date;
  to: Date;
  count: number;
  profile: TrafficProfile;
  seed: number;
}

export function* generatedPredictions(window: TrafficWindow): Generator<GeneratedPrediction> {
  const random = new SeededRandom(window.seed);
  const { profile } = window;
  const classes = Object.entries(profile.classWeights).map(
    ([code, weight]) => [Number(code), weight] as const,
  );
  const totalWeight = classes.reduce((sum, [, weight]) => sum + weight, 0);
  const span = window.to.getTime() - window.from.getTime();
  for (let index = 0; index < window.count; index++) {
    let pick = random.next() * totalWeight;
    let prdtypecode = classes[0]?.[0] ?? 0;
    for (const [code, weight] of classes) {
      prdtypecode = code;
      pick -= weight;
      if (pick < 0) break;
    }
    // Box-Muller: a normal deviate from two uniforms.
    const normal = Math.sqrt(-2 * Math.log(1 - random.next())) * Math.cos(2 * Math.PI * random.next());
    const textLength = Math.max(1, Math.round(profile.textLengthMean + profile.textLengthDeviation * normal));
    const tokenCount = Math.max(1, Math.round(textLength / 6));
    yield {
      predictedAt: new Date(window.from.getTime() + Math.floor(random.next() * span)),
      modelName: window.modelName,
      modelVersion: window.modelVersion,
      prdtypecode,
      confidence: Math.fround(random.next() ** 0.4),
      textLength,
      tokenCount,
      unknownTokenCount: Math.min(
        tokenCount,
        Math.round(tokenCount * profile.unknownShare * 2 * random.next()),
      ),
    };
  }
}

function copyLine(prediction: GeneratedPrediction): string {
  const { predictedAt, modelName, modelVersion, prdtypecode, confidence, textLength } = prediction;
  return `${randomUUID()}\t${predictedAt.toISOString()}\t${modelName}\t${modelVersion}\t${prdtypecode}\t${confidence}\t${textLength}\tgenerated product ${prdtypecode}\t\\N\t${prediction.tokenCount}\t${prediction.unknownTokenCount}\n`;
}

/** Writes predictions into inference_log with COPY, in chunks of lines. */
export async function copyPredictions(
  client: pg.Client,
  predictions: Iterable<GeneratedPrediction>,
): Promise<void> {
  function* chunks(): Generator<string> {
    let chunk = '';
    for (const prediction of predictions) {
      chunk += copyLine(prediction);
      if (chunk.length > 1 << 16) {
        yield chunk;
        chunk = '';
      }
    }
    if (chunk) yield chunk;
  }
  await pipeline(
    Readable.from(chunks()),
    client.query(
      copyFrom(
        `copy inference_log (prediction_id, predicted_at, model_name, model_version, prdtypecode, confidence,
          text_length, designation, description, token_count, unknown_token_count) from stdin`,
      ),
    ),
  );
}
