// Reads one paginated JSON resource as a bulk source with one schema (its id is the resource
// path). Fields are inferred from the first page. Pages are fetched one at a time as the engine
// pulls batches, so memory holds one page. Cursor reads filter rows past the cursor; ordering is
// the API's, since a remote API cannot be asked to sort (documented in docs/connectors.md).
import type { Dispatcher } from 'undici';
import { request } from 'undici';
import type { BulkSource, ReadRequest } from '../connector.ts';
import { ConnectorError, canceledError, networkErrorTable, socketErrorCode } from '../connector-error.ts';
import type { FieldDescription, Row, SchemaDescription, UtilFieldType } from '../records.ts';
import type { RunContext } from '../../domain/run-context.ts';
import { readCappedBody } from '../../http/capped-body.ts';
import { findForbiddenAddress } from '../../http/guarded-dispatcher.ts';
import type { UpstreamContract } from '../../proxy/upstream-contract.ts';
import type { ApiSourceConfiguration } from './api-configuration.ts';

// A page above this is refused rather than buffered: pages are parsed whole.
const maxPageBytes = 32 * 1024 * 1024;

export interface ApiClient {
  /** GET a URL under the base with the connection's locked headers; returns status and parsed JSON. */
  get(context: RunContext, url: URL): Promise<{ status: number; body: unknown }>;
  urlFor(path: string): URL;
}

