import type { FeedbackSource } from '@prodclass/catalog/feedback/feedback-store';
import { progressToStderr } from '@prodclass/catalog/progress';
import type { TrainResult } from '@prodclass/registry/contract/job-result';
import { metricKey, summaryScores } from '@prodclass/registry/contract/metric-keys';
import { type TrainOptions, trainFlags } from '@prodclass/registry/contract/train-command';
import { classByCode } from '@prodclass/textmodel/classes';
import { classifierSettings } from '../classifier-settings.js';
import { gitCommit } from '../git-commit.js';
import { writeJobResult } from '../job-result-file.js';
import { writeJson } from '../options.js';
import { requester } from '../requester.js';
import { mlflowFromEnv, withCatalogDatabase } from '../services.js';
import { type TrainingSummary, trainAndRegister } from '../training/train-and-register.js';

/** What the operator reads back from the Job: the run, the version, its held-out scores, the verdict. */
function trainResult(summary: TrainingSummary): TrainResult {
  const { promotion } = summary;
  return {
    kind: 'train',
    dataVersion: summary.data_version,
    rows: summary.rows,
    runId: summary.run_id,
    registeredModel: summary.registered_model,
    modelVersion: String(summary.model_version),
    metrics: Object.fromEntries(
      summaryScores.map((score) => [metricKey('test', score), summary.metrics.test[score]]),
    ),
    ...(promotion ? { promotion: { decision: promotion.decision, reason: promotion.reason } } : {}),
  };
}

export async function train(flags: TrainOptions): Promise<void> {
  if (flags.autoPromote && flags.decidePromotion)
    throw new Error(`${trainFlags.autoPromote} and ${trainFlags.decidePromotion} exclude each other`);
  for (const code of Object.keys(flags.criticalClass))
    if (!classByCode(Number(code)))
      throw new Error(`${trainFlags.criticalClass} ${code}: not one of the 27 product type codes`);
  const mlflow = mlflowFromEnv('training');
  const promotion =
    flags.autoPromote || flags.decidePromotion
      ? {
          minF1: flags.minF1,
          minComparisonRows: flags.minComparisonRows,
          guardrails: { maxClassDrop: flags.maxClassDrop, criticalClasses: flags.criticalClass },
          alias: flags.alias,
          apply: flags.autoPromote,
        }
      : undefined;
  if (flags.feedbackSource.length > 0 && !flags.feedbackSince)
    throw new Error(`${trainFlags.feedbackSource} needs ${trainFlags.feedbackSince}`);
  const commit = gitCommit();
  const summary = await withCatalogDatabase((db) =>
    trainAndRegister(
      { db, mlflow, progress: progressToStderr },
      {
        ...(flags.dataVersion ? { dataVersion: flags.dataVersion } : {}),
        settings: classifierSettings(flags),
        testSize: flags.testSize,
        splitKey: flags.splitKey,
        ...(flags.feedbackSince
          ? {
              feedback: {
                since: new Date(flags.feedbackSince),
                sources: flags.feedbackSource as FeedbackSource[],
              },
            }
          : {}),
        experiment: flags.experiment,
        registeredModel: flags.registeredModel,
        ...(flags.runName ? { runName: flags.runName } : {}),
        tags: flags.tag,
        ...(promotion ? { promotion } : {}),
        requestedBy: requester(),
        ...(commit ? { gitCommit: commit } : {}),
      },
    ),
  );
  writeJobResult(trainResult(summary));
  writeJson(summary);
}
