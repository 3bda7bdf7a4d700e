/**
 * A model as MODEL_URI names it: an MLflow registry version, the version an alias points at, or a
 * bundle file. The operator writes it into model-server Deployments, the model server reads it.
 */
export type ModelUri =
  | { kind: 'alias'; name: string; alias: string }
  | { kind: 'version'; name: string; version: string }
  | { kind: 'file'; path: string };

/**
 * Parses `models:/NAME@ALIAS`, `models:/NAME/VERSION` or a bundle file path; returns undefined
 * for a `models:/` URI of any other shape.
 */
export function parseModelUri(value: string): ModelUri | undefined {
  if (!value.startsWith('models:')) return { kind: 'file', path: value };
  const byAlias = /^models:\/([^/@]+)@([A-Za-z0-9_-]+)$/.exec(value);
  if (byAlias) return { kind: 'alias', name: byAlias[1] as string, alias: byAlias[2] as string };
  const byVersion = /^models:\/([^/@]+)\/([1-9][0-9]*)$/.exec(value);
  if (byVersion) return { kind: 'version', name: byVersion[1] as string, version: byVersion[2] as string };
  return undefined;
}

export function formatModelUri(uri: ModelUri): string {
  switch (uri.kind) {
    case 'alias':
      return `models:/${uri.name}@${uri.alias}`;
    case 'version':
      return `models:/${uri.name}/${uri.version}`;
    case 'file':
      return uri.path;
  }
}
