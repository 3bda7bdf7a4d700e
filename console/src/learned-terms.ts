import { isMissing, type MlflowClient, type RegisteredModelVersion } from '@prodclass/registry/mlflow/client';

/** A term and its coefficient, as training logs them in `evaluation/learned_terms.json`. */
export interface LoggedTerm {
  feature: string;
  weight: number;
}

export interface LoggedClassTerms {
  prdtypecode: number;
  category: string | null;
  intercept: number;
  positive: LoggedTerm[];
  negative: LoggedTerm[];
}

/** What the console knows of one version's learned terms. */
export type VersionLearnedTerms =
  | { version: string; state: 'logged'; classes: LoggedClassTerms[] }
  | { version: string; state: 'not-logged' }
  | { version: string; state: 'unreadable'; problem: string };

const learnedTermsArtifact = 'evaluation/learned_terms.json';

const isTerm = (value: unknown): value is LoggedTerm =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as LoggedTerm).feature === 'string' &&
  Number.isFinite((value as LoggedTerm).weight);

const isClassTerms = (value: unknown): value is LoggedClassTerms => {
  const entry = value as LoggedClassTerms;
  return (
    typeof value === 'object' &&
    value !== null &&
    Number.isInteger(entry.prdtypecode) &&
    (entry.category === null || typeof entry.category === 'string') &&
    Number.isFinite(entry.intercept) &&
    Array.isArray(entry.positive) &&
    entry.positive.every(isTerm) &&
    Array.isArray(entry.negative) &&
    entry.negative.every(isTerm)
  );
};

/** The classes of a `learned_terms.json`, or undefined when it does not have the shape training writes. */
export function parseLearnedTerms(text: string): LoggedClassTerms[] | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  const classes = (json as { classes?: unknown } | null)?.classes;
  return Array.isArray(classes) && classes.every(isClassTerms) ? classes : undefined;
}

/** The learned terms of `version`, read from its run's artifacts. */
export async function versionLearnedTerms(
  mlflow: MlflowClient,
  version: RegisteredModelVersion,
): Promise<VersionLearnedTerms> {
  const unreadable = (problem: string) => ({
    version: version.version,
    state: 'unreadable' as const,
    problem,
  });
  if (!version.runId) return unreadable(`v${version.version} has no MLflow run to read its terms from.`);
  try {
    const run = await mlflow.getRun(version.runId);
    const bytes = await mlflow.downloadArtifact(`${run.artifactUri}/${learnedTermsArtifact}`);
    const classes = parseLearnedTerms(bytes.toString('utf8'));
    if (!classes)
      return unreadable(`v${version.version}'s ${learnedTermsArtifact} is not in the expected shape.`);
    return { version: version.version, state: 'logged', classes };
  } catch (error) {
    // The artifact proxy answers 404 for a file the run never logged.
    if (isMissing(error)) return { version: version.version, state: 'not-logged' };
    return unreadable(`MLflow could not be read: ${(error as Error).message}`);
  }
}
