import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { classByCode } from '@prodclass/textmodel/classes';
import { explanationRecord } from '@prodclass/textmodel/model/explanation-record';
import type { ClassProbability } from '@prodclass/textmodel/model/logistic-regression';
import type { ExplainedRanking, TokenCount } from '@prodclass/textmodel/model/text-classifier';
import type { ProductText } from '@prodclass/textmodel/text/product-text';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { AnsweringTrack } from '../answering-track.js';
import { errorResponseSchema, HttpError } from '../http-errors.js';
import type { InferenceLog } from '../inference-log.js';
import type { ServerMetrics } from '../metrics.js';
import type { LoadedModel, ModelSlot } from '../model-slot.js';
import {
  predictBatchBodySchema,
  predictBatchResponseSchema,
  predictBodySchema,
  predictionLimits,
  predictionSchema,
} from '../schemas.js';
import type { ShadowMirror } from '../shadow-mirror.js';
import { routesToCandidate } from '../traffic-split.js';
import { uuidv7 } from '../uuidv7.js';

/** The candidate model and the share of requests it gets (docs/model-server.md#candidate-model-canary-and-shadow). */
export interface CandidateRouting {
  slot: ModelSlot;
  /** Percent of products the candidate answers. */
  canaryWeight: number;
  /** Percent of the primary's requests mirrored to the candidate; none without a mirror. */
  shadowPercent: number;
  mirror: ShadowMirror | undefined;
  /** Milliseconds each request the candidate answered waits before its answer is sent (a drill's fault). */
  delayMs: number;
}

export interface PredictRoutesOptions {
  slot: ModelSlot;
  inferenceLog: InferenceLog | undefined;
  metrics: ServerMetrics;
  candidate: CandidateRouting | undefined;
}

/** A product to predict, with the catalog's id for it when the caller has one. */
type PredictItem = ProductText & { productid?: number };

const errorResponses = { 400: errorResponseSchema, 413: errorResponseSchema, 503: errorResponseSchema };

/**
 * An explained answer is mostly full-precision numbers in small nested objects, built with
 * exactly the schema's fields: V8's JSON.stringify writes it in about half the time of the
 * schema's compiled serializer (bench/explain/run.ts).
 */
function serializeNatively(reply: FastifyReply): void {
  reply.type('application/json; charset=utf-8').serializer(JSON.stringify);
}

function categoryOf(code: number): string {
  return classByCode(code)?.name ?? String(code);
}

