import type { TObject } from '@sinclair/typebox';
import type { CelRule } from './schema.js';

export const group = 'mlops.prodclass.dev';
export const version = 'v1alpha1';
export const apiVersion = `${group}/${version}`;

export interface PrinterColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  jsonPath: string;
  description?: string;
}

/** One custom resource kind: its names, how kubectl shows it, and its spec and status schemas. */
export interface KindDefinition {
  kind: string;
  plural: string;
  shortNames: string[];
  description: string;
  spec: TObject;
  status: TObject;
  printerColumns: PrinterColumn[];
  /** The scale subresource, for kinds that `kubectl scale` and a HorizontalPodAutoscaler can act on. */
  scale?: { specReplicasPath: string; statusReplicasPath: string; labelSelectorPath: string };
  /** CEL rules on the whole object (such as on metadata.name). */
  objectValidations?: CelRule[];
}

type Json = Record<string, unknown>;

/** The order keys are written in, so the generated YAML reads like a hand-written CRD. */
const keyOrder = [
  'type',
  'format',
  'description',
  'required',
  'default',
  'enum',
  'exclusiveMinimum',
  'minimum',
  'maximum',
  'minLength',
  'maxLength',
  'pattern',
  'minItems',
  'maxItems',
];

function ordered(schema: Json): Json {
  const rank = (key: string) => {
    const index = keyOrder.indexOf(key);
    return index === -1 ? keyOrder.length : index;
  };
  return Object.fromEntries(Object.entries(schema).sort(([a], [b]) => rank(a) - rank(b)));
}

/**
 * A TypeBox schema as a CRD's structural OpenAPI v3.0 schema: a field with a default is not
 * required (the API server fills it in) and its description ends with the default,
 * `exclusiveMinimum` takes the v3.0 boolean form, and TypeBox's records become
 * `additionalProperties`.
 */
export function structural(schema: unknown): Json {
  const json = { ...(schema as Json) };
  // kubectl explain shows descriptions, not defaults: a scalar's default is told in its description.
  if (['string', 'number', 'boolean'].includes(typeof json.default))
    json.description = `${json.description ?? ''} Default: ${JSON.stringify(json.default)}.`.trimStart();
  if (typeof json.exclusiveMinimum === 'number') {
    json.minimum = json.exclusiveMinimum;
    json.exclusiveMinimum = true;
  }
  if (json.patternProperties !== undefined) {
    const [values] = Object.values(json.patternProperties as Json);
    json.additionalProperties = values;
    delete json.patternProperties;
  }
  if (json.properties !== undefined) Object.assign(json, structuralProperties(json));
  if (json.items !== undefined) json.items = structural(json.items);
  if (json.additionalProperties !== undefined && typeof json.additionalProperties === 'object')
    json.additionalProperties = structural(json.additionalProperties);
  if (Array.isArray(json.anyOf)) json.anyOf = json.anyOf.map(structural);
  return ordered(json);
}

/** An object schema's properties and required list, leaving out of it the fields with a default. */
function structuralProperties(json: Json): { properties?: Json; required?: string[] } {
  const properties = json.properties as Json;
  const required = ((json.required ?? []) as string[]).filter(
    (key) => (properties[key] as Json | undefined)?.default === undefined,
  );
  const entries = Object.entries(properties);
  return {
    properties:
      entries.length === 0
        ? undefined
        : Object.fromEntries(entries.map(([key, value]) => [key, structural(value)])),
    required: required.length === 0 ? undefined : required,
  };
}

/** The CustomResourceDefinition of a kind. */
export function customResourceDefinition(definition: KindDefinition): Json {
  const { kind, plural } = definition;
  // JSON drops TypeBox's symbol keys.
  const plain = (schema: TObject) => structural(JSON.parse(JSON.stringify(schema)));
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.${group}` },
    spec: {
      group,
      scope: 'Namespaced',
      names: {
        kind,
        listKind: `${kind}List`,
        plural,
        singular: kind.toLowerCase(),
        shortNames: definition.shortNames,
        categories: ['prodclass'],
      },
      versions: [
        {
          name: version,
          served: true,
          storage: true,
          subresources: { status: {}, ...(definition.scale ? { scale: definition.scale } : {}) },
          additionalPrinterColumns: [
            ...definition.printerColumns,
            { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
          ],
          schema: {
            openAPIV3Schema: {
              type: 'object',
              description: definition.description,
              required: ['spec'],
              ...(definition.objectValidations
                ? { 'x-kubernetes-validations': definition.objectValidations }
                : {}),
              properties: {
                apiVersion: {
                  type: 'string',
                  description: 'APIVersion defines the versioned schema of this representation of an object.',
                },
                kind: {
                  type: 'string',
                  description:
                    'Kind is a string value representing the REST resource this object represents.',
                },
                metadata: { type: 'object' },
                spec: plain(definition.spec),
                status: plain(definition.status),
              },
            },
          },
        },
      ],
    },
  };
}
