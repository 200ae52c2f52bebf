// Hostile requests for one operation of an OpenAPI document: each starts from a request that satisfies the
// operation's schemas (real ids in the path and in id properties) and breaks it in one way, saying which field it is
// about, so the suite can check that the error names that field.
import fc from 'fast-check';
import {
  enumValues,
  isTyped,
  resolve,
  valueFor,
  wrongTypeFor,
  type JsonSchema,
  type SchemaContext,
} from './schema-values.ts';

export interface FuzzOperation {
  version: string;
  method: string;
  template: string;
  access: string;
  /** The path with the world's real ids. */
  path: string;
  pathParameters: string[];
  queryParameters: Array<{ name: string; required: boolean; schema: JsonSchema }>;
  body?: JsonSchema;
}

export interface HostileRequest {
  kind: string;
  method: string;
  path: string;
  /** Raw query string, without `?`. */
  query: string;
  headers: Record<string, string>;
  body?: string;
  /** The one input this request is about: a schema-level error must name it. */
  about?: { location: 'body' | 'query' | 'params'; field: string };
  /** The answer this request must get, when it is certain. */
  expect?: 'invalid_json' | 'too_deep' | 'unsupported_version' | 'schema_accepts';
}

const placeholder = '__fuzz_placeholder__';

/** `levels` arrays and objects inside each other, as text (JSON.stringify overflows on such values itself). */
function nested(levels: number): string {
  return `${'{"a":['.repeat(Math.ceil(levels / 2))}1${']}'.repeat(Math.ceil(levels / 2))}`;
}

const badPathValues = [
  'not-a-uuid',
  '00000000-0000-0000-0000-000000000000',
  '%00',
  '..',
  '%2e%2e%2f%2e%2e',
  "'%20or%201=1--",
  '%E2%82',
  'x'.repeat(300),
  '%F0%9F%92%A9',
];

const badNumbers = ['1.5', '-1', '0', 'abc', '1e309', '99999999999999999999', '', 'NaN', '0x10', '%20'];
const badBooleans = ['yes', '2', '', 'TRUE ', 'null'];
/** Page tokens: garbage, and base64url JSON of the wrong shape (what a client that decodes tokens could send). */
const badTokens = [
  'not-a-token',
  'eyJ9',
  '%ZZ',
  'AAAA',
  '..',
  'x'.repeat(5000),
  '%00',
  ...[
    [],
    {},
    null,
    1,
    ['a'],
    ['a', 'b'],
    ['2025-01-01T00:00:00Z', ''],
    [1, 2],
    ['x'.repeat(3000), 'y'],
    { page: -1 },
    -1,
  ].map((value) => Buffer.from(JSON.stringify(value)).toString('base64url')),
];

/** Headers a client can get wrong: the body's media type, the key, the idempotency key. */
const badHeaders: Array<Record<string, string>> = [
  { 'content-type': 'text/plain' },
  { 'content-type': 'application/json; charset=latin1' },
  { 'content-type': 'application/x-www-form-urlencoded' },
  { authorization: 'Basic dXNlcjpwYXNz' },
  { authorization: 'Bearer' },
  { authorization: `Bearer ${'k'.repeat(10_000)}` },
  { 'idempotency-key': 'short' },
  { 'idempotency-key': 'k'.repeat(300) },
  { 'idempotency-key': 'fuzz-idempotency-key-1' },
];

function queryString(entries: Array<[string, string]>): string {
  return entries.map(([name, value]) => `${encodeURIComponent(name)}=${value}`).join('&');
}

function validQueryValue(schema: JsonSchema, context: SchemaContext): string {
  const resolved = resolve(schema, context);
  if (resolved.type === 'integer' || resolved.type === 'number') return String(resolved.minimum ?? 1);
  if (resolved.type === 'boolean') return 'true';
  return 'select 1';
}

/**
 * A typed property one level inside `schema` (an object, or an array of objects), with the path suffix that names it
 * (`.hour`, `[0].id`) and how to build a minimal value around a wrong one.
 */
