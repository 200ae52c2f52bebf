// One OpenAPI 3.1 document per API version, from the same route definitions and version changes that serve
// requests. Titled schemas become components; a version's components reflect its field and type changes.
import type { RouteDefinition } from '../route.ts';
import { errorCodes } from '../errors.ts';
import type { VersionChange } from './version-change.ts';
import { changesDownTo, planEndpoint } from './migrate.ts';
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

function plain(schema: unknown): SchemaNode {
  return JSON.parse(JSON.stringify(schema)) as SchemaNode;
}

/** A titled schema as it looks in `version`: fields added later are dropped, converted types replaced. */
function schemaAtVersion(node: SchemaNode, applicable: VersionChange[]): SchemaNode {
  let current = node;
  for (const change of applicable) {
    for (const instruction of change.instructions) {
      if (
        instruction.kind === 'field-added' &&
        instruction.type === current.title &&
        current.properties?.[instruction.field]
      ) {
        const { [instruction.field]: _removed, ...properties } = current.properties;
        current = {
          ...current,
          properties,
          required: (current.required ?? []).filter((name) => name !== instruction.field),
        };
      }
      if (instruction.kind === 'type-converted' && instruction.type === current.title && instruction.olderSchema) {
        current = { ...plain(instruction.olderSchema), title: current.title };
      }
    }
  }
  return current;
}

function collect(node: unknown, components: Json, applicable: VersionChange[]): unknown {
  if (Array.isArray(node)) return node.map((item) => collect(item, components, applicable));
  if (typeof node !== 'object' || node === null) return node;
  let record = node as SchemaNode;
  if (typeof record.title === 'string') record = schemaAtVersion(record, applicable);
  const out: SchemaNode = {};
  for (const [key, value] of Object.entries(record)) {
    if (key === 'properties' && typeof value === 'object' && value !== null) {
      out.properties = Object.fromEntries(
        Object.entries(value).map(([name, child]) => [name, collect(child, components, applicable)]),
      );
    } else if (['items', 'additionalProperties', 'anyOf', 'oneOf', 'allOf'].includes(key)) {
      out[key] = collect(value, components, applicable);
    } else {
      out[key] = value;
    }
  }
  if (Array.isArray(out.required) && out.required.length === 0) delete out.required;
  if (typeof out.title === 'string') {
    components[out.title] = out;
    return { $ref: `#/components/schemas/${out.title}` };
  }
  return out;
}

function parameters(
  schema: unknown,
  location: 'path' | 'query',
  components: Json,
  applicable: VersionChange[],
): Json[] {
  const object = schema ? plain(schema) : undefined;
  if (!object?.properties) return [];
  const required = new Set<string>(object.required ?? []);
  return Object.entries(object.properties).map(([name, child]) => ({
    name,
    in: location,
    required: location === 'path' || required.has(name),
    schema: collect(child, components, applicable),
  }));
}

export function buildOpenApiDocument(
  routes: readonly RouteDefinition[],
  changes: readonly VersionChange[],
  version: ApiVersion,
): Json {
  const applicable = changesDownTo(changes, version);
  const components: Json = { ApiError: ApiErrorSchema };
  const paths: Record<string, Json> = {};
  for (const route of routes) {
    const endpoint = planEndpoint(route, version, changes);
    if (!endpoint) continue;
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
        ...parameters(route.query, 'query', components, applicable),
      ],
      responses,
    };
    if (route.body)
      operation.requestBody = {
        required: true,
        content: { 'application/json': { schema: collect(plain(route.body), components, applicable) } },
      };
    const success = route.successStatus ?? (route.response ? 200 : 204);
    responses[String(success)] = route.response
      ? {
          description: 'Success',
          content: { 'application/json': { schema: collect(plain(route.response), components, applicable) } },
        }
      : { description: 'Success, no body' };
    for (const status of new Set([...(route.errors ?? []), 400, 401, 404])) {
      const older = applicable
        .flatMap((change) => change.instructions)
        .find((instruction) => instruction.kind === 'error-converted' && instruction.status === status);
      const schema =
        older && older.kind === 'error-converted'
          ? collect(plain(older.olderSchema), components, [])
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
