// Declarative schema effects for version changes: what an instruction does to a type's documented schema, newer →
// older. openapi.ts applies them in the same order as migrate.ts applies the wire conversions, so the document of a
// version describes the bodies that version sends and accepts.
import type { TSchema } from 'typebox';
import type { JsonSchemaNode, SchemaEffect } from './version-change.ts';

/** A TypeBox schema as plain JSON (TypeBox marks its schemas with symbols, which documents must not carry). */
export function plainSchema(schema: TSchema | JsonSchemaNode): JsonSchemaNode {
  return JSON.parse(JSON.stringify(schema)) as JsonSchemaNode;
}

function propertiesOf(node: JsonSchemaNode): Record<string, unknown> {
  return (node.properties as Record<string, unknown> | undefined) ?? {};
}

function requiredOf(node: JsonSchemaNode): string[] {
  return (node.required as string[] | undefined) ?? [];
}

/** The older type lacks these properties. */
export function withoutProperties(...names: string[]): SchemaEffect {
  return (newer) => {
    const properties = Object.fromEntries(
      Object.entries(propertiesOf(newer)).filter(([name]) => !names.includes(name)),
    );
    const required = requiredOf(newer).filter((name) => !names.includes(name));
    const { required: _required, ...rest } = newer;
    return { ...rest, properties, ...(required.length ? { required } : {}) };
  };
}

/**
 * The older type has these properties (added, or with another type). A retyped property keeps whether it is
 * required; `required` names the added ones that are.
 */
export function withProperties(
  properties: Record<string, TSchema>,
  options: { required?: string[] } = {},
): SchemaEffect {
  return (newer) => {
    const required = [...new Set([...requiredOf(newer), ...(options.required ?? [])])];
    const { required: _required, ...rest } = newer;
    return {
      ...rest,
      properties: { ...propertiesOf(newer), ...plainSchema(properties as unknown as TSchema) },
      ...(required.length ? { required } : {}),
    };
  };
}

/** The older type is another schema altogether (its own title, or the newer one's when it has none). */
export function replacedBy(older: TSchema): SchemaEffect {
  return (newer) => {
    const replacement = plainSchema(older);
    return replacement.title === undefined && newer.title !== undefined
      ? { ...replacement, title: newer.title }
      : replacement;
  };
}

/** Several effects, applied in order. */
export function composed(...effects: SchemaEffect[]): SchemaEffect {
  return (newer) => effects.reduce((schema, effect) => effect(schema), newer);
}

/** The older type requires none of its properties. */
export const noneRequired: SchemaEffect = (newer) => {
  const { required: _required, ...rest } = newer;
  return rest;
};

/** The older type requires none of these properties (the others keep whether they are required). */
export function notRequired(...names: string[]): SchemaEffect {
  return (newer) => {
    const required = requiredOf(newer).filter((name) => !names.includes(name));
    const { required: _required, ...rest } = newer;
    return { ...rest, ...(required.length ? { required } : {}) };
  };
}
