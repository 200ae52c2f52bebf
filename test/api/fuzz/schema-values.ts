// fast-check arbitraries from the JSON schemas of an OpenAPI document: values that satisfy a schema (as far as
// type, enum, const, lengths and bounds go), the starting point the hostile requests then break in one place.
import type { ReadBack } from '../../kit/read-back.ts';
import fc from 'fast-check';

export type JsonSchema = Record<string, ReadBack>;

export interface SchemaContext {
  components: Record<string, JsonSchema>;
  /**
   * Values that mean something for properties of that name (`connection_id` → a real connection, `type` → a real
   * connection type), so that requests get past "not found" into the handlers' own checks.
   */
  known: Record<string, readonly string[]>;
}

/** Loose schedule objects (their keys are checked by the domain, not the schema): real keys, odd values. */
const scheduleLike = fc.record(
  {
    frequency: fc.constantFrom(
      'manual',
      'continuous',
      'hourly',
      'daily',
      'weekly',
      'monthly',
      'custom',
      'multi',
      'dbtcloud',
      'often',
      '',
    ),
    minute: fc.constantFrom('00', '59', '60', '-1', '*/15', 'x', '', '1.5'),
    hour: fc.constantFrom('03', '23', '24', '-1', '*', 'noon', ''),
    day_of_week: fc.constantFrom('monday', 'mon-fri', 'funday', '7', ''),
    day_of_month: fc.constantFrom('1', '31', '32', '0', 'L', ''),
    month: fc.constantFrom('1', '12', '13', 'jan', ''),
    resync_mode: fc.constantFrom('rebuild', 'full', 'incremental', 'nope'),
    schemas: fc.array(fc.constantFrom('items', 'nothing'), { maxLength: 2 }),
    run_after: fc.constantFrom({}, { bulk_sync_ids: ['x'] }, null, 'x'),
    multi: fc.constantFrom({ schedules: [] }, { schedules: [{ schedule: { frequency: 'daily', hour: '25' } }] }, 'x'),
  },
  { requiredKeys: ['frequency'] },
);

export function resolve(schema: JsonSchema | undefined, context: SchemaContext): JsonSchema {
  let current = schema ?? {};
  for (let hops = 0; typeof current.$ref === 'string' && hops < 16; hops += 1)
    current = context.components[current.$ref.split('/').pop()!] ?? {};
  return current;
}

const scalar = fc.oneof(fc.string({ maxLength: 8 }), fc.integer(), fc.boolean(), fc.constant(null));

function stringFor(schema: JsonSchema): fc.Arbitrary<string> {
  if (schema.format === 'date-time') return fc.constant('2025-06-01T12:00:00Z');
  if (schema.format === 'email') return fc.constant('someone@example.com');
  if (schema.format === 'uuid') return fc.uuid();
  const minLength = schema.minLength ?? 0;
  const maxLength = Math.max(minLength, Math.min(schema.maxLength ?? 12, 12));
  return fc.string({ minLength, maxLength, unit: 'grapheme-ascii' });
}

