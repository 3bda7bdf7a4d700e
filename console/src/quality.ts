import { liveQuality } from '@prodclass/catalog/quality/live-quality';
import {
  accuracySeries,
  alignWindow,
  liveConfusions,
  mislabeledTexts,
} from '@prodclass/catalog/quality/live-quality-details';
import { metricKey } from '@prodclass/registry/contract/metric-keys';
import type { MlflowClient } from '@prodclass/registry/mlflow/client';
import type { FastifyBaseLogger } from 'fastify';
import type { CatalogReader } from './database.js';
import {
  type ConfusionTerms,
  explainedConfusions,
  explainedPerConfusion,
  type ServedBundles,
  termsBehindErrors,
} from './error-terms.js';
import type { QualityPageModel } from './pages/quality.js';

export interface QualitySources {
  catalog: CatalogReader;
  mlflow: MlflowClient;
  bundles: ServedBundles;
  registeredModel: string;
  alias: string;
  log: FastifyBaseLogger;
}

const dayMs = 86_400_000;
const testAccuracy = metricKey('test', 'accuracy');

/** Each version's offline test accuracy, from its training run in MLflow. */
async function offlineAccuracies(
  mlflow: MlflowClient,
  registeredModel: string,
  versions: readonly string[],
): Promise<Map<string, number>> {
  const accuracies = new Map<string, number>();
  await Promise.all(
    versions.map(async (version) => {
      const registered = await mlflow.findModelVersion(registeredModel, version);
      if (!registered?.runId) return;
      const accuracy = (await mlflow.getRun(registered.runId)).metrics[testAccuracy];
      if (accuracy !== undefined) accuracies.set(version, accuracy);
    }),
  );
  return accuracies;
}

/**
 * The Quality page's numbers for the last `days` (per hour for one day, else per UTC day); the
 * confusions and error terms of `version`, else the alias's, else the newest version served.
 */
export async function qualityModel(
  sources: QualitySources,
  query: { days: number; version?: string | undefined },
): Promise<QualityPageModel> {
  const { catalog, mlflow, registeredModel } = sources;
  const step = query.days <= 1 ? 'hour' : 'day';
  const now = Date.now();
  const window = {
    ...alignWindow({ from: new Date(now - query.days * dayMs), to: new Date(now) }, step),
    modelName: registeredModel,
  };
  const { report, series } = await catalog.use(async (client) => ({
    report: await liveQuality(client, window),
    series: await accuracySeries(client, window, step),
  }));
  const versions = report.versions.sort((a, b) => Number(a.modelVersion) - Number(b.modelVersion));
  const served = versions.map((version) => version.modelVersion);
  let registryProblem: string | undefined;
  let offlineAccuracy = new Map<string, number>();
  let aliasVersion: string | undefined;
  try {
    aliasVersion = (await mlflow.findModelVersionByAlias(registeredModel, sources.alias))?.version;
    offlineAccuracy = await offlineAccuracies(mlflow, registeredModel, served);
  } catch (error) {
    registryProblem = `MLflow could not be read, so offline accuracies are missing: ${(error as Error).message}`;
  }
  const selected = [query.version, aliasVersion, served.at(-1)].find(
    (version) => version !== undefined && served.includes(version),
  );
  const confusions = selected
    ? await catalog.use((client) => liveConfusions(client, { ...window, modelVersion: selected }))
    : [];
  const errors = confusions
    .filter((cell) => cell.predictedCode !== cell.prdtypecode)
    .slice(0, explainedConfusions);
  let errorTerms: { terms: ConfusionTerms[] } | { problem: string } = { terms: [] };
  if (selected && errors.length > 0) {
    try {
      const texts = await catalog.use((client) =>
        mislabeledTexts(client, { ...window, modelVersion: selected }, errors, explainedPerConfusion),
      );
      const classifier = await sources.bundles.classifier(registeredModel, selected);
      errorTerms = { terms: termsBehindErrors(classifier, errors, texts) };
    } catch (error) {
      sources.log.warn({ err: error, version: selected }, 'terms behind errors not computed');
      errorTerms = {
        problem: `The terms behind v${selected}'s errors could not be computed: ${(error as Error).message}`,
      };
    }
  }
  return {
    registeredModel,
    days: query.days,
    step,
    from: window.from,
    to: window.to,
    versions,
    series,
    offlineAccuracy,
    ...(registryProblem ? { registryProblem } : {}),
    selected,
    confusions,
    errorTerms,
    perConfusion: explainedPerConfusion,
  };
}
