// One OpenAPI 3.1 document per API version, from the same route definitions and version changes that serve
// requests. Titled schemas become components; a version's components reflect its field and type changes.
import { errorCodes } from '../errors.ts';
import { isDeepStrictEqual } from 'node:util';
import { routeKey, type RouteDefinition } from '../route.ts';
import type { JsonSchemaNode, RouteSchemaEffect, SchemaEffect, VersionChange } from './version-change.ts';
import { changesDownTo, planEndpoint } from './migrate.ts';
import { noneRequired, plainSchema, replacedBy, withoutProperties } from './schema-effects.ts';
import type { ApiVersion } from './versions.ts';

type Json = Record<string, unknown>;

/** A JSON Schema node as plain data: the fields this module reads, and any others it passes through. */
interface SchemaNode {
  title?: string;
  properties?: Record<string, unknown>;
  required?: string[];
  [keyword: string]: unknown;
}

const ApiErrorSchema: SchemaNode = {
  type: 'object',
  title: 'ApiError',
  properties: {
    status: { type: 'integer' },
    message: { type: 'string' },
    key: { type: 'string', enum: Object.keys(errorCodes) },
    metadata: { type: 'object', additionalProperties: true },
  },
};

/** The schema effects one version change has on types, by the type's newest name, in instruction order. */
function typeEffects(change: VersionChange): Map<string, SchemaEffect[]> {
  const effects = new Map<string, SchemaEffect[]>();
  const add = (type: string, effect: SchemaEffect) => effects.set(type, [...(effects.get(type) ?? []), effect]);
  for (const instruction of change.instructions) {
    if (instruction.kind === 'field-added') add(instruction.type, withoutProperties(instruction.field));
    if (instruction.kind === 'type-converted') {
      if (instruction.schema) add(instruction.type, instruction.schema);
      if (instruction.olderSchema) add(instruction.type, replacedBy(instruction.olderSchema));
    }
  }
  return effects;
}

/** The schema effects one version change has on one endpoint's query, body and response. */
function routeEffects(change: VersionChange, key: string): RouteSchemaEffect[] {
  const effects: RouteSchemaEffect[] = [];
  for (const instruction of change.instructions) {
    if (instruction.kind === 'request-converted' && instruction.route === key && instruction.schema !== 'unchanged')
      effects.push(instruction.schema);
    // A merge patch may leave out any field: none is required in the body this version documents.
    if (instruction.kind === 'merge-patch' && instruction.route === key)
      effects.push({ body: (newer) => newer && noneRequired(newer) });
    if (instruction.kind === 'response-converted' && instruction.route === key) {
      if (instruction.schema) effects.push({ response: instruction.schema });
      if (instruction.olderSchema) effects.push({ response: replacedBy(instruction.olderSchema) });
    }
  }
  return effects;
}

const nestedKeywords = ['items', 'additionalProperties', 'anyOf', 'oneOf', 'allOf'];

/** Applies type effects to every titled node, children first (as responses are converted, migrate.ts). */
function applyTypeEffects(node: unknown, effects: Map<string, SchemaEffect[]>): unknown {
  if (Array.isArray(node)) return node.map((item) => applyTypeEffects(item, effects));
  if (typeof node !== 'object' || node === null) return node;
  let out: SchemaNode = {};
  for (const [key, value] of Object.entries(node)) {
    if ((key === 'properties' || key === 'patternProperties') && typeof value === 'object' && value !== null) {
      out[key] = Object.fromEntries(
        Object.entries(value).map(([name, child]) => [name, applyTypeEffects(child, effects)]),
      );
    } else if (nestedKeywords.includes(key)) {
      out[key] = applyTypeEffects(value, effects);
    } else {
      out[key] = value;
    }
  }
  for (const effect of (typeof out.title === 'string' && effects.get(out.title)) || []) out = effect(out);
  return out;
}

/** A version's names for types: the newest name → this version's (the oldest rename on the way down wins). */
function typeNames(applicable: VersionChange[]): Map<string, string> {
  const names = new Map<string, string>();
  for (const change of applicable)
    for (const instruction of change.instructions)
      if (instruction.kind === 'type-renamed') names.set(instruction.type, instruction.to);
  return names;
}

/** Titled nodes become components under this version's type name; a name must mean one schema per document. */
function collect(node: unknown, components: Json, names: Map<string, string>): unknown {
  if (Array.isArray(node)) return node.map((item) => collect(item, components, names));
  if (typeof node !== 'object' || node === null) return node;
  const out: SchemaNode = {};
  for (const [key, value] of Object.entries(node)) {
    if ((key === 'properties' || key === 'patternProperties') && typeof value === 'object' && value !== null) {
      out[key] = Object.fromEntries(
        Object.entries(value).map(([name, child]) => [name, collect(child, components, names)]),
      );
    } else if (nestedKeywords.includes(key)) {
      out[key] = collect(value, components, names);
    } else {
      out[key] = value;
    }
  }
  if (Array.isArray(out.required) && out.required.length === 0) delete out.required;
  if (typeof out.title !== 'string') return out;
  const name = names.get(out.title) ?? out.title;
  out.title = name;
  const existing = components[name];
  if (existing !== undefined && !isDeepStrictEqual(existing, out))
    throw new Error(`OpenAPI: type ${name} has two different schemas in one version's document`);
  components[name] = out;
  return { $ref: `#/components/schemas/${name}` };
}

