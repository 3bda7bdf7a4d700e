import fs from 'node:fs';
import path from 'node:path';
import { kinds } from '@prodclass/api/crds';
import { Value } from '@sinclair/typebox/value';
import yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { repoRoot } from '../../stack/paths.js';
import { applyCrds, createNamespace, deleteNamespace, kubectl } from './support/cluster.js';

// The API server fills in the schemas' defaults (api/src/kinds/), so what kubectl shows of an applied
// sample is the sample with every default it left out. Nothing here runs the operator.

type Sample = { kind: string; metadata: { name: string }; spec: Record<string, unknown> };

const samplesDir = path.join(repoRoot, 'manifests/samples');
const samples = fs
  .readdirSync(samplesDir)
  .filter((name) => name.endsWith('.yaml'))
  .sort()
  .map((file) => ({
    file,
    object: yaml.load(fs.readFileSync(path.join(samplesDir, file), 'utf8')) as Sample,
  }));
const definitionOf = (kind: string) => {
  const definition = kinds.find((candidate) => candidate.kind === kind);
  if (!definition) throw new Error(`no schema for kind ${kind}`);
  return definition;
};

let namespace: string;

beforeAll(async () => {
  await applyCrds();
  namespace = await createNamespace('samples');
});

afterAll(async () => {
  await deleteNamespace(namespace);
});

test.each(samples)(
  'kubectl get -o yaml of $file shows the spec with the defaults filled in',
  async ({ file, object }) => {
    await kubectl(
      'apply',
      '--server-side',
      '--field-manager=prodclass-tests',
      '-n',
      namespace,
      '-f',
      path.join(samplesDir, file),
    );
    const { stdout } = await kubectl(
      'get',
      object.kind.toLowerCase(),
      object.metadata.name,
      '-n',
      namespace,
      '-o',
      'yaml',
    );
    const stored = yaml.load(stdout) as Sample;
    const expected = Value.Default(definitionOf(object.kind).spec, structuredClone(object.spec));
    expect(stored.spec).toEqual(expected);
  },
);

/** The path of each scalar default in a spec schema (`hyperparameters.maxFeatures`), with its value. */
function scalarDefaults(schema: Record<string, unknown>, at: string[] = []): [string, unknown][] {
  const own: [string, unknown][] =
    at.length > 0 && ['string', 'number', 'boolean'].includes(typeof schema.default)
      ? [[at.join('.'), schema.default]]
      : [];
  return own.concat(
    Object.entries((schema.properties ?? {}) as Record<string, Record<string, unknown>>).flatMap(
      ([name, property]) => scalarDefaults(property, [...at, name]),
    ),
  );
}

describe('kubectl explain tells each default', () => {
  test.each(kinds.map((definition) => ({ kind: definition.kind, definition })))(
    '$kind',
    async ({ kind, definition }) => {
      for (const [field, value] of scalarDefaults(definition.spec as never)) {
        const { stdout } = await kubectl('explain', `${kind.toLowerCase()}.spec.${field}`);
        expect(stdout.replace(/\s+/g, ' '), `kubectl explain ${kind}.spec.${field}`).toContain(
          `Default: ${JSON.stringify(value)}.`,
        );
      }
    },
  );
});
