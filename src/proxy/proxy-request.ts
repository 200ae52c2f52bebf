// Turns a caller's ConnectionProxyCall into the exact upstream request, enforcing the contract:
// allowed methods, path rule, query modes and value types, header rules and the body cap. Locked
// headers and parameters come from the connection and cannot be overridden (400, not a silent
// drop, so the caller learns its value was not used); hop-by-hop headers are stripped (RFC 9110
// §7.6.1), as any proxy does.
import { allowedProxyMethods, type ProxyLimits, type ProxyMethod } from './proxy-limits.ts';
import { fail } from './proxy-error.ts';
import { resolveProxyPath } from './proxy-path.ts';
import type { UpstreamContract } from './upstream-contract.ts';

/** The caller's request, as ConnectionProxyCall on the wire. */
export interface ConnectionProxyCall {
  method: string;
  path: string;
  query?: Record<string, unknown>;
  rawQuery?: string;
  headers?: Record<string, string>;
  /** string | JSON object | null */
  body?: unknown;
}

export interface UpstreamRequest {
  method: ProxyMethod;
  url: URL;
  /** Caller path as given (for audit), without base path. */
  path: string;
  headers: Record<string, string>;
  body: Buffer | undefined;
}

/** Stripped from caller headers. Hop-by-hop per RFC 9110 §7.6.1, plus headers the proxy owns. */
export const blockedRequestHeaders = [
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'content-length',
  'expect',
  // Responses are returned as text; a compressed body would arrive as bytes the caller cannot use.
  'accept-encoding',
] as const;

export const queryValueTypes = ['string', 'number', 'boolean', 'array'] as const;
const headerToken = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

function validateMethod(method: unknown): ProxyMethod {
  const upper = typeof method === 'string' ? method.toUpperCase() : '';
  if (!(allowedProxyMethods as readonly string[]).includes(upper)) {
    fail('proxy_method_not_allowed', `method must be one of ${allowedProxyMethods.join(', ')}`, {
      field: 'method',
      method,
      allowedMethods: [...allowedProxyMethods],
    });
  }
  return upper as ProxyMethod;
}

function queryPairs(call: ConnectionProxyCall): [string, string][] {
  if (call.query !== undefined && call.query !== null && call.rawQuery !== undefined && call.rawQuery !== null) {
    fail('proxy_invalid_query', 'query and rawQuery are mutually exclusive', { field: 'query' });
  }
  if (typeof call.rawQuery === 'string') {
    if (call.rawQuery.startsWith('?') || /[\s#]/.test(call.rawQuery)) {
      fail('proxy_invalid_query', 'rawQuery must not start with "?" or contain whitespace or "#"', {
        field: 'rawQuery',
      });
    }
    return [...new URLSearchParams(call.rawQuery)];
  }
  if (call.rawQuery !== undefined && call.rawQuery !== null)
    fail('proxy_invalid_query', 'rawQuery must be a string', { field: 'rawQuery' });
  if (call.query === undefined || call.query === null) return [];
  if (typeof call.query !== 'object' || Array.isArray(call.query))
    fail('proxy_invalid_query', 'query must be an object', { field: 'query' });
  const pairs: [string, string][] = [];
  for (const [name, value] of Object.entries(call.query)) {
    const values = Array.isArray(value) ? value : [value];
    for (const item of values) {
      if (typeof item !== 'string' && typeof item !== 'number' && typeof item !== 'boolean') {
        fail('proxy_invalid_query', `query.${name} must be a string, number, boolean or an array of them`, {
          field: `query.${name}`,
        });
      }
      pairs.push([name, String(item)]);
    }
  }
  return pairs;
}

function callerHeaders(contract: UpstreamContract, headers: unknown): Record<string, string> {
  if (headers === undefined || headers === null) return {};
  if (typeof headers !== 'object' || Array.isArray(headers))
    fail('proxy_invalid_header', 'headers must be an object of strings', { field: 'headers' });
  const locked = new Set(contract.lockedHeaders.map((header) => header.name));
  const result: Record<string, string> = {};
  for (const [rawName, value] of Object.entries(headers as Record<string, unknown>)) {
    const name = rawName.toLowerCase();
    if (!headerToken.test(name))
      fail('proxy_invalid_header', `header name ${JSON.stringify(rawName)} is not valid`, {
        field: `headers.${rawName}`,
      });
    if (typeof value !== 'string' || /[\r\n\0]/.test(value)) {
      fail('proxy_invalid_header', `header ${rawName} must be a string without line breaks`, {
        field: `headers.${rawName}`,
      });
    }
    if (locked.has(name))
      fail('proxy_locked_header', `header ${rawName} is set by the connection and cannot be overridden`, {
        field: `headers.${rawName}`,
        header: name,
      });
    if ((blockedRequestHeaders as readonly string[]).includes(name)) continue;
    result[name] = value;
  }
  return result;
}

function encodeBody(
  body: unknown,
  method: ProxyMethod,
  headers: Record<string, string>,
  limits: ProxyLimits,
): Buffer | undefined {
  if (body === undefined || body === null) return undefined;
  if (method === 'GET') fail('proxy_invalid_body', 'GET requests cannot have a body', { field: 'body' });
  let bytes: Buffer;
  if (typeof body === 'string') {
    bytes = Buffer.from(body, 'utf8');
    headers['content-type'] ??= 'text/plain; charset=utf-8';
  } else if (typeof body === 'object') {
    bytes = Buffer.from(JSON.stringify(body), 'utf8');
    headers['content-type'] ??= 'application/json';
  } else {
    fail('proxy_invalid_body', 'body must be a string, a JSON object or null', { field: 'body' });
  }
  if (bytes.length > limits.maxRequestBodyBytes) {
    fail('proxy_body_too_large', `request body is ${bytes.length} bytes; the limit is ${limits.maxRequestBodyBytes}`, {
      field: 'body',
      bytes: bytes.length,
      maxRequestBodyBytes: limits.maxRequestBodyBytes,
    });
  }
  return bytes;
}

export function buildUpstreamRequest(
  contract: UpstreamContract,
  call: ConnectionProxyCall,
  limits: ProxyLimits,
): UpstreamRequest {
  if (call === null || typeof call !== 'object')
    fail('proxy_invalid_body', 'request must be an object', { field: 'request' });
  const method = validateMethod(call.method);
  const pathname = resolveProxyPath(contract.baseUrl.pathname === '/' ? '' : contract.baseUrl.pathname, call.path);
  const pairs = queryPairs(call);
  const lockedNames = new Set(contract.lockedQuery.map((parameter) => parameter.name));
  for (const [name] of pairs) {
    if (lockedNames.has(name))
      fail('proxy_locked_query', `query parameter ${name} is set by the connection and cannot be overridden`, {
        field: `query.${name}`,
        parameter: name,
      });
  }
  const url = new URL(contract.baseUrl.origin);
  url.pathname = pathname;
  const search = new URLSearchParams(pairs);
  for (const parameter of contract.lockedQuery) search.append(parameter.name, parameter.value);
  url.search = search.toString();

  const headers = callerHeaders(contract, call.headers);
  const body = encodeBody(call.body, method, headers, limits);
  for (const header of contract.lockedHeaders) headers[header.name] = header.value;
  headers['accept-encoding'] = 'identity';
  return { method, url, path: call.path, headers, body };
}