/** A value that satisfies `schema`, with known ids for the properties the world has (`at` is the property name). */
export function valueFor(
  schema: JsonSchema | undefined,
  context: SchemaContext,
  depth = 0,
  at = '',
): fc.Arbitrary<unknown> {
  const resolved = resolve(schema, context);
  const known = at ? context.known[at] : undefined;
  const free = !('const' in resolved) && !resolved.enum && !resolved.anyOf && !resolved.oneOf;
  if (known && free && (resolved.type === 'string' || resolved.type === undefined))
    return fc.oneof({ arbitrary: fc.constantFrom(...known), weight: 4 }, { arbitrary: stringFor(resolved), weight: 1 });
  if (/schedule/.test(at) && resolved.type === 'object' && !resolved.properties) return scheduleLike;
  if ('const' in resolved) return fc.constant(resolved.const);
  if (Array.isArray(resolved.enum)) return fc.constantFrom(...resolved.enum);
  const choices = resolved.anyOf ?? resolved.oneOf;
  if (Array.isArray(choices) && choices.length > 0)
    return fc.oneof(...choices.map((choice: JsonSchema) => valueFor(choice, context, depth, at)));
  if (resolved.type === 'array' && /schedules/.test(at) && !resolve(resolved.items, context).properties)
    return fc.array(scheduleLike, { maxLength: 2 });
  switch (resolved.type) {
    case 'string':
      return stringFor(resolved);
    case 'integer':
      return fc.integer({ min: resolved.minimum ?? 0, max: Math.min(resolved.maximum ?? 1000, 1000) });
    case 'number':
      return fc.double({
        min: resolved.minimum ?? 0,
        max: resolved.maximum ?? 1000,
        noNaN: true,
        noDefaultInfinity: true,
      });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      if (depth > 8) return fc.constant([]);
      return fc.array(valueFor(resolved.items, context, depth + 1, at), {
        minLength: resolved.minItems ?? 0,
        maxLength: Math.max(resolved.minItems ?? 0, 2),
      });
    case 'object':
      return objectFor(resolved, context, depth);
  }
  return scalar;
}

function objectFor(schema: JsonSchema, context: SchemaContext, depth: number): fc.Arbitrary<unknown> {
  const properties = Object.entries<JsonSchema>(schema.properties ?? {});
  if (properties.length === 0 || depth > 8) {
    if (depth > 8) return fc.constant({});
    const values = schema.patternProperties ? Object.values<JsonSchema>(schema.patternProperties)[0] : undefined;
    return fc.dictionary(
      fc.string({ minLength: 1, maxLength: 6, unit: 'grapheme-ascii' }),
      valueFor(values, context, depth + 1),
      {
        maxKeys: 2,
      },
    );
  }
  const required = new Set<string>(schema.required ?? []);
  const record: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [name, property] of properties) record[name] = valueFor(property, context, depth + 1, name);
  return fc.record(record, { requiredKeys: [...required].filter((name) => name in record) });
}

/** A JSON type other than the schema's, or null: what a "wrong type" mutation puts in a field. */
export function wrongTypeFor(schema: JsonSchema | undefined, context: SchemaContext): fc.Arbitrary<unknown> {
  const resolved = resolve(schema, context);
  const types = new Set<string>();
  const collect = (node: JsonSchema) => {
    const resolvedNode = resolve(node, context);
    if (Array.isArray(resolvedNode.anyOf)) resolvedNode.anyOf.forEach(collect);
    else if ('const' in resolvedNode) types.add(typeof resolvedNode.const);
    else if (typeof resolvedNode.type === 'string')
      types.add(resolvedNode.type === 'integer' ? 'number' : resolvedNode.type);
    else types.add('any');
  };
  collect(resolved);
  const candidates: Array<[string, unknown]> = [
    ['string', 'not the right type'],
    ['number', 12.5],
    ['boolean', true],
    ['object', { unexpected: 1 }],
    ['array', ['unexpected']],
    ['null', null],
  ];
  return fc.constantFrom(
    ...candidates.filter(([type]) => !types.has(type) && !types.has('any')).map(([, value]) => value),
  );
}

/** True when a property of this schema accepts only certain types (so a wrong type must be refused). */
export function isTyped(schema: JsonSchema | undefined, context: SchemaContext): boolean {
  const resolved = resolve(schema, context);
  if (Array.isArray(resolved.anyOf)) return resolved.anyOf.every((choice: JsonSchema) => isTyped(choice, context));
  return typeof resolved.type === 'string' || 'const' in resolved || Array.isArray(resolved.enum);
}

/** The enum values of a property (const choices of an anyOf, or enum), when it is one. */
export function enumValues(schema: JsonSchema | undefined, context: SchemaContext): unknown[] | undefined {
  const resolved = resolve(schema, context);
  if (Array.isArray(resolved.enum)) return resolved.enum;
  if (Array.isArray(resolved.anyOf) && resolved.anyOf.every((choice: JsonSchema) => 'const' in choice))
    return resolved.anyOf.map((choice: JsonSchema) => choice.const);
  return undefined;
}
