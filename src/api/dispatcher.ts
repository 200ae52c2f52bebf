// Registers every versioned endpoint on Fastify. Paths are registered once with positional parameters
// (`:p0`, `:p1`…), because versions and sibling routes name the same position differently; each registration
// dispatches on the request's API version to the endpoint planned for it.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import { ApiError } from './errors.ts';
import { knownApiError } from './domain-error-mapping.ts';
import type { Authenticator } from './auth/authenticate.ts';
import { callerScope, type Caller } from './auth/caller.ts';
import { Reply } from './route.ts';
import { StoredRows } from './stored-rows.ts';
import { storedRowsJson } from './stored-rows-json.ts';
import type { WireJsonCache } from './wire-json-cache.ts';
import type { VersionedEndpoint } from './versioning/migrate.ts';
import type { ApiVersion } from './versioning/versions.ts';
import { compileValidator, type InputValidator } from './validation.ts';
import { mergePatch } from './versioning/merge-patch.ts';
import type { ErrorRenderer } from './error-response.ts';
import './request-version.ts';
import { idempotencyHeader, replayHeader, validateIdempotencyKey, type IdempotencyGate } from './idempotency.ts';

export interface DispatchDeps {
  authenticate: Authenticator;
  idempotency: IdempotencyGate;
  renderError: ErrorRenderer;
  /**
   * Called when a request that can change data (any method but GET) starts and again when its handler settles, so
   * in-process read caches (the entity lookup's) never serve what this process has just changed.
   */
  onWrite?: () => void;
  /** Rows' JSON per version, reused while the rows read back the same (StoredRows answers). */
  wireJson: WireJsonCache;
}

interface PreparedEndpoint {
  endpoint: VersionedEndpoint;
  /** Positional Fastify parameter → this version's name → the newest name. */
  paramNames: string[];
  params?: InputValidator;
  query?: InputValidator;
  body?: InputValidator;
}

const placeholder = /\{([^}]+)\}/g;

function fastifyPath(path: string): { url: string; names: string[] } {
  const names: string[] = [];
  const url = path.replace(placeholder, (_match, name: string) => {
    names.push(name);
    return `:p${names.length - 1}`;
  });
  return { url, names };
}

/** An object of plain strings (path parameters such as `{id}`): converting and defaulting change nothing there. */
function onlyPlainStrings(schema: TSchema): boolean {
  const object = schema as {
    type?: unknown;
    default?: unknown;
    properties?: Record<string, { type?: unknown; default?: unknown }>;
    patternProperties?: unknown;
  };
  if (object.type !== 'object' || 'default' in object || object.patternProperties !== undefined || !object.properties)
    return false;
  return Object.values(object.properties).every((property) => property.type === 'string' && !('default' in property));
}

/**
 * Path parameters are checked first with the compiled check alone (~0.01 µs against ~1.4 µs for convert, default and
 * check, ~5 % of an entity lookup's server CPU under load); a value that fails goes through the full validator, which
 * names the field. For plain strings the two give the same result.
 */
function paramsValidator(schema: TSchema, documentedErrors: readonly number[] | undefined): InputValidator {
  const full = compileValidator(schema, 'params', documentedErrors);
  if (!onlyPlainStrings(schema)) return full;
  const check = Compile(schema);
  return { parse: (value) => (check.Check(value) ? value : full.parse(value)) };
}

function prepare(endpoint: VersionedEndpoint, names: string[]): PreparedEndpoint {
  const { route } = endpoint;
  return {
    endpoint,
    paramNames: names.map((name) => endpoint.paramRenames[name] ?? name),
    params: route.params && paramsValidator(route.params, route.errors),
    query: route.query && compileValidator(route.query, 'query', route.errors),
    body: route.body && compileValidator(route.body, 'body', route.errors),
  };
}

function authorize(caller: Caller, endpoint: VersionedEndpoint): void {
  if (endpoint.access === 'partner' && caller.kind !== 'partner') throw new ApiError('partner_key_required');
}

