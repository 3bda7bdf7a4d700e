import { type SchemaOptions, type Static, type TSchema, type TUnsafe, Type } from '@sinclair/typebox';

/** A CEL rule the API server checks (`x-kubernetes-validations`). */
export interface CelRule {
  rule: string;
  message: string;
}

export const cel = (...rules: CelRule[]) => ({ 'x-kubernetes-validations': rules });

/** A string of a fixed set (an OpenAPI `enum`, which CRDs take and TypeBox's literal unions are not). */
export function Enum<const Values extends readonly string[]>(
  values: Values,
  options: SchemaOptions = {},
): TUnsafe<Values[number]> {
  return Type.Unsafe<Values[number]>({ ...options, type: 'string', enum: [...values] });
}

export const objectName = '^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$';
export const modelNamePattern = '^[A-Za-z0-9][A-Za-z0-9_.-]*$';
export const aliasPattern = '^[A-Za-z_][A-Za-z0-9_-]*$';
export const durationPattern = '^[1-9][0-9]{0,5}(m|h|d)$';
const quantityPattern =
  '^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$';

export const Alias = (options: SchemaOptions) =>
  Type.String({
    ...options,
    minLength: 1,
    maxLength: 255,
    pattern: aliasPattern,
    ...cel({
      rule: "self != 'latest' && !self.matches('^[vV][0-9]+$')",
      message: "alias must not be 'latest' or look like a version number such as v3",
    }),
  });

export const RegisteredModel = (options: SchemaOptions) =>
  Type.String({ ...options, minLength: 1, maxLength: 256, pattern: modelNamePattern });

export const Seed = (options: SchemaOptions) => Type.Integer({ ...options, minimum: 0, maximum: 4294967295 });

export const Timestamp = (description: string) => Type.String({ description, format: 'date-time' });

export const ObservedGeneration = Type.Integer({
  description: 'The metadata.generation this status describes.',
  format: 'int64',
});

const Quantities = (description: string) =>
  Type.Record(
    Type.String(),
    Type.Union([Type.Integer(), Type.String()], {
      pattern: quantityPattern,
      'x-kubernetes-int-or-string': true,
    }),
    { description },
  );

/** Core ResourceRequirements; quantities may be written as numbers (`cpu: 2`). */
export const ResourceRequirements = (description: string) =>
  Type.Object(
    {
      limits: Type.Optional(
        Quantities('Most compute resources the container may use, such as cpu and memory.'),
      ),
      requests: Type.Optional(Quantities('Compute resources the scheduler reserves for the container.')),
    },
    { description },
  );
export type ResourceRequirements = Static<ReturnType<typeof ResourceRequirements>>;

/** metav1.Condition. */
export const Condition = Type.Object(
  {
    type: Type.String({
      description: 'Type of the condition, in CamelCase.',
      maxLength: 316,
      pattern:
        '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$',
    }),
    status: Enum(['True', 'False', 'Unknown'], { description: 'True, False or Unknown.' }),
    observedGeneration: Type.Optional(
      Type.Integer({
        format: 'int64',
        minimum: 0,
        description: 'The metadata.generation the condition was set for.',
      }),
    ),
    lastTransitionTime: Timestamp('When the status last changed.'),
    reason: Type.String({
      description: 'Programmatic identifier of the reason for the last transition, in CamelCase.',
      minLength: 1,
      maxLength: 1024,
      pattern: '^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$',
    }),
    message: Type.String({ description: 'What happened, for a person.', maxLength: 32768 }),
  },
  { description: "One aspect of the object's state." },
);
export type Condition = Static<typeof Condition>;

export const Conditions = (description: string) =>
  Type.Array(Condition, {
    description,
    'x-kubernetes-list-type': 'map',
    'x-kubernetes-list-map-keys': ['type'],
  });

export const Phase = Enum(['Pending', 'Running', 'Succeeded', 'Failed']);

export type { Static, TSchema };

/** Core ResourceRequirements as a container takes them: each quantity as text (`2` → `"2"`). */
export function containerResources(
  resources: ResourceRequirements | undefined,
): { limits?: Record<string, string>; requests?: Record<string, string> } | undefined {
  if (resources === undefined) return undefined;
  const text = (quantities: Record<string, string | number> | undefined) =>
    quantities &&
    Object.fromEntries(Object.entries(quantities).map(([name, quantity]) => [name, String(quantity)]));
  return { limits: text(resources.limits), requests: text(resources.requests) };
}
