// A version change says how one API version differs from the next newer one. Its instructions are plain data,
// interpreted by the small pure functions in migrate.ts and openapi.ts. Type names are the spec's type names; a
// schema carries its type name in `title`, so one instruction covers every endpoint that uses that type.
import type { TSchema } from 'typebox';
import type { ApiVersion } from './versions.ts';
import type { Access } from '../route.ts';

/** `METHOD /path/{param}` as written in the spec for the newest version. */
type RouteKey = string;

export type VersionInstruction =
  /** The endpoint exists only in newer versions. */
  | { kind: 'endpoint-added'; route: RouteKey }
  /** The endpoint exists only in this version and older ones (its handler is still written once, in the new code). */
  | { kind: 'endpoint-removed'; route: RouteKey }
  /** In this version and older ones the endpoint has another method or path. `params` maps old names to new ones. */
  | { kind: 'endpoint-moved'; route: RouteKey; to: RouteKey; params?: Record<string, string> }
  /** In this version and older ones, the endpoint admits other callers (handlers still scope every lookup). */
  | { kind: 'access-changed'; route: RouteKey; access: Access }
  /** Newer versions have `field` on `type`; responses drop it going down. */
  | { kind: 'field-added'; type: string; field: string }
  /** In this version and older ones, `type` (always the newest name) is called `to` (OpenAPI titles only). */
  | { kind: 'type-renamed'; type: string; to: string }
  /**
   * Arbitrary conversion of one type. Its schema effect documents the older shape in that version's OpenAPI:
   * `schema` derives it from the newer schema, `olderSchema` replaces it (give one of the two).
   */
  | {
      kind: 'type-converted';
      type: string;
      schema?: SchemaEffect;
      olderSchema?: TSchema;
      up?: (value: unknown, request: UpConversion) => unknown;
      down?: (value: unknown) => unknown;
    }
  /**
   * Conversion of a whole request (path params, query, body) to the newer shape, for one endpoint. `schema` says
   * what that does to the endpoint's documented query, body and response ('unchanged' when nothing shows).
   */
  | {
      kind: 'request-converted';
      route: RouteKey;
      up: (request: VersionedRequest) => VersionedRequest;
      schema: RouteSchemaEffect | 'unchanged';
    }
  /**
   * Conversion of one endpoint's success body to the older shape, documented by `schema` or `olderSchema`. Without
   * `down` the body is sent as it is and only its documented schema differs.
   */
  | {
      kind: 'response-converted';
      route: RouteKey;
      down?: (body: unknown) => unknown;
      schema?: SchemaEffect;
      olderSchema?: TSchema;
    }
  /**
   * In this version and older ones the update endpoint's body is a JSON merge patch (RFC 7396) onto the resource as
   * it stands (the route's `currentBody`): fields left out keep their values, `null` removes one (merge-patch.ts).
   */
  | { kind: 'merge-patch'; route: RouteKey }
  /** Error bodies with this status have another shape in this version and older. */
  | { kind: 'error-converted'; status: number; down: (body: ErrorBodyInput) => unknown; olderSchema: TSchema };

/** What a type's upward conversion knows of the request it is part of. */
export interface UpConversion {
  /** The body is a JSON merge patch: a field left out is kept, so the conversion must not require any. */
  mergePatch: boolean;
}

/** A JSON Schema node as plain data (what OpenAPI documents hold). */
export type JsonSchemaNode = Record<string, unknown>;

/**
 * What an instruction does to a schema in its version's OpenAPI document: the newer schema (plain JSON, nested
 * types still inline) → the older one. src/api/versioning/schema-effects.ts has the declarative building blocks.
 */
export type SchemaEffect = (newer: JsonSchemaNode) => JsonSchemaNode;

/**
 * The schema effects of a request conversion on one endpoint's query object, request body and success body. The
 * query and body effects see undefined where the newer endpoint has none, and return undefined for none.
 */
export interface RouteSchemaEffect {
  query?: (newer: JsonSchemaNode | undefined) => JsonSchemaNode | undefined;
  body?: (newer: JsonSchemaNode | undefined) => JsonSchemaNode | undefined;
  response?: SchemaEffect;
}

export interface VersionedRequest {
  params: Record<string, string>;
  query: Record<string, unknown>;
  body: unknown;
}

export interface ErrorBodyInput {
  status: number;
  message: string;
  key?: string;
  metadata?: Record<string, unknown>;
}

export interface VersionChange {
  /** The older version this change leads to, from the next newer one. */
  version: ApiVersion;
  /** One paragraph for docs/versions.md. */
  description: string;
  /** Readable rules that are decisions rather than facts, written into docs/versions.md. */
  rules?: string[];
  instructions: VersionInstruction[];
}