export function createApiClient(contract: UpstreamContract, dispatcher: Dispatcher, timeoutMs = 30_000): ApiClient {
  const headers: Record<string, string> = { accept: 'application/json', 'accept-encoding': 'identity' };
  for (const header of contract.lockedHeaders) headers[header.name] = header.value;
  return {
    urlFor(path) {
      const url = new URL(contract.baseUrl.origin);
      url.pathname = `${contract.baseUrl.pathname.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
      for (const parameter of contract.lockedQuery) url.searchParams.append(parameter.name, parameter.value);
      return url;
    },
    async get(context, url) {
      if (context.signal.aborted) throw canceledError(context.signal);
      let response: Dispatcher.ResponseData;
      try {
        response = await request(url, {
          method: 'GET',
          headers,
          dispatcher,
          signal: AbortSignal.any([context.signal, AbortSignal.timeout(timeoutMs)]),
        });
      } catch (error: unknown) {
        if (context.signal.aborted) throw canceledError(context.signal);
        const refused = findForbiddenAddress(error);
        if (refused)
          throw new ConnectorError(refused.message, { code: 'invalid_configuration', field: 'url', cause: error });
        const known = networkErrorTable[socketErrorCode(error) ?? ''];
        throw new ConnectorError(`${known?.summary ?? 'The API could not be reached'} (${(error as Error)?.message})`, {
          code: known?.code ?? 'host_unreachable',
          retryable: known?.retryable ?? true,
          cause: error,
        });
      }
      const page = await readCappedBody(response.body, maxPageBytes);
      if (page.truncated)
        throw new ConnectorError(`A page of ${url.pathname} is larger than ${maxPageBytes} bytes`, {
          code: 'resource_exhausted',
        });
      const text = page.bytes.toString('utf8');
      let body: unknown = text;
      try {
        body = text === '' ? null : JSON.parse(text);
      } catch {
        // Non-JSON bodies are returned as text for error messages.
      }
      return { status: response.statusCode, body };
    },
  };
}

export function statusError(status: number, body: unknown, what: string): ConnectorError {
  const detail = typeof body === 'string' ? body.slice(0, 200) : JSON.stringify(body)?.slice(0, 200);
  if (status === 401 || status === 403)
    return new ConnectorError(`The API refused the credentials for ${what} (HTTP ${status}: ${detail})`, {
      code: 'authentication_failed',
    });
  if (status === 404) return new ConnectorError(`${what} was not found (HTTP 404)`, { code: 'object_missing' });
  if (status === 429 || status >= 500)
    return new ConnectorError(`The API failed on ${what} (HTTP ${status}: ${detail})`, {
      code: 'transient',
      retryable: true,
    });
  return new ConnectorError(`The API refused ${what} (HTTP ${status}: ${detail})`, { code: 'unknown' });
}

function atPath(value: unknown, path: string | undefined): unknown {
  if (!path) return value;
  let current = value;
  for (const key of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function typeOf(value: unknown): UtilFieldType {
  if (typeof value === 'number') return 'number';
  if (typeof value === 'string') return 'string';
  if (typeof value === 'boolean') return 'boolean';
  if (Array.isArray(value)) return 'array';
  if (value !== null && typeof value === 'object') return 'object';
  return 'unknown';
}

function compare(left: unknown, right: unknown): number {
  if (typeof left === 'number' && typeof right === 'number') return left - right;
  return String(left).localeCompare(String(right));
}

export function createApiSource(client: ApiClient, source: ApiSourceConfiguration): BulkSource {
  const schemaId = source.path;

  async function* pages(context: RunContext): AsyncGenerator<Row[]> {
    const { pagination } = source;
    let url: URL | undefined = client.urlFor(source.path);
    let pageNumber = pagination.first_page ?? 1;
    let offset = 0;
    const sized = (target: URL) => {
      if (pagination.limit_parameter && pagination.limit)
        target.searchParams.set(pagination.limit_parameter, String(pagination.limit));
    };
    if (pagination.kind === 'page') {
      url.searchParams.set(pagination.page_parameter ?? 'page', String(pageNumber));
      sized(url);
    }
    if (pagination.kind === 'offset') {
      url.searchParams.set(pagination.offset_parameter ?? 'offset', '0');
      sized(url);
    }
    for (let fetched = 0; url && fetched < source.max_pages; fetched += 1) {
      const { status, body } = await client.get(context, url);
      if (status < 200 || status >= 300) throw statusError(status, body, `GET ${url.pathname}`);
      const records = atPath(body, source.records_path);
      if (!Array.isArray(records)) {
        throw new ConnectorError(
          `records_path ${JSON.stringify(source.records_path)} does not point at an array in the response`,
          { code: 'invalid_configuration', field: 'records_path' },
        );
      }
      const rows = records.filter(
        (record): record is Row => record !== null && typeof record === 'object' && !Array.isArray(record),
      );
      yield rows;
      context.heartbeat({ pages: fetched + 1 });
      if (records.length === 0) return;
      if (pagination.kind === 'none') return;
      if (pagination.kind === 'next_link') {
        const next = atPath(body, pagination.next_path ?? 'next');
        if (typeof next !== 'string' || next === '') return;
        const nextUrl: URL = new URL(next, url);
        // A next link may not lead off the API: the connection's credentials go with every page.
        if (nextUrl.origin !== url.origin)
          throw new ConnectorError(`next link ${nextUrl.origin} leaves the API origin ${url.origin}`, {
            code: 'invalid_data',
          });
        url = nextUrl;
      } else if (pagination.kind === 'page') {
        pageNumber += 1;
        url = new URL(url);
        url.searchParams.set(pagination.page_parameter ?? 'page', String(pageNumber));
      } else {
        offset += records.length;
        url = new URL(url);
        url.searchParams.set(pagination.offset_parameter ?? 'offset', String(offset));
      }
    }
  }

  async function describe(context: RunContext): Promise<SchemaDescription> {
    const fields = new Map<string, FieldDescription>();
    for await (const rows of pages(context)) {
      for (const row of rows.slice(0, 100)) {
        for (const [key, value] of Object.entries(row)) {
          const known = fields.get(key);
          if (!known || known.type === 'unknown') {
            fields.set(key, {
              id: key,
              name: key,
              type: typeOf(value),
              remote_type: value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value,
              is_primary_key: false,
              nullable: true,
            });
          }
        }
      }
      break;
    }
    return { id: schemaId, name: schemaId, fields: [...fields.values()] };
  }

  return {
    async listSchemas(context) {
      return [await describe(context)];
    },
    async describeSchema(context, id) {
      return id === schemaId ? describe(context) : undefined;
    },
    async *read(context, readRequest: ReadRequest) {
      if (readRequest.schemaId !== schemaId)
        throw new ConnectorError(`No schema ${readRequest.schemaId}`, { code: 'object_missing' });
      if (context.signal.aborted) throw canceledError(context.signal);
      const batchSize = readRequest.batchSize ?? 1000;
      const limit = readRequest.limit ?? Number.POSITIVE_INFINITY;
      const cursor = readRequest.cursor;
      let batch: Row[] = [];
      let emitted = 0;
      for await (const rows of pages(context)) {
        for (const row of rows) {
          if (cursor && cursor.after !== undefined && cursor.after !== null) {
            const order = compare(row[cursor.field], cursor.after);
            if (order < 0 || (order === 0 && !cursor.inclusive)) continue;
          }
          batch.push(
            readRequest.fields
              ? Object.fromEntries(readRequest.fields.map((field) => [field, row[field] ?? null]))
              : row,
          );
          emitted += 1;
          if (batch.length >= batchSize || emitted >= limit) {
            yield batch;
            batch = [];
            if (context.signal.aborted) throw canceledError(context.signal);
          }
          if (emitted >= limit) return;
        }
      }
      if (batch.length > 0) yield batch;
    },
  };
}
