// The upstream an `api` connection points at, derived once from its decrypted configuration
// (keys of the API's "api" connection configuration: url, auth{basic|header|query|oauth}, headers, parameters,
// healthcheck). Everything the connection sets is *locked*: callers cannot override it.
import type { OAuthClientCredentials } from '../http/oauth-client-credentials.ts';
import { fail } from './proxy-error.ts';

interface NameValue {
  name: string;
  value: string;
}

interface ApiConnectionConfiguration {
  url: string;
  auth?: {
    basic?: { username?: string; password?: string };
    header?: NameValue;
    query?: NameValue[] | NameValue;
    oauth?: OAuthClientCredentials;
  };
  headers?: NameValue[];
  parameters?: NameValue[];
  healthcheck?: string;
  body?: string;
}

interface LockedValue {
  name: string;
  value: string;
  /** Sensitive values are shown as [REDACTED] by info() and never logged. */
  sensitive: boolean;
}

export interface UpstreamContract {
  /** Origin plus base path, no credentials, no query, no trailing slash. */
  baseUrl: URL;
  lockedHeaders: LockedValue[];
  lockedQuery: LockedValue[];
  /** OAuth client credentials: the Authorization header is fetched per call (cached until expiry). */
  oauth?: OAuthClientCredentials;
  /** Relative path of the health check endpoint, when configured. */
  healthcheck?: string;
}

// Configured (non-auth) headers are shown in info() unless their name suggests a secret; auth values
// are always redacted. The spec marks every lockedQuery value as redacted, so query values always are.
const sensitiveName = /auth|key|token|secret|passw|cookie|session|signature|credential/i;

function nameValues(input: unknown, field: string): NameValue[] {
  if (input === undefined || input === null) return [];
  const list = Array.isArray(input) ? input : [input];
  return list.map((item, index) => {
    const entry = item as Partial<NameValue> | null;
    if (!entry || typeof entry.name !== 'string' || entry.name === '' || typeof entry.value !== 'string') {
      fail('proxy_configuration_invalid', `${field}[${index}] needs a name and a string value`, {
        field: `${field}[${index}]`,
      });
    }
    return { name: entry.name, value: entry.value };
  });
}

const headerToken = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

export function deriveUpstreamContract(configuration: unknown): UpstreamContract {
  const config = (configuration ?? {}) as Partial<ApiConnectionConfiguration>;
  if (typeof config.url !== 'string' || config.url.trim() === '')
    fail('proxy_configuration_invalid', 'url is required', { field: 'url' });
  let parsed: URL;
  try {
    parsed = new URL(config.url.trim());
  } catch (error: unknown) {
    fail('proxy_configuration_invalid', 'url is not a valid URL', { field: 'url' }, error);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    fail('proxy_configuration_invalid', 'url must use http or https', { field: 'url' });
  }
  const lockedQuery: LockedValue[] = [];

  // Credentials in the URL become basic auth, and its query parameters become locked parameters,
  // so that neither is ever echoed in baseUrl.
  const urlUser = decodeURIComponent(parsed.username);
  const urlPassword = decodeURIComponent(parsed.password);
  for (const [name, value] of parsed.searchParams) lockedQuery.push({ name, value, sensitive: true });
  const baseUrl = new URL(parsed.origin);
  baseUrl.pathname = parsed.pathname.replace(/\/+$/, '');

  // One value per header name. Precedence: auth.header > auth.basic > URL credentials, and every
  // auth header beats a configured header of the same name (a stray `Authorization` in `headers`
  // must not replace the credentials).
  const headersByName = new Map<string, LockedValue>();
  const auth = config.auth ?? {};
  const basic = auth.basic ?? (urlUser !== '' ? { username: urlUser, password: urlPassword } : undefined);
  if (basic && (basic.username || basic.password)) {
    const encoded = Buffer.from(`${basic.username ?? ''}:${basic.password ?? ''}`, 'utf8').toString('base64');
    headersByName.set('authorization', { name: 'authorization', value: `Basic ${encoded}`, sensitive: true });
  }
  for (const header of nameValues(auth.header, 'auth.header')) {
    const name = header.name.toLowerCase();
    headersByName.set(name, { name, value: header.value, sensitive: true });
  }
  for (const parameter of nameValues(auth.query, 'auth.query')) lockedQuery.push({ ...parameter, sensitive: true });
  for (const header of nameValues(config.headers, 'headers')) {
    const name = header.name.toLowerCase();
    if (headersByName.get(name)?.sensitive) continue;
    headersByName.set(name, { name, value: header.value, sensitive: sensitiveName.test(header.name) });
  }
  for (const parameter of nameValues(config.parameters, 'parameters'))
    lockedQuery.push({ ...parameter, sensitive: true });
  const usesOAuth = Boolean(auth.oauth?.token_endpoint) && !headersByName.has('authorization');
  if (usesOAuth) {
    // Placeholder shown by info(); execute() sends the fetched token instead.
    headersByName.set('authorization', {
      name: 'authorization',
      value: 'Bearer <oauth access token>',
      sensitive: true,
    });
  }
  const lockedHeaders = [...headersByName.values()];

  for (const header of lockedHeaders) {
    if (!headerToken.test(header.name) || /[\r\n\0]/.test(header.value)) {
      fail('proxy_configuration_invalid', `header ${JSON.stringify(header.name)} is not a valid HTTP header`, {
        field: 'headers',
      });
    }
  }
  const contract: UpstreamContract = { baseUrl, lockedHeaders, lockedQuery };
  if (usesOAuth) contract.oauth = auth.oauth;
  if (typeof config.healthcheck === 'string' && config.healthcheck !== '') contract.healthcheck = config.healthcheck;
  return contract;
}

/** The base URL as shown to callers: origin plus path, never credentials or query. */
export function displayBaseUrl(contract: UpstreamContract): string {
  return contract.baseUrl.href.replace(/\/$/, '');
}
