// POSTs one JSON batch with retries (see retry-policy.ts), aborting on the run's signal. Each
// attempt is reported (status or error, delay before the next) so callers can log them and count
// them in console logs. The body is serialized and signed once; a retry sends the same bytes with
// a fresh timestamp signature.
import { gzipSync } from 'node:zlib';
import { request, type Dispatcher } from 'undici';
import type { RunContext } from '../domain/run-context.ts';
import { readCappedBody } from './capped-body.ts';
import { findForbiddenAddress } from './guarded-dispatcher.ts';
import {
  backoffDelay,
  defaultRetryPolicy,
  isRetryableStatus,
  parseRetryAfter,
  type RetryPolicy,
} from './retry-policy.ts';
import { signWebhookBody } from './webhook-signature.ts';

export interface DeliveryRequest {
  url: string | URL;
  /** Serialized with JSON.stringify. */
  payload: unknown;
  headers?: Record<string, string>;
  /** When set, X-Ferry-Signature and X-Ferry-Timestamp are added. */
  signingSecret?: string;
  /** Send the body gzipped (Content-Encoding: gzip); signatures are over the JSON before compression. */
  gzip?: boolean;
  /** Called per attempt for headers that may change (e.g. an OAuth token, a timestamp). */
  dynamicHeaders?: (signal: AbortSignal) => Promise<Record<string, string>>;
}

interface DeliveryAttempt {
  attempt: number;
  status?: number;
  /** Network or timeout error message, when no status came back. */
  error?: string;
  durationMs: number;
  /** Milliseconds waited before the next attempt; undefined for the last one. */
  retryInMs?: number;
}

type DeliveryOutcome = 'delivered' | 'rejected' | 'exhausted' | 'canceled';

export interface DeliveryResult {
  outcome: DeliveryOutcome;
  attempts: DeliveryAttempt[];
  /** Final status, when one came back. */
  status?: number;
  /** Up to 4 KiB of the final response body, for error messages. */
  responseBody?: string;
}

export interface DeliveryOptions {
  dispatcher?: Dispatcher;
  retry?: Partial<RetryPolicy>;
  /** Per-attempt deadline. Default 30 000 ms. */
  attemptTimeoutMs?: number;
  now?: () => number;
  random?: () => number;
  /** Injected for tests; must reject with the signal's reason when aborted. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  onAttempt?: (attempt: DeliveryAttempt) => void;
}

const responseSnippetBytes = 4096;

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

export async function deliverJson(
  context: Pick<RunContext, 'signal' | 'log'>,
  delivery: DeliveryRequest,
  options: DeliveryOptions = {},
): Promise<DeliveryResult> {
  const policy: RetryPolicy = { ...defaultRetryPolicy, ...options.retry };
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const sleep = options.sleep ?? abortableSleep;
  const body = Buffer.from(JSON.stringify(delivery.payload, binaryAsBase64), 'utf8');
  const wire = delivery.gzip ? gzipSync(body) : body;
  const attempts: DeliveryAttempt[] = [];
  const { signal } = context;
  let last: { status?: number; responseBody?: string } = {};

  for (let attempt = 1; attempt <= policy.maxAttempts; attempt += 1) {
    if (signal.aborted) return { outcome: 'canceled', attempts, ...last };
    const started = performance.now();
    const record: DeliveryAttempt = { attempt, durationMs: 0 };
    let retryAfterMs: number | undefined;
    let retryable: boolean;
    try {
      const attemptSignal = AbortSignal.any([signal, AbortSignal.timeout(options.attemptTimeoutMs ?? 30_000)]);
      const headers: Record<string, string> = {
        ...delivery.headers,
        ...(delivery.dynamicHeaders ? await delivery.dynamicHeaders(attemptSignal) : {}),
        'content-type': 'application/json',
        ...(delivery.gzip ? { 'content-encoding': 'gzip' } : {}),
        ...(delivery.signingSecret ? signWebhookBody(delivery.signingSecret, body, now()) : {}),
      };
      const response = await request(delivery.url, {
        method: 'POST',
        headers,
        body: wire,
        dispatcher: options.dispatcher,
        signal: attemptSignal,
      });
      const snippet = await readCappedBody(response.body, responseSnippetBytes);
      record.status = response.statusCode;
      last = { status: response.statusCode, responseBody: snippet.bytes.toString('utf8') };
      if (response.statusCode >= 200 && response.statusCode < 300) {
        record.durationMs = Math.round(performance.now() - started);
        attempts.push(record);
        options.onAttempt?.(record);
        return { outcome: 'delivered', attempts, ...last };
      }
      retryable = isRetryableStatus(response.statusCode);
      const header = response.headers['retry-after'];
      retryAfterMs = parseRetryAfter(Array.isArray(header) ? header[0] : header, now());
    } catch (error: unknown) {
      if (signal.aborted) {
        record.error = 'canceled';
        record.durationMs = Math.round(performance.now() - started);
        attempts.push(record);
        options.onAttempt?.(record);
        return { outcome: 'canceled', attempts, ...last };
      }
      record.error = (error as Error)?.message || String(error);
      last = {};
      // Network errors and per-attempt timeouts are transient by nature; a refused address
      // (SSRF policy) or invalid URL would fail identically again, so it is not retried.
      retryable = !findForbiddenAddress(error) && (error as { code?: string })?.code !== 'UND_ERR_INVALID_ARG';
      context.log.warn({ err: error, attempt, url: String(delivery.url) }, 'webhook delivery attempt failed');
    }
    record.durationMs = Math.round(performance.now() - started);
    const final = !retryable || attempt === policy.maxAttempts;
    if (!final) record.retryInMs = backoffDelay(policy, attempt, random, retryAfterMs);
    attempts.push(record);
    options.onAttempt?.(record);
    if (final) return { outcome: retryable ? 'exhausted' : 'rejected', attempts, ...last };
    try {
      await sleep(record.retryInMs ?? 0, signal);
    } catch {
      return { outcome: 'canceled', attempts, ...last };
    }
  }
  return { outcome: 'exhausted', attempts, ...last };
}

/** Binary values travel as base64 strings (docs/connectors.md, webhook), not as Buffer's {type, data} JSON. */
function binaryAsBase64(this: Record<string, unknown>, key: string, value: unknown): unknown {
  const raw = this[key];
  return Buffer.isBuffer(raw) ? raw.toString('base64') : value;
}
