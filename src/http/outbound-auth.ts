// The auth settings shared by `api` and `webhook` connections (the API's connection configurations): basic,
// a custom header, query-string parameters, extra headers and OAuth client credentials, turned
// into what goes on an outbound request.
import type { Dispatcher } from 'undici';
import {
  createOAuthTokenSource,
  type OAuthClientCredentials,
  type OAuthTokenSource,
} from './oauth-client-credentials.ts';

interface NameValuePair {
  name: string;
  value: string;
}

export interface OutboundAuth {
  basic?: { username?: string; password?: string };
  header?: NameValuePair;
  query?: NameValuePair[];
  headers?: NameValuePair[];
  oauth?: OAuthClientCredentials;
}

export interface PreparedAuth {
  url: URL;
  headers: Record<string, string>;
  /** Per-request headers (the OAuth bearer token); absent without OAuth. */
  dynamicHeaders?: (signal: AbortSignal) => Promise<Record<string, string>>;
}

/** Accepts one object or a list, as Terraform "Attributes Set" values arrive either way. */
function asPairs(value: unknown): NameValuePair[] {
  if (value === undefined || value === null) return [];
  const list = Array.isArray(value) ? value : [value];
  return list.filter(
    (item): item is NameValuePair =>
      typeof item?.name === 'string' && item.name !== '' && typeof item?.value === 'string',
  );
}

export function prepareOutboundAuth(
  url: string,
  auth: OutboundAuth,
  options: { dispatcher?: Dispatcher } = {},
): PreparedAuth {
  const target = new URL(url);
  const headers: Record<string, string> = {};
  for (const header of asPairs(auth.headers)) headers[header.name.toLowerCase()] = header.value;
  if (auth.basic && (auth.basic.username || auth.basic.password)) {
    headers.authorization = `Basic ${Buffer.from(`${auth.basic.username ?? ''}:${auth.basic.password ?? ''}`).toString('base64')}`;
  }
  for (const header of asPairs(auth.header)) headers[header.name.toLowerCase()] = header.value;
  for (const parameter of asPairs(auth.query)) target.searchParams.append(parameter.name, parameter.value);
  const prepared: PreparedAuth = { url: target, headers };
  if (auth.oauth?.token_endpoint) {
    const source: OAuthTokenSource = createOAuthTokenSource({
      credentials: auth.oauth,
      dispatcher: options.dispatcher,
    });
    prepared.dynamicHeaders = async (signal) => ({ authorization: `Bearer ${await source.accessToken(signal)}` });
  }
  return prepared;
}