function nestedProperty(
  schema: JsonSchema,
  context: SchemaContext,
): { name: string; schema: JsonSchema; object: JsonSchema; path: string; inArray: boolean } | undefined {
  const resolved = resolve(schema, context);
  const inArray = resolved.type === 'array';
  const object = resolve(inArray ? resolved.items : resolved, context);
  if (object.type !== 'object') return undefined;
  const typed = Object.entries<JsonSchema>(object.properties ?? {}).find(([, property]) => isTyped(property, context));
  if (!typed) return undefined;
  const [name, property] = typed;
  return { name, schema: property, object, path: inArray ? `[0].${name}` : `.${name}`, inArray };
}

export function hostileRequests(
  operation: FuzzOperation,
  context: SchemaContext,
  headers: Record<string, string>,
): fc.Arbitrary<HostileRequest> {
  const method = operation.method.toUpperCase();
  const baseQuery: Array<[string, string]> = operation.queryParameters
    .filter((parameter) => parameter.required)
    .map((parameter) => [parameter.name, encodeURIComponent(validQueryValue(parameter.schema, context))]);
  const bodySchema = operation.body ? resolve(operation.body, context) : undefined;
  const properties = Object.entries<JsonSchema>(bodySchema?.properties ?? {});
  const required: string[] = bodySchema?.required ?? [];
  const baseBody = bodySchema ? valueFor(bodySchema, context) : fc.constant(undefined);
  const jsonHeaders = { ...headers, 'content-type': 'application/json' };
  const request = (part: Partial<HostileRequest> & { kind: string }): HostileRequest => ({
    method,
    path: operation.path,
    query: queryString(baseQuery),
    headers: operation.body ? jsonHeaders : headers,
    ...part,
  });
  /** The base body with `field` set to `text` (raw JSON), or removed when text is undefined. */
  const withField = (body: unknown, field: string, text: string | undefined): string => {
    const object = typeof body === 'object' && body !== null && !Array.isArray(body) ? { ...body } : {};
    if (text === undefined) {
      delete (object as Record<string, unknown>)[field];
      return JSON.stringify(object);
    }
    (object as Record<string, unknown>)[field] = placeholder;
    return JSON.stringify(object).replace(`"${placeholder}"`, () => text);
  };

  const kinds: Array<fc.Arbitrary<HostileRequest>> = [
    // As the schemas allow: must not fail, whatever the handler thinks of it.
    baseBody.map((body) =>
      request({
        kind: 'schema-valid',
        expect: 'schema_accepts',
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      }),
    ),
    fc.constantFrom('1999-01-01', 'latest', '2025-09-18; drop', '').map((version) =>
      request({
        kind: 'bad-version',
        headers: { ...headers, 'x-polytomic-version': version },
        expect: version ? 'unsupported_version' : undefined,
      }),
    ),
  ];

  kinds.push(
    fc.tuple(baseBody, fc.constantFrom(...badHeaders)).map(([body, extra]) =>
      request({
        kind: `headers ${Object.keys(extra).join(',')}`,
        headers: { ...(operation.body ? jsonHeaders : headers), ...extra },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      }),
    ),
  );

  for (const name of operation.pathParameters) {
    kinds.push(
      fc.constantFrom(...badPathValues).map((value) =>
        request({
          kind: `path ${name}`,
          path: operation.template
            .replace(`{${name}}`, value)
            .replace(
              /\{([^}]+)\}/g,
              (_match, other: string) =>
                operation.path.split('/')[operation.template.split('/').indexOf(`{${other}}`)]!,
            ),
          about: { location: 'params', field: name },
        }),
      ),
    );
  }

  for (const parameter of operation.queryParameters) {
    const resolved = resolve(parameter.schema, context);
    const values =
      resolved.type === 'integer' || resolved.type === 'number'
        ? badNumbers
        : resolved.type === 'boolean'
          ? badBooleans
          : /token|cursor|after|page/.test(parameter.name)
            ? badTokens
            : ['not-a-known-value', 'x'.repeat(10_000), '%00', '%ZZ'];
    const others = baseQuery.filter(([name]) => name !== parameter.name);
    // Only the query is hostile: the body, where the operation takes one, is a valid one.
    const validBody = (body: unknown) => (operation.body && body !== undefined ? { body: JSON.stringify(body) } : {});
    kinds.push(
      fc.oneof(
        fc.tuple(baseBody, fc.constantFrom(...values)).map(([body, value]) =>
          request({
            kind: `query ${parameter.name}`,
            query: queryString([...others, [parameter.name, value]]),
            about: { location: 'query', field: parameter.name },
            ...validBody(body),
          }),
        ),
        baseBody.map((body) =>
          request({
            kind: `query ${parameter.name} repeated`,
            query: queryString([...others, [parameter.name, '1'], [parameter.name, '2']]),
            about: { location: 'query', field: parameter.name },
            ...validBody(body),
          }),
        ),
      ),
    );
  }

  if (operation.body) {
    kinds.push(
      fc
        .constantFrom('{', '{"a":', '[1,]', "{'a': 1}", 'nul', '{"a":1}}', '"unterminated', '{"a":1,}', '\u0000')
        .map((body) => request({ kind: 'malformed JSON', body, expect: 'invalid_json' })),
      fc
        .constantFrom('[]', '"text"', '42', 'null', 'true', '[{}]', '{}')
        .map((body) => request({ kind: 'top-level type', body })),
      fc.tuple(baseBody, fc.constantFrom(65, 500, 20_000)).map(([body, levels]) =>
        request({
          kind: `nested ${levels}`,
          body: withField(body, properties[0]?.[0] ?? 'a', nested(levels)),
          expect: 'too_deep',
        }),
      ),
    );
    for (const name of required)
      kinds.push(
        baseBody.map((body) =>
          request({
            kind: `missing ${name}`,
            body: withField(body, name, undefined),
            about: { location: 'body', field: name },
          }),
        ),
      );
    for (const [name, schema] of properties) {
      const typed = isTyped(schema, context);
      const about = { location: 'body' as const, field: name };
      kinds.push(
        fc.tuple(baseBody, typed ? wrongTypeFor(schema, context) : fc.constant(null)).map(([body, value]) =>
          request({
            kind: `wrong type ${name}`,
            body: withField(body, name, JSON.stringify(value)),
            ...(typed ? { about } : {}),
          }),
        ),
        fc
          .tuple(baseBody, fc.constantFrom('x', 'é', '"', '\\u0000'))
          .map(([body, unit]) =>
            request({ kind: `100 KB ${name}`, body: withField(body, name, `"${unit.repeat(100_000 / unit.length)}"`) }),
          ),
        fc
          .tuple(baseBody, fc.jsonValue({ maxDepth: 3 }))
          .map(([body, value]) =>
            request({ kind: `any JSON ${name}`, body: withField(body, name, JSON.stringify(value) ?? 'null') }),
          ),
        fc
          .tuple(baseBody, fc.integer({ min: 2, max: 60 }))
          .map(([body, levels]) =>
            request({ kind: `nested ${levels} in ${name}`, body: withField(body, name, nested(levels)) }),
          ),
      );
      const inner = nestedProperty(schema, context);
      if (inner)
        kinds.push(
          fc
            .tuple(baseBody, valueFor(inner.object, context), wrongTypeFor(inner.schema, context))
            .map(([body, valid, value]) => {
              // A valid inner object, wrong in that one property.
              const object = { ...(valid as Record<string, unknown>), [inner.name]: value };
              const text = JSON.stringify(inner.inArray ? [object] : object);
              return request({
                kind: `wrong type ${name}${inner.path}`,
                body: withField(body, name, text),
                about: { location: 'body', field: `${name}${inner.path}` },
              });
            }),
        );
      const values = enumValues(schema, context);
      if (values)
        kinds.push(
          baseBody.map((body) =>
            request({ kind: `unknown enum ${name}`, body: withField(body, name, '"not-a-known-value"'), about }),
          ),
        );
    }
  }
  return fc.oneof(...kinds);
}