/** An endpoint's query, body and response schemas as `version` documents them, before collection. */
function endpointSchemas(route: RouteDefinition, applicable: VersionChange[]) {
  const key = routeKey(route);
  let query = route.query ? plainSchema(route.query) : undefined;
  let body = route.body ? plainSchema(route.body) : undefined;
  let response = route.response ? plainSchema(route.response) : undefined;
  for (const change of applicable) {
    const effects = typeEffects(change);
    if (effects.size > 0) {
      query = applyTypeEffects(query, effects) as JsonSchemaNode | undefined;
      body = applyTypeEffects(body, effects) as JsonSchemaNode | undefined;
      response = applyTypeEffects(response, effects) as JsonSchemaNode | undefined;
    }
    for (const effect of routeEffects(change, key)) {
      if (effect.query) query = effect.query(query);
      if (effect.body) body = effect.body(body);
      if (effect.response && response) response = effect.response(response);
    }
  }
  return { query, body, response };
}

function parameters(
  schema: JsonSchemaNode | undefined,
  location: 'path' | 'query',
  components: Json,
  names: Map<string, string>,
): Json[] {
  const object = schema as SchemaNode | undefined;
  if (!object?.properties) return [];
  const required = new Set<string>(object.required ?? []);
  // Flags that version changes set (`x-ferry-internal`) are how an older version is served, not part of any API.
  const documented = Object.entries(object.properties).filter(
    ([, child]) => (child as SchemaNode)['x-ferry-internal'] !== true,
  );
  return documented.map(([name, child]) => ({
    name,
    in: location,
    required: location === 'path' || required.has(name),
    schema: collect(child, components, names),
  }));
}

export function buildOpenApiDocument(
  routes: readonly RouteDefinition[],
  changes: readonly VersionChange[],
  version: ApiVersion,
): Json {
  const applicable = changesDownTo(changes, version);
  const names = typeNames(applicable);
  const components: Json = { ApiError: ApiErrorSchema };
  const paths: Record<string, Json> = {};
  for (const route of routes) {
    const endpoint = planEndpoint(route, version, changes);
    if (!endpoint) continue;
    const schemas = endpointSchemas(route, applicable);
    const responses: Json = {};
    const operation: Json = {
      operationId: route.operationId,
      summary: route.summary,
      security: route.access === 'public' ? [] : route.access === 'optional' ? [{}, { bearer: [] }] : [{ bearer: [] }],
      'x-ferry-access': endpoint.access,
      ...(route.ferryExtension ? { 'x-ferry-extension': true } : {}),
      parameters: [
        ...(endpoint.path
          .match(/\{[^}]+\}/g)
          ?.map((match) => ({ name: match.slice(1, -1), in: 'path', required: true, schema: { type: 'string' } })) ??
          []),
        ...parameters(schemas.query, 'query', components, names),
      ],
      responses,
    };
    if (schemas.body)
      operation.requestBody = {
        required: true,
        content: { 'application/json': { schema: collect(schemas.body, components, names) } },
      };
    const success = route.successStatus ?? (route.response || route.fileResponse ? 200 : 204);
    const content: Json = {};
    if (schemas.response) content['application/json'] = { schema: collect(schemas.response, components, names) };
    if (route.fileResponse) content[route.fileResponse] = { schema: { type: 'string', format: 'binary' } };
    responses[String(success)] =
      Object.keys(content).length > 0 ? { description: 'Success', content } : { description: 'Success, no body' };
    for (const status of new Set([...(route.errors ?? []), 400, 401, 404])) {
      const older = applicable
        .flatMap((change) => change.instructions)
        .find((instruction) => instruction.kind === 'error-converted' && instruction.status === status);
      const schema =
        older && older.kind === 'error-converted'
          ? collect(plainSchema(older.olderSchema), components, new Map())
          : { $ref: '#/components/schemas/ApiError' };
      responses[String(status)] = {
        description: `Error ${status}`,
        content: { 'application/json': { schema } },
      };
    }
    const pathItem = paths[endpoint.path] ?? {};
    pathItem[endpoint.method.toLowerCase()] = operation;
    paths[endpoint.path] = pathItem;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Ferry (Polytomic Connect API compatible)',
      version,
      description: `API version ${version}. Send X-Polytomic-Version: ${version} to be served by it.`,
    },
    components: { schemas: components, securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    paths,
  };
}