export function registerEndpoints(
  app: FastifyInstance,
  endpoints: readonly VersionedEndpoint[],
  deps: DispatchDeps,
): void {
  const byUrl = new Map<string, { method: string; url: string; versions: Map<ApiVersion, PreparedEndpoint> }>();
  for (const endpoint of endpoints) {
    const { url, names } = fastifyPath(endpoint.path);
    const id = `${endpoint.method} ${url}`;
    let entry = byUrl.get(id);
    if (!entry) {
      entry = { method: endpoint.method, url, versions: new Map() };
      byUrl.set(id, entry);
    }
    if (entry.versions.has(endpoint.version)) {
      throw new Error(`two endpoints answer ${endpoint.method} ${endpoint.path} in ${endpoint.version}`);
    }
    entry.versions.set(endpoint.version, prepare(endpoint, names));
  }

  for (const { method, url, versions } of byUrl.values()) {
    const bodyLimits = [...versions.values()]
      .map((prepared) => prepared.endpoint.route.bodyLimit)
      .filter((limit): limit is number => limit !== undefined);
    app.route({
      method,
      url,
      ...(bodyLimits.length ? { bodyLimit: Math.max(...bodyLimits) } : {}),
      // Not async: a request whose key is cached reaches its route handler synchronously, and pays one promise (the
      // handler's) instead of a chain of awaits (bench/README.md, bench/api).
      handler: (request: FastifyRequest, fastifyReply: FastifyReply) => {
        const prepared = versions.get(request.apiVersion);
        if (!prepared)
          throw new ApiError(
            'route_not_found',
            `${method} ${request.url.split('?')[0]} does not exist in API version ${request.apiVersion}`,
          );
        return dispatch(prepared, request, fastifyReply, deps);
      },
    });
  }
}

function dispatch(
  prepared: PreparedEndpoint,
  request: FastifyRequest,
  fastifyReply: FastifyReply,
  deps: DispatchDeps,
): Promise<unknown> {
  const { access } = prepared.endpoint.route;
  if (access === 'public' || (access === 'optional' && request.headers.authorization === undefined))
    return handle(prepared, request, fastifyReply, deps, undefined);
  const caller = deps.authenticate.cached(request.headers.authorization);
  if (caller) return handle(prepared, request, fastifyReply, deps, caller);
  return deps.authenticate
    .authenticate(request.headers.authorization)
    .then((found) => handle(prepared, request, fastifyReply, deps, found));
}

type Input = { params: Record<string, string>; query: Record<string, unknown>; body: unknown };

/** The request brought up to the newest shape, with its path and query checked; the body is not checked yet. */
function upgradedInput(prepared: PreparedEndpoint, request: FastifyRequest): Input {
  const { endpoint } = prepared;
  const positional = request.params as Record<string, string>;
  const params: Record<string, string> = {};
  for (let index = 0; index < prepared.paramNames.length; index++)
    params[prepared.paramNames[index]!] = positional[`p${index}`]!;
  const upgraded = endpoint.upgradeRequest({
    params,
    query: { ...(request.query as Record<string, unknown>) },
    body: request.body,
  });
  return {
    params: (prepared.params ? prepared.params.parse(upgraded.params) : upgraded.params) as Record<string, string>,
    query: (prepared.query ? prepared.query.parse(upgraded.query) : upgraded.query) as Record<string, unknown>,
    body: upgraded.body,
  };
}

function checkBody(prepared: PreparedEndpoint, input: Input): Input {
  return prepared.body ? { ...input, body: prepared.body.parse(input.body) } : input;
}

/** A merge-patch endpoint's input: the patch merged onto the resource as it stands, then checked as a full body. */
async function mergedInput(prepared: PreparedEndpoint, input: Input, caller: Caller): Promise<Input> {
  const current = await prepared.endpoint.route.currentBody!({
    params: input.params,
    query: input.query,
    caller,
    patch: input.body,
  });
  const merged = mergePatch(current, input.body, prepared.endpoint.route.patchReplacesWhole);
  return checkBody(prepared, { ...input, body: merged });
}

/** `caller` is undefined only on public endpoints. */
function handle(
  prepared: PreparedEndpoint,
  request: FastifyRequest,
  fastifyReply: FastifyReply,
  deps: DispatchDeps,
  caller: Caller | undefined,
): Promise<unknown> {
  if (caller) authorize(caller, prepared.endpoint);
  const input = upgradedInput(prepared, request);
  const { precheck } = prepared.endpoint.route;
  const { mergePatch } = prepared.endpoint;
  // The precheck (permissions) answers before the body is looked at, so that a refusal is the same whatever the body
  // holds (docs/permissions.md); routes with neither a precheck to wait for nor a merge patch stay synchronous up to
  // their handler.
  const checking = caller && precheck ? precheck({ params: input.params, caller }) : undefined;
  if (caller && (checking || mergePatch))
    return (checking ?? Promise.resolve())
      .then(() => (mergePatch ? mergedInput(prepared, input, caller) : checkBody(prepared, input)))
      .then((checked) => handleInput(prepared, request, fastifyReply, deps, caller, checked));
  return handleInput(prepared, request, fastifyReply, deps, caller, checkBody(prepared, input));
}

