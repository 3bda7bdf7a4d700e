import { completedLoadNamed, latestCompletedLoad } from '@prodclass/catalog/data-loads';
import { type ImpactOptions, impactDefaults } from '@prodclass/registry/contract/impact-command';
import type { ImpactResult } from '@prodclass/registry/contract/job-result';
import type { MlflowClient, RegisteredModelVersion } from '@prodclass/registry/mlflow/client';
import { modelDirectory } from '@prodclass/registry/model-directory';
import { decodeModelBundle } from '@prodclass/textmodel/bundle/model-bundle';
import type { TextClassifier } from '@prodclass/textmodel/model/text-classifier';
import { scoreCatalogImpact } from '../impact/catalog-impact.js';
import { writeJobResult } from '../job-result-file.js';
import { writeJson } from '../options.js';
import { mlflowFromEnv, withCatalogDatabase } from '../services.js';

export type ImpactFlags = ImpactOptions;

async function classifierOf(mlflow: MlflowClient, version: RegisteredModelVersion): Promise<TextClassifier> {
  const bytes = await mlflow.downloadArtifact(`${version.source}/${modelDirectory.bundle}`);
  return decodeModelBundle(bytes, `${version.name} version ${version.version}`).classifier;
}

/**
 * `prodclass model impact`: scores every product of a catalog snapshot with the version the
 * champion alias points at and with the candidate, batch by batch, and reports how many products
 * would change class and the largest flips; the result is also the Job's termination message.
 */
export async function impact(flags: ImpactFlags): Promise<void> {
  const { registeredModel, championAlias } = flags;
  const mlflow = mlflowFromEnv('the impact preview');
  const champion = await mlflow.findModelVersionByAlias(registeredModel, championAlias);
  if (!champion)
    throw new Error(
      `${registeredModel}@${championAlias} points at no version: there is no champion to compare the candidate with`,
    );
  const candidate = await mlflow.findModelVersion(registeredModel, String(flags.candidate));
  if (!candidate) throw new Error(`${registeredModel} has no version ${flags.candidate}`);
  const [championModel, candidateModel] = await Promise.all([
    classifierOf(mlflow, champion),
    classifierOf(mlflow, candidate),
  ]);

  const result = await withCatalogDatabase(async (db): Promise<ImpactResult> => {
    const load =
      flags.dataVersion === impactDefaults.dataVersion
        ? await latestCompletedLoad(db)
        : await completedLoadNamed(db, flags.dataVersion);
    process.stderr.write(
      `scoring the catalog of ${load.name} with v${champion.version} (@${championAlias}) and v${candidate.version}\n`,
    );
    const summary = await scoreCatalogImpact(
      db,
      load,
      { champion: championModel, candidate: candidateModel },
      (products) => process.stderr.write(`scored ${products} products\n`),
    );
    return {
      kind: 'impact',
      registeredModel,
      championVersion: champion.version,
      candidateVersion: candidate.version,
      dataVersion: load.name,
      ...summary,
    };
  });
  writeJobResult(result);
  writeJson(result);
}
