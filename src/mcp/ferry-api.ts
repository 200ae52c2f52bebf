// The one way the MCP tools reach Ferry: a request to its public HTTP API, answered with the status and the parsed
// body. `ferry mcp` sends it over the network (httpFerryApi); the server's /mcp route sends it through its own
// router with the caller's Authorization header, so both go through the same auth, policy and idempotency as any
// client.

export interface FerryApiRequest {
  method: 'GET' | 'POST';
  /** The path and query string, e.g. `/api/syncs?limit=50`. */
  path: string;
  body?: unknown;
  /** Sent as Idempotency-Key, so that a retried write tool call starts one execution. */
  idempotencyKey?: string;
}

interface FerryApiAnswer {
  status: number;
  /** The parsed JSON body; undefined when there is none or it is not JSON. */
  body: unknown;
}

export type FerryApi = (request: FerryApiRequest) => Promise<FerryApiAnswer>;

/** The headers of a request, whichever way it travels. */
export function requestHeaders(request: FerryApiRequest, authorization: string): Record<string, string> {
  return {
    authorization,
    accept: 'application/json',
    ...(request.body === undefined ? {} : { 'content-type': 'application/json' }),
    ...(request.idempotencyKey ? { 'idempotency-key': request.idempotencyKey } : {}),
  };
}

export function parseBody(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}

export interface HttpFerryApiOptions {
  url: string;
  apiKey: string;
  /** Per request; a server that does not answer in time becomes the tool's error, not a hung call. */
  timeoutMs?: number;
}

export function httpFerryApi(options: HttpFerryApiOptions): FerryApi {
  const base = options.url.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 30_000;
  return async (request) => {
    let response: Response;
    try {
      response = await fetch(base + request.path, {
        method: request.method,
        headers: requestHeaders(request, `Bearer ${options.apiKey}`),
        body: request.body === undefined ? undefined : JSON.stringify(request.body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new Error(`cannot reach Ferry at ${base}: ${cause?.code ?? cause?.message ?? (error as Error).message}`);
    }
    return { status: response.status, body: parseBody(await response.text()) };
  };
}