function handleInput(
  prepared: PreparedEndpoint,
  request: FastifyRequest,
  fastifyReply: FastifyReply,
  deps: DispatchDeps,
  caller: Caller | undefined,
  input: Input,
): Promise<unknown> {
  const key = request.method === 'GET' ? undefined : validateIdempotencyKey(request.headers[idempotencyHeader]);
  if (key && caller) return handleIdempotent(prepared, request, fastifyReply, deps, caller, input, key);
  const authenticate = caller ? undefined : () => deps.authenticate.authenticate(request.headers.authorization);
  return run(prepared, request, fastifyReply, deps, caller, input, authenticate).then(({ payload }) =>
    fastifyReply.send(payload),
  );
}

async function handleIdempotent(
  prepared: PreparedEndpoint,
  request: FastifyRequest,
  fastifyReply: FastifyReply,
  deps: DispatchDeps,
  caller: Caller,
  input: Input,
  key: string,
): Promise<unknown> {
  const decision = await deps.idempotency({
    scope: callerScope(caller),
    key,
    version: request.apiVersion,
    method: request.method,
    path: request.url,
    body: request.body,
  });
  if (decision.kind === 'replay') {
    fastifyReply.header(replayHeader, 'true');
    fastifyReply.code(decision.status);
    if (decision.body === undefined) return fastifyReply.send();
    return fastifyReply.type('application/json; charset=utf-8').send(decision.body);
  }
  try {
    const { status, payload } = await run(prepared, request, fastifyReply, deps, caller, input);
    await decision.complete(status, Buffer.isBuffer(payload) ? payload.toString('utf8') : payload);
    return fastifyReply.send(payload);
  } catch (error) {
    const known = knownApiError(error);
    if (known && known.status < 500) {
      await decision.complete(
        known.status,
        JSON.stringify(deps.renderError(known, request.apiVersion, request.id).body),
      );
    } else {
      await decision.release();
    }
    throw error;
  }
}

function run(
  prepared: PreparedEndpoint,
  request: FastifyRequest,
  fastifyReply: FastifyReply,
  deps: DispatchDeps,
  caller: Caller | undefined,
  input: Input,
  authenticate?: () => Promise<Caller>,
): Promise<{ status: number; payload: string | Buffer | undefined }> {
  const onWrite = request.method === 'GET' ? undefined : deps.onWrite;
  onWrite?.();
  const { endpoint } = prepared;
  const { route } = endpoint;
  const handlerInput = {
    params: input.params,
    query: input.query,
    body: input.body,
    caller: caller as Caller,
    requestId: request.id,
    log: request.log,
    version: request.apiVersion,
    authenticate,
  };
  const handled = route.handler(handlerInput);
  // A failed write may still have changed something before it failed.
  if (onWrite) handled.catch(onWrite);
  return handled.then((result) => {
    onWrite?.();
    if (result instanceof StoredRows) {
      fastifyReply.code(route.successStatus ?? 200);
      fastifyReply.type('application/json; charset=utf-8');
      const json = storedRowsJson(result, endpoint, deps.wireJson);
      const status = fastifyReply.statusCode;
      return json instanceof Promise ? json.then((payload) => ({ status, payload })) : { status, payload: json };
    }
    if (!(result instanceof Reply)) {
      fastifyReply.code(route.successStatus ?? (route.response ? 200 : 204));
      return render(endpoint, fastifyReply, result);
    }
    if (result.headers) fastifyReply.headers(result.headers);
    fastifyReply.code(result.status);
    if (result.raw) {
      fastifyReply.type(result.raw.contentType);
      return { status: result.status, payload: result.raw.payload as string };
    }
    return render(endpoint, fastifyReply, result.body);
  });
}

function render(
  endpoint: VersionedEndpoint,
  fastifyReply: FastifyReply,
  body: unknown,
): { status: number; payload: string | undefined } {
  if (body === undefined) return { status: fastifyReply.statusCode, payload: undefined };
  fastifyReply.type('application/json; charset=utf-8');
  return { status: fastifyReply.statusCode, payload: JSON.stringify(endpoint.downgradeResponse(body)) };
}
