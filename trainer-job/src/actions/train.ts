import { progressToStderr } from '@prodclass/catalog/progress';
import { type TrainOptions, trainFlags } from '@prodclass/registry/contract/train-command';
import { classifierSettings } from '../classifier-settings.js';
import { gitCommit } from '../git-commit.js';
import { writeJson } from '../options.js';
import { requester } from '../requester.js';
import { mlflowFromEnv, withMigratedDatabase } from '../services.js';
import { trainAndRegister } from '../training/train-and-register.js';

export async function train(flags: TrainOptions): Promise<void> {
  if (flags.autoPromote && flags.decidePromotion)
    throw new Error(`${trainFlags.autoPromote} and ${trainFlags.decidePromotion} exclude each other`);
  const mlflow = mlflowFromEnv('training');
  const promotion =
    flags.autoPromote || flags.decidePromotion
      ? { minF1: flags.minF1, alias: flags.alias, apply: flags.autoPromote }
      : undefined;
  const commit = gitCommit();
  const summary = await withMigratedDatabase((db) =>
    trainAndRegister(
      { db, mlflow, progress: progressToStderr },
      {
        ...(flags.dataVersion ? { dataVersion: flags.dataVersion } : {}),
        settings: classifierSettings(flags),
        testSize: flags.testSize,
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
  writeJson(summary);
}
