import { trainingTags } from '@prodclass/registry/contract/mlflow-tags';
import type { MlflowClient } from '@prodclass/registry/mlflow/client';

/** The data load a registered version was trained on, from the tag training wrote on it. */
export async function trainingDataVersion(
  mlflow: MlflowClient,
  modelName: string,
  version: string,
): Promise<string> {
  const modelVersion = await mlflow.modelVersion(modelName, version);
  const dataVersion = modelVersion.tags[trainingTags.dataVersion];
  if (!dataVersion)
    throw new Error(
      `${modelName} version ${version} has no ${trainingTags.dataVersion} tag: it was not trained by prodclass`,
    );
  return dataVersion;
}
