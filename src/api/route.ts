// A REST endpoint, written once for the newest API version. Older versions reach it through version changes.
import type { TSchema } from 'typebox';
import type { FastifyBaseLogger } from 'fastify';
import type { Caller } from './auth/caller.ts';
import type { ApiVersion } from './versioning/versions.ts';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * Who may call an endpoint:
 * - `public`: no credential;
 * - `optional`: no credential needed (catalogue data with no tenant in it), but a key that is sent is checked as on
 *   `any` (a wrong one is still a 401);
 * - `any`: any valid key;
 * - `organization`: acts inside the caller's organization (partner keys act in their owner organization);
 * - `partner`: partner keys only (others get 403).
 */
export type Access = 'public' | 'optional' | 'any' | 'organization' | 'partner';

/**
 * A query value or body after the dispatcher checked it against the route's TypeBox schema (a 400 otherwise). Each
 * handler reads it as that schema's shape; the route list is not generic over its schemas, so the compiler cannot.
 */
// biome-ignore lint/suspicious/noExplicitAny: checked against the route's own schema before any handler reads it
type SchemaChecked = any;

export interface HandlerInput {
  params: Record<string, string>;
  query: Record<string, SchemaChecked>;
  body: SchemaChecked;
  /** Undefined only on `public` endpoints, and on `optional` ones called without a key. */
  caller: Caller;
  requestId: string;
  log: FastifyBaseLogger;
  /** The version the client asked for. Handlers must not branch on it: use a version change instead. */
  version: ApiVersion;
  /**
   * Only on `public` endpoints: authenticates the request's bearer key when the handler decides it needs one (a
   * signed-link route answering a call that carries no signature). Rejects with the usual 401.
   */
  authenticate?: () => Promise<Caller>;
}

export interface RawBody {
  contentType: string;
  payload: string | Buffer | NodeJS.ReadableStream;
}

/** A handler returns the success body (or undefined for no body), or a Reply for another status, headers or a raw body. */
export class Reply {
  readonly status: number;
  readonly body: unknown;
  readonly headers: Record<string, string> | undefined;
  /** Raw bodies (files, HTML) skip JSON conversion and version changes. */
  readonly raw: RawBody | undefined;

  constructor(status: number, body?: unknown, options: { headers?: Record<string, string>; raw?: RawBody } = {}) {
    this.status = status;
    this.body = body;
    this.headers = options.headers;
    this.raw = options.raw;
  }
}

export interface RouteDefinition {
  /** The SDK's method name, e.g. `users.list`, used as the OpenAPI operationId. */
  operationId: string;
  method: HttpMethod;
  /** The path in the newest version, with `{param}` placeholders as in the spec. */
  path: string;
  summary: string;
  access: Access;
  params?: TSchema;
  query?: TSchema;
  body?: TSchema;
  /** The success body; absent for endpoints with no body. */
  response?: TSchema;
  /**
   * The media type of a file the success status answers (a Reply with `raw`), alone or next to the JSON `response`,
   * for the OpenAPI documents.
   */
  fileResponse?: string;
  /** Default 200, or 204 when there is neither a response schema nor a file response. */
  successStatus?: number;
  /** Largest accepted body in bytes, when it differs from the server's 1 MiB. */
  bodyLimit?: number;
  /** Not part of the Polytomic API: marked `x-ferry-extension` in the OpenAPI documents. */
  ferryExtension?: boolean;
  /** Documented error statuses, for OpenAPI. */
  errors?: number[];
  /**
   * A check that runs once the caller is authenticated and the path parameters are checked, before the query and
   * the body are: a refusal that must not depend on what the body holds (the permission check, docs/permissions.md).
   * Undefined when it already knows the caller may go on (nothing to wait for).
   */
  precheck?(input: PrecheckInput): Promise<void> | undefined;
  handler(input: HandlerInput): Promise<unknown | Reply>;
  /**
   * Update routes that a version serves as a JSON merge patch (a `merge-patch` version change): the resource as it
   * stands, in this route's body shape, onto which the request is merged before it is validated. Secrets a response
   * never shows belong here only when the update would clear them if left out. 404 for another tenant's id, as the
   * handler's own lookup.
   */
  currentBody?(input: CurrentBodyInput): Promise<Record<string, unknown>>;
  /**
   * Body fields that such a patch replaces whole instead of merging key by key: values whose parts mean something
   * only together (a schedule's hour means nothing once its frequency is manual).
   */
  patchReplacesWhole?: readonly string[];
}

/** What a currentBody reads: the checked path and query, and the patch (not checked yet: it is merged first). */
type CurrentBodyInput = Pick<HandlerInput, 'params' | 'query' | 'caller'> & { patch: unknown };

export type PrecheckInput = Pick<HandlerInput, 'params' | 'caller'>;

export function routeKey(route: { method: string; path: string }): string {
  return `${route.method} ${route.path}`;
}
