// Interprets version changes: which endpoints exist in a version and where, how a request at an older version is
// brought up to the newest shape, and how a newest-shape response is brought down. Everything is planned once at
// start-up per (endpoint, version), so a request at the newest version pays nothing.
import type { Access, HttpMethod, RouteDefinition } from '../route.ts';
import { routeKey } from '../route.ts';
import type { ErrorBodyInput, UpConversion, VersionChange, VersionedRequest } from './version-change.ts';
import { compareVersions, type ApiVersion, apiVersions } from './versions.ts';
import { walk, type TypeConverter } from './schema-walk.ts';

export interface VersionedEndpoint {
  route: RouteDefinition;
  version: ApiVersion;
  method: HttpMethod;
  /** The path in this version. */
  path: string;
  /** This version's path-parameter names → the newest names. */
  paramRenames: Record<string, string>;
  access: Access;
  /** The body is a JSON merge patch onto the route's currentBody in this version (merge-patch.ts). */
  mergePatch: boolean;
  upgradeRequest(request: VersionedRequest): VersionedRequest;
  downgradeResponse(body: unknown): unknown;
  /**
   * Whether a list answer `{ data: [...] }` converts item by item: no conversion applies to the envelope or to its
   * `data` array as a whole, so each item's JSON can be rendered alone (src/api/stored-rows-json.ts).
   */
  itemwiseResponse: boolean;
}

/** The title of the envelope's `data` schema and of the envelope itself, which a whole-list conversion would name. */
function envelopeTitles(response: RouteDefinition['response']): string[] {
  const node = response as { title?: unknown; properties?: Record<string, { title?: unknown }> } | undefined;
  return [node?.title, node?.properties?.data?.title].filter((title): title is string => typeof title === 'string');
}

/** The changes between the newest version and `version`, newest first. */
export function changesDownTo(changes: readonly VersionChange[], version: ApiVersion): VersionChange[] {
  return changes
    .filter((change) => compareVersions(change.version, version) >= 0)
    .sort((a, b) => compareVersions(b.version, a.version));
}

function splitKey(key: string): { method: HttpMethod; path: string } {
  const space = key.indexOf(' ');
  return { method: key.slice(0, space) as HttpMethod, path: key.slice(space + 1) };
}

export function endpointExists(key: string, version: ApiVersion, changes: readonly VersionChange[]): boolean {
  for (const change of changes) {
    for (const instruction of change.instructions) {
      if (
        instruction.kind === 'endpoint-added' &&
        instruction.route === key &&
        compareVersions(change.version, version) >= 0
      )
        return false;
      if (
        instruction.kind === 'endpoint-removed' &&
        instruction.route === key &&
        compareVersions(change.version, version) < 0
      )
        return false;
    }
  }
  return true;
}

function typeConverters(
  change: VersionChange,
  direction: 'up' | 'down',
  upConversion: UpConversion = { mergePatch: false },
): Map<string, TypeConverter> {
  const converters = new Map<string, TypeConverter>();
  const add = (type: string, converter: TypeConverter) => {
    const previous = converters.get(type);
    converters.set(type, previous ? (value) => converter(previous(value)) : converter);
  };
  for (const instruction of change.instructions) {
    if (instruction.kind === 'field-added' && direction === 'down') {
      add(instruction.type, (value) => {
        if (typeof value !== 'object' || value === null || !(instruction.field in value)) return value;
        const { [instruction.field]: _dropped, ...rest } = value as Record<string, unknown>;
        return rest;
      });
    }
    if (instruction.kind === 'type-converted') {
      const { up, down } = instruction;
      if (direction === 'up' && up) add(instruction.type, (value) => up(value, upConversion));
      if (direction === 'down' && down) add(instruction.type, down);
    }
  }
  return converters;
}

export function planEndpoint(
  route: RouteDefinition,
  version: ApiVersion,
  changes: readonly VersionChange[],
): VersionedEndpoint | undefined {
  const key = routeKey(route);
  if (!endpointExists(key, version, changes)) return undefined;
  const applicable = changesDownTo(changes, version);
  let { method, path } = route;
  let paramRenames: Record<string, string> = {};
  let access = route.access;
  let mergePatch = false;
  for (const change of applicable) {
    for (const instruction of change.instructions) {
      if (instruction.kind === 'merge-patch' && instruction.route === key) mergePatch = true;
      if (instruction.kind === 'endpoint-moved' && instruction.route === key) {
        ({ method, path } = splitKey(instruction.to));
        paramRenames = instruction.params ?? {};
      }
      if (instruction.kind === 'access-changed' && instruction.route === key) access = instruction.access;
    }
  }

  if (mergePatch && !route.currentBody)
    throw new Error(`${key} is a merge patch in ${version} but has no currentBody to merge onto`);

  // Requests climb from this version to the newest: oldest change first.
  const upSteps = [...applicable].reverse().map((change) => ({
    converters: typeConverters(change, 'up', { mergePatch }),
    requestConverters: change.instructions.flatMap((instruction) =>
      instruction.kind === 'request-converted' && instruction.route === key ? [instruction.up] : [],
    ),
  }));
  const downSteps = applicable.map((change) => ({
    converters: typeConverters(change, 'down'),
    responseConverters: change.instructions.flatMap((instruction) =>
      instruction.kind === 'response-converted' && instruction.route === key && instruction.down
        ? [instruction.down]
        : [],
    ),
  }));
  const titles = envelopeTitles(route.response);
  const itemwiseResponse = downSteps.every(
    (step) => step.responseConverters.length === 0 && titles.every((title) => !step.converters.has(title)),
  );

  const upgradeRequest = (request: VersionedRequest): VersionedRequest => {
    let current = request;
    for (const step of upSteps) {
      for (const convert of step.requestConverters) current = convert(current);
      if (step.converters.size > 0) {
        current = {
          params: current.params,
          query: walk(route.query, current.query, step.converters, 'pre') as Record<string, unknown>,
          body: walk(route.body, current.body, step.converters, 'pre'),
        };
      }
    }
    return current;
  };
  const downgradeResponse = (body: unknown): unknown => {
    let current = body;
    for (const step of downSteps) {
      current = walk(route.response, current, step.converters, 'post');
      for (const convert of step.responseConverters) current = convert(current);
    }
    return current;
  };
  return {
    route,
    version,
    method,
    path,
    paramRenames,
    access,
    mergePatch,
    upgradeRequest,
    downgradeResponse,
    itemwiseResponse,
  };
}

/** Every endpoint in every version. */
export function planAllEndpoints(
  routes: readonly RouteDefinition[],
  changes: readonly VersionChange[],
): VersionedEndpoint[] {
  const planned: VersionedEndpoint[] = [];
  for (const version of apiVersions) {
    for (const route of routes) {
      const endpoint = planEndpoint(route, version, changes);
      if (endpoint) planned.push(endpoint);
    }
  }
  return planned;
}

/** An ApiError body in the shape `version` documents for its status. */
export function downgradeError(body: ErrorBodyInput, version: ApiVersion, changes: readonly VersionChange[]): unknown {
  for (const change of changesDownTo(changes, version)) {
    for (const instruction of change.instructions) {
      if (instruction.kind === 'error-converted' && instruction.status === body.status) return instruction.down(body);
    }
  }
  return body;
}
