// One deterministic, valid value for a JSON schema of an OpenAPI document: only the required properties, the first
// enum value or union branch, the smallest allowed number, and the world's real ids for properties that name one.
import type { ReadBack } from '../../kit/read-back.ts';
import { resolve, type JsonSchema, type SchemaContext } from '../fuzz/schema-values.ts';

let unique = 0;

/** A different string each call, for names and e-mail addresses that must not repeat. */
export function uniqueSuffix(): string {
  unique += 1;
  return `${process.pid}-${unique}`;
}

function stringFor(schema: JsonSchema, at: string): string {
  if (schema.format === 'date-time') return '2025-06-01T12:00:00Z';
  if (schema.format === 'email' || at === 'email') return `contract-${uniqueSuffix()}@example.com`;
  if (schema.format === 'uuid') return '00000000-0000-4000-8000-000000000000';
  if (schema.format === 'uri' || /url|endpoint/.test(at)) return 'http://127.0.0.1:1/contract';
  const text = at === 'name' ? `Contract ${uniqueSuffix()}` : 'x';
  return text.padEnd(schema.minLength ?? 0, 'x');
}

export interface ExampleContext extends SchemaContext {
  /** Whole values for properties of that name whose schema says too little (free-form schedule objects). */
  values: Record<string, ReadBack>;
}

export function exampleFor(schema: JsonSchema | undefined, context: ExampleContext, at = '', depth = 0): ReadBack {
  if (at in context.values) return structuredClone(context.values[at]);
  const resolved = resolve(schema, context);
  const known = at ? context.known[at] : undefined;
  const free = !('const' in resolved) && !resolved.enum && !resolved.anyOf && !resolved.oneOf;
  if (known && free && (resolved.type === 'string' || resolved.type === undefined)) return known[0];
  if ('const' in resolved) return resolved.const;
  if (Array.isArray(resolved.enum)) return resolved.enum[0];
  const choices: JsonSchema[] | undefined = resolved.anyOf ?? resolved.oneOf;
  if (Array.isArray(choices) && choices.length > 0) {
    const choice = choices.find((branch) => resolve(branch, context).type !== 'null') ?? choices[0];
    return exampleFor(choice, context, at, depth);
  }
  switch (resolved.type) {
    case 'string':
      return stringFor(resolved, at);
    case 'integer':
    case 'number':
      return resolved.minimum ?? 1;
    case 'boolean':
      return false;
    case 'null':
      return null;
    case 'array': {
      const item = exampleFor(resolved.items, context, at, depth + 1);
      return Array.from({ length: resolved.minItems ?? 0 }, () => item);
    }
    case 'object': {
      const value: Record<string, ReadBack> = {};
      if (depth > 8) return value;
      for (const name of resolved.required ?? [])
        value[name] = exampleFor(resolved.properties?.[name], context, name, depth + 1);
      return value;
    }
  }
  return 'x';
}
