import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { MlflowClient, type RegisteredModelVersion } from '@prodclass/registry/mlflow/client';
import { modelDirectory } from '@prodclass/registry/model-directory';
import type { ModelUri } from '@prodclass/registry/model-uri';

/** A model the source names right now, before its bundle is fetched. */
export interface ModelCandidate {
  name: string;
  version: string;
  alias: string | undefined;
  /** Where the bundle comes from: an artifact URI or a file path. */
  location: string;
  runId: string | undefined;
  tags: Record<string, string>;
  readBundle(): Promise<Buffer>;
  /** The training run's metrics; empty when there is no run or it cannot be read. */
  readMetrics(): Promise<Record<string, number>>;
}

/** Where models come from; `resolve` is cheap enough to poll. */
export interface ModelSource {
  readonly usesMlflow: boolean;
  resolve(): Promise<ModelCandidate>;
}

function registryCandidate(
  registry: MlflowClient,
  modelVersion: RegisteredModelVersion,
  alias: string | undefined,
): ModelCandidate {
  if (modelVersion.status !== 'READY') {
    throw new Error(
      `model version ${modelVersion.name}/${modelVersion.version} is ${modelVersion.status}, not READY`,
    );
  }
  const location = `${modelVersion.source.replace(/\/+$/, '')}/${modelDirectory.bundle}`;
  const { runId } = modelVersion;
  return {
    name: modelVersion.name,
    version: modelVersion.version,
    alias,
    location,
    runId,
    tags: modelVersion.tags,
    readBundle: () => registry.downloadArtifact(location),
    readMetrics: async () =>
      runId
        ? registry
            .getRun(runId)
            .then((run) => run.metrics)
            .catch(() => ({}))
        : {},
  };
}

class RegistrySource implements ModelSource {
  readonly usesMlflow = true;
  readonly #registry: MlflowClient;

  constructor(
    trackingUri: string,
    readonly uri: Extract<ModelUri, { kind: 'alias' | 'version' }>,
    /** For a version URI: the alias the version was chosen through, if any. */
    private readonly followedAlias: string | undefined,
  ) {
    this.#registry = new MlflowClient(trackingUri);
  }

  async resolve(): Promise<ModelCandidate> {
    const { uri } = this;
    if (uri.kind === 'alias') {
      const version = await this.#registry.modelVersionByAlias(uri.name, uri.alias);
      return registryCandidate(this.#registry, version, uri.alias);
    }
    return registryCandidate(
      this.#registry,
      await this.#registry.modelVersion(uri.name, uri.version),
      this.followedAlias,
    );
  }
}

/** A bundle file; its version is a digest of its content, so a replaced file is a new version. */
class BundleFileSource implements ModelSource {
  readonly usesMlflow = false;

  constructor(readonly filePath: string) {}

  async resolve(): Promise<ModelCandidate> {
    const bundle = await fs.readFile(this.filePath).catch((error: NodeJS.ErrnoException) => {
      throw new Error(`cannot read the model bundle ${this.filePath}: ${error.code ?? error.message}`);
    });
    return {
      name: path.basename(this.filePath),
      version: `sha256:${createHash('sha256').update(bundle).digest('hex').slice(0, 12)}`,
      alias: undefined,
      location: this.filePath,
      runId: undefined,
      tags: {},
      readBundle: async () => bundle,
      readMetrics: async () => ({}),
    };
  }
}

export function createModelSource(
  uri: ModelUri,
  mlflowTrackingUri: string | undefined,
  followedAlias?: string,
): ModelSource {
  if (uri.kind === 'file') return new BundleFileSource(uri.path);
  if (!mlflowTrackingUri) throw new Error('MLFLOW_TRACKING_URI is required to load a registered model');
  return new RegistrySource(mlflowTrackingUri, uri, followedAlias);
}
