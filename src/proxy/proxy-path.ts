// The caller's path is appended to the connection's base URL and must stay under it. Refused:
// anything that is not a plain absolute path ("/x"), absolute or protocol-relative URLs, query or
// fragment markers, backslashes (WHATWG URL turns them into "/"), control characters, "." and ".."
// segments, and encoded slashes, backslashes or dots that a server could decode into the same —
// checked through three rounds of percent-decoding (double and triple encoding).
import { fail } from './proxy-error.ts';

const decodeRounds = 3;

function refuse(path: string, reason: string): never {
  fail('proxy_invalid_path', `path ${reason}`, { field: 'path', path });
}

function checkSegments(candidate: string, original: string): void {
  for (const segment of candidate.split('/')) {
    if (segment === '.' || segment === '..') refuse(original, 'must not contain "." or ".." segments');
  }
}

/** Returns the full upstream URL path (base path + caller path) or fails with proxy_invalid_path. */
export function resolveProxyPath(basePath: string, path: unknown): string {
  if (typeof path !== 'string' || path === '') refuse(String(path), 'is required');
  if (!path.startsWith('/')) refuse(path, 'must start with "/"');
  if (path.startsWith('//')) refuse(path, 'must not start with "//" (a protocol-relative URL)');
  if (/[\u0000-\u0020\u007f\\]/.test(path)) refuse(path, 'must not contain spaces, control characters or backslashes');
  if (path.includes('?') || path.includes('#'))
    refuse(path, 'must not contain a query string or fragment; use query or rawQuery');
  if (/^\/?[a-z][a-z0-9+.-]*:/i.test(path)) refuse(path, 'must not be an absolute URL');
  let candidate = path;
  for (let round = 0; round <= decodeRounds; round += 1) {
    checkSegments(candidate, path);
    if (/%(2f|5c)/i.test(candidate)) refuse(path, 'must not contain encoded slashes or backslashes');
    if (!candidate.includes('%')) break;
    let decoded: string;
    try {
      decoded = decodeURIComponent(candidate);
    } catch (error: unknown) {
      fail('proxy_invalid_path', 'path has invalid percent-encoding', { field: 'path', path }, error);
    }
    if (/[\u0000-\u001f\u007f\\]/.test(decoded)) refuse(path, 'must not encode control characters or backslashes');
    if (decoded === candidate) break;
    candidate = decoded;
  }
  const joined = `${basePath.replace(/\/+$/, '')}${path}`;
  // Belt and braces: let the URL parser normalise it and confirm the prefix survived.
  const normalised = new URL(joined, 'http://upstream.invalid').pathname;
  const prefix = basePath.replace(/\/+$/, '');
  if (prefix !== '' && !normalised.startsWith(`${prefix}/`)) refuse(path, 'escapes the base URL');
  return joined;
}