export const predictRoutes: FastifyPluginAsync<PredictRoutesOptions> = async (app, options) => {
  const { slot, inferenceLog, metrics, candidate } = options;
  const textLengths = metrics.textLength.seriesFor();
  const confidences = metrics.confidence.seriesFor();
  /** Filled by each predictTopK call for the inference log; reused from call to call. */
  const tokenCounts: TokenCount[] = [];

  function servingModel(): LoadedModel {
    const model = slot.current;
    if (!model) throw new HttpError(503, 'no model is loaded yet; retry once GET /ready answers 200');
    return model;
  }

  /** With `explain` > 0, each prediction also takes its first two classes apart into that many terms each way. */
  function predict(model: LoadedModel, products: readonly PredictItem[], explain: number) {
    tokenCounts.length = 0;
    const logCounts = inferenceLog && tokenCounts;
    let explained: ExplainedRanking[] | undefined;
    let rankings: ClassProbability[][];
    const started = performance.now();
    if (explain > 0) {
      explained = model.classifier.explainTopK(products, predictionLimits.topK, explain, logCounts);
      rankings = explained.map(({ ranked }) => ranked);
    } else {
      rankings = model.classifier.predictTopK(products, predictionLimits.topK, logCounts);
    }
    const modelMs = (performance.now() - started) / products.length;
    const predictedAt = new Date();
    return products.map(({ designation, description: givenDescription, productid }, index) => {
      // An empty description is no description: NULL in the log, never '' (nor the seed's 'NaN').
      const description = givenDescription || null;
      const ranked = rankings[index] as ClassProbability[];
      const best = ranked[0];
      if (!best) throw new Error(`model ${model.name}/${model.version} returned no class`);
      const predictionId = uuidv7();
      const textLength = designation.length + (description?.length ?? 0);
      metrics.countPrediction(model.version, best.classCode);
      textLengths.observe(textLength);
      confidences.observe(best.probability);
      inferenceLog?.enqueue({
        predictedAt,
        predictionId,
        modelName: model.name,
        modelVersion: model.version,
        prdtypecode: best.classCode,
        confidence: best.probability,
        textLength,
        tokenCount: tokenCounts[index]?.tokens,
        unknownTokenCount: tokenCounts[index]?.unknown,
        designation,
        description,
        productid,
        modelMs,
      });
      return {
        prdtypecode: best.classCode,
        category: categoryOf(best.classCode),
        confidence: best.probability,
        top_k: ranked.map(({ classCode, probability }) => ({
          prdtypecode: classCode,
          category: categoryOf(classCode),
          probability,
        })),
        model: { name: model.name, version: model.version, alias: model.alias ?? null },
        prediction_id: predictionId,
        // Undefined without explain: the serializer leaves it out.
        explanation: explained?.[index]?.explanations.map(explanationRecord),
      };
    });
  }

  type Prediction = ReturnType<typeof predict>[number];

  /** Sends a share of the primary's answers to the candidate's shadow queue. */
  function mirror(
    routing: CandidateRouting,
    products: readonly PredictItem[],
    answers: readonly Prediction[],
  ) {
    if (!routing.mirror || Math.random() * 100 >= routing.shadowPercent) return;
    routing.mirror.offer({
      products,
      predictionIds: answers.map((answer) => answer.prediction_id),
      servedCodes: answers.map((answer) => answer.prdtypecode),
    });
  }

  /**
   * The answers to `products`, in their order: each product goes to the candidate when its
   * productid's bucket falls under the canary weight (docs/model-server.md), otherwise to the
   * primary, whose answers may also be mirrored to the candidate.
   */
  function answer(request: FastifyRequest, products: readonly PredictItem[], explain: number): Prediction[] {
    const primary = servingModel();
    if (!candidate) return predict(primary, products, explain);
    const fromPrimary = (items: readonly PredictItem[]) => {
      const answers = predict(primary, items, explain);
      mirror(candidate, items, answers);
      return answers;
    };
    const challenger = candidate.slot.current;
    if (!challenger || candidate.canaryWeight === 0) return fromPrimary(products);
    const toCandidate = products.map(({ productid }) => routesToCandidate(productid, candidate.canaryWeight));
    const candidateCount = toCandidate.filter(Boolean).length;
    if (candidateCount === 0) return fromPrimary(products);
    request.track = 'candidate';
    if (candidateCount === products.length) return predict(challenger, products, explain);
    const primaryAnswers = fromPrimary(products.filter((_, index) => !toCandidate[index]));
    const candidateAnswers = predict(
      challenger,
      products.filter((_, index) => toCandidate[index]),
      explain,
    );
    let primaryIndex = 0;
    let candidateIndex = 0;
    return toCandidate.map((routed) =>
      routed
        ? (candidateAnswers[candidateIndex++] as Prediction)
        : (primaryAnswers[primaryIndex++] as Prediction),
    );
  }

  /** The answer, held back CANDIDATE_DELAY_MS when the candidate answered (docs/model-server.md). */
  function answered<T>(request: FastifyRequest, answer: T): T | Promise<T> {
    if (!candidate?.delayMs || request.track !== 'candidate') return answer;
    return sleep(candidate.delayMs).then(() => answer);
  }

  const routes = ['/predict', '/predict/batch'];
  const durations = new Map(
    routes.map((route) => {
      const series = (track: AnsweringTrack) => metrics.predictionDuration.seriesFor(route, track);
      return [route, { primary: series('primary'), candidate: candidate ? series('candidate') : undefined }];
    }),
  );
  app.addHook('onResponse', (request, reply, done) => {
    const series = durations.get(request.routeOptions.url ?? '');
    // The candidate's series exist from the start (at 0), so a rate over them counts its first requests.
    if (reply.statusCode < 400) series?.[request.track]?.observe(reply.elapsedTime / 1000);
    done();
  });

  app.post<{ Body: PredictItem & { explain: number } }>(
    '/predict',
    {
      bodyLimit: predictionLimits.predictBodyBytes,
      schema: {
        summary: 'Predict the product-type code of one product',
        description: `Body at most ${predictionLimits.predictBodyBytes} bytes.`,
        body: predictBodySchema,
        response: { 200: predictionSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const [prediction] = answer(request, [request.body], request.body.explain);
      if (request.body.explain > 0) serializeNatively(reply);
      return answered(request, prediction);
    },
  );

  app.post<{ Body: { items: PredictItem[]; explain: number } }>(
    '/predict/batch',
    {
      bodyLimit: predictionLimits.batchBodyBytes,
      schema: {
        summary: `Predict the product-type codes of up to ${predictionLimits.batchItems} products`,
        description: `Body at most ${predictionLimits.batchBodyBytes} bytes; predictions come in the order of the items.`,
        body: predictBatchBodySchema,
        response: { 200: predictBatchResponseSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const predictions = answer(request, request.body.items, request.body.explain);
      if (request.body.explain > 0) serializeNatively(reply);
      return answered(request, { predictions });
    },
  );
};
