// The command line's way to Ferry: its public HTTP API, so the same commands drive a local or a remote server.
// Errors come back as CliError with the API's own message (its error shape carries `message`, older versions
// `error`), never a stack trace.

export class CliError extends Error {
  /** The process exit code the command ends with. */
  readonly exitCode: number;
  constructor(message: string, exitCode = 1) {
    super(message);
    this.exitCode = exitCode;
  }
}

export interface ApiClientOptions {
  url: string;
  apiKey: string;
  /** Per request; a server that does not answer in time is reported, not waited on forever. */
  timeoutMs?: number;
}

export interface ApiClient {
  readonly url: string;
  /** The parsed JSON body (read it with api-wire.ts). */
  get(path: string): Promise<unknown>;
  post(path: string, body?: unknown): Promise<unknown>;
  /** GET that answers undefined on 404 instead of failing. */
  find(path: string): Promise<unknown>;
}

function messageOf(status: number, text: string): string {
  try {
    const body = JSON.parse(text) as { message?: unknown; error?: unknown };
    const message = typeof body.message === 'string' ? body.message : typeof body.error === 'string' ? body.error : '';
    if (message) return `${message} (HTTP ${status})`;
  } catch {
    // not JSON: fall through to the status line
  }
  return `HTTP ${status}${text ? `: ${text.slice(0, 200)}` : ''}`;
}

export function createApiClient(options: ApiClientOptions): ApiClient {
  const base = options.url.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 30_000;
  const request = async (method: string, path: string, body: unknown, allowMissing: boolean): Promise<unknown> => {
    let response: Response;
    try {
      response = await fetch(base + path, {
        method,
        headers: {
          authorization: `Bearer ${options.apiKey}`,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new CliError(`cannot reach Ferry at ${base}: ${cause?.code ?? cause?.message ?? (error as Error).message}`);
    }
    const text = await response.text();
    if (allowMissing && response.status === 404) return undefined;
    if (!response.ok) {
      const hint = response.status === 401 ? '; set FERRY_API_KEY or --api-key' : '';
      throw new CliError(`${method} ${path}: ${messageOf(response.status, text)}${hint}`);
    }
    try {
      return text ? JSON.parse(text) : undefined;
    } catch {
      throw new CliError(`${method} ${path}: the answer is not JSON (is ${base} a Ferry?)`);
    }
  };
  return {
    url: base,
    get: (path) => request('GET', path, undefined, false),
    post: (path, body) => request('POST', path, body ?? {}, false),
    find: (path) => request('GET', path, undefined, true),
  };
}
