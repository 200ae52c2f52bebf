// OAuth 2.0 client-credentials grant (RFC 6749 §4.4) for `api` and `webhook` connections: fetches
// an access token and caches it until shortly before it expires. `auth_style` follows Go's
// golang.org/x/oauth2 numbering, which Polytomic's configuration uses: 0 auto-detect, 1 client
// credentials in the form body, 2 in an HTTP Basic header. Auto-detect tries the header first and
// falls back to the form body on 400/401, as the Go library does.
import { request, type Dispatcher } from 'undici';

export interface OAuthClientCredentials {
  client_id?: string;
  client_secret?: string;
  token_endpoint?: string;
  scopes?: string[];
  extra_form_data?: { name: string; value: string }[];
  auth_style?: number;
}

export interface OAuthTokenSource {
  /** A valid access token; fetches a new one when none is cached or it is about to expire. */
  accessToken(signal?: AbortSignal): Promise<string>;
}

export interface OAuthTokenSourceOptions {
  credentials: OAuthClientCredentials;
  dispatcher?: Dispatcher;
  now?: () => number;
  /** Default 30 000 ms, the proxy's upstream deadline. */
  timeoutMs?: number;
}

class OAuthTokenError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'OAuthTokenError';
  }
}

// Tokens are renewed this long before `expires_in` runs out so a call never leaves with a token
// that dies in flight. Without expires_in the token is kept for an hour.
const renewMarginMs = 60_000;
const defaultLifetimeMs = 3_600_000;

export function createOAuthTokenSource(options: OAuthTokenSourceOptions): OAuthTokenSource {
  const now = options.now ?? Date.now;
  const { credentials } = options;
  let cached: { token: string; expiresAt: number } | undefined;
  let pending: Promise<string> | undefined;

  async function post(style: 'header' | 'params', signal?: AbortSignal): Promise<{ status: number; body: unknown }> {
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    if (credentials.scopes && credentials.scopes.length > 0) form.set('scope', credentials.scopes.join(' '));
    for (const extra of credentials.extra_form_data ?? []) form.set(extra.name, extra.value);
    const headers: Record<string, string> = {
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    };
    if (style === 'header') {
      // RFC 6749 §2.3.1: id and secret are form-urlencoded before Basic encoding.
      const user = encodeURIComponent(credentials.client_id ?? '');
      const password = encodeURIComponent(credentials.client_secret ?? '');
      headers.authorization = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
    } else {
      form.set('client_id', credentials.client_id ?? '');
      form.set('client_secret', credentials.client_secret ?? '');
    }
    const timeout = AbortSignal.timeout(options.timeoutMs ?? 30_000);
    const response = await request(credentials.token_endpoint as string, {
      method: 'POST',
      headers,
      body: form.toString(),
      dispatcher: options.dispatcher,
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    });
    const text = await response.body.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // Some servers answer form-encoded (GitHub's historical behaviour).
      body = Object.fromEntries(new URLSearchParams(text));
    }
    return { status: response.statusCode, body };
  }

  async function fetchToken(signal?: AbortSignal): Promise<string> {
    if (!credentials.token_endpoint) throw new OAuthTokenError('oauth.token_endpoint is not configured');
    const style = credentials.auth_style === 1 ? 'params' : 'header';
    let result: { status: number; body: unknown };
    try {
      result = await post(style, signal);
      if ((credentials.auth_style ?? 0) === 0 && (result.status === 400 || result.status === 401))
        result = await post('params', signal);
    } catch (error: unknown) {
      throw new OAuthTokenError(`token endpoint request failed: ${(error as Error)?.message ?? String(error)}`, {
        cause: error,
      });
    }
    const body = (result.body ?? {}) as { access_token?: unknown; expires_in?: unknown; error?: unknown };
    if (result.status < 200 || result.status >= 300 || typeof body.access_token !== 'string') {
      const reason = typeof body.error === 'string' ? body.error : `HTTP ${result.status}`;
      throw new OAuthTokenError(`token endpoint refused the client credentials: ${reason}`);
    }
    const lifetime = Number(body.expires_in) > 0 ? Number(body.expires_in) * 1000 : defaultLifetimeMs;
    cached = { token: body.access_token, expiresAt: now() + lifetime - Math.min(renewMarginMs, lifetime / 2) };
    return body.access_token;
  }

  return {
    async accessToken(signal) {
      if (cached && now() < cached.expiresAt) return cached.token;
      // One fetch at a time: concurrent calls share it instead of stampeding the token endpoint.
      pending ??= fetchToken(signal).finally(() => {
        pending = undefined;
      });
      return pending;
    },
  };
}
