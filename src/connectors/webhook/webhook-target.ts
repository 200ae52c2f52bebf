// Model-sync target that POSTs each batch as one gzipped JSON document in Polytomic's shape (its guide "Syncing to
// custom webhooks"), so a receiver written for Polytomic works unchanged:
//   { "event": "sync.records", "object": { "id": <sync id>, "name": <sync name>,
//       "records": [ { "hash": "…", "fields": { … } } ] }, "operation": "upsert", "identity": ["email"] }
// with Authorization: Bearer <secret> and Polytomic-Signature-Timestamp; `operation` and `identity` are Ferry's
// additions, and X-Ferry-Signature (docs/webhooks.md) signs the JSON with a timestamp. The receiver owns the
// records, so the object is free-form: describeObject lists no fields and createField accepts any. A delivered batch
// counts every record under its operation (upsert as updated, since the receiver does not say which it did); any
// 4xx or 5xx answer fails the sync, as in Polytomic (5xx after the retries).
import { createHash } from 'node:crypto';
import type { Dispatcher } from 'undici';
import type { ModelTarget, TargetWriteResult } from '../connector.ts';
import { ConnectorError, canceledError, throwIfAborted } from '../connector-error.ts';
import { deliverJson, type DeliveryResult } from '../../http/json-delivery.ts';
import type { RetryPolicy } from '../../http/retry-policy.ts';
import type { PreparedAuth } from '../../http/outbound-auth.ts';
import type { RunContext } from '../../domain/run-context.ts';

const webhookObjectId = 'records';

export interface WebhookSender {
  auth: PreparedAuth;
  secret: string | undefined;
  dispatcher: Dispatcher;
  retry?: Partial<RetryPolicy>;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/** Polytomic-Signature-Timestamp: the attempt's time, RFC 3339 to the second (2021-06-01T22:55:36Z). */
function polytomicTimestamp(): Record<string, string> {
  return { 'polytomic-signature-timestamp': new Date().toISOString().replace(/\.\d{3}Z$/, 'Z') };
}

/** A short stable digest of one record, as Polytomic's `hash` (16 hex characters). */
function recordHash(record: unknown): string {
  return createHash('sha256').update(JSON.stringify(record, binaryAsBase64)).digest('hex').slice(0, 16);
}

function binaryAsBase64(this: Record<string, unknown>, key: string, value: unknown): unknown {
  const raw = this[key];
  return Buffer.isBuffer(raw) ? raw.toString('base64') : value;
}

export async function postWebhook(
  context: RunContext,
  sender: WebhookSender,
  payload: unknown,
): Promise<DeliveryResult> {
  const dynamic = sender.auth.dynamicHeaders;
  return deliverJson(
    context,
    {
      url: sender.auth.url,
      payload,
      headers: {
        ...sender.auth.headers,
        ...(sender.secret ? { authorization: `Bearer ${sender.secret}` } : {}),
      },
      signingSecret: sender.secret,
      gzip: true,
      dynamicHeaders: async (signal) => ({ ...(dynamic ? await dynamic(signal) : {}), ...polytomicTimestamp() }),
    },
    {
      dispatcher: sender.dispatcher,
      retry: sender.retry,
      sleep: sender.sleep,
      onAttempt: (attempt) => context.log.debug({ ...attempt }, 'webhook delivery attempt'),
    },
  );
}

/** A failed delivery as the engine's error: auth refusals and other 4xx are final, the rest retryable. */
export function deliveryError(context: RunContext, result: DeliveryResult): ConnectorError {
  if (result.outcome === 'canceled') return canceledError(context.signal);
  const last = result.attempts.at(-1);
  const detail =
    result.status !== undefined
      ? `HTTP ${result.status}${result.responseBody ? `: ${result.responseBody.slice(0, 200)}` : ''}`
      : (last?.error ?? 'no response');
  const attempts = `after ${result.attempts.length} attempt${result.attempts.length === 1 ? '' : 's'}`;
  if (result.status === 401 || result.status === 403) {
    return new ConnectorError(`The webhook refused Ferry's credentials (${detail})`, { code: 'authentication_failed' });
  }
  if (result.outcome === 'rejected' && result.status !== undefined) {
    // Not invalid_data: that would reject the batch's records and go on, and Polytomic fails the sync on any 4xx.
    return new ConnectorError(`The webhook rejected the batch (${detail})`, { code: 'unknown', retryable: false });
  }
  if (result.status === undefined) {
    return new ConnectorError(`The webhook could not be reached ${attempts} (${detail})`, {
      code: 'host_unreachable',
      retryable: result.outcome === 'exhausted',
    });
  }
  return new ConnectorError(`The webhook kept failing ${attempts} (${detail})`, { code: 'transient', retryable: true });
}

export function createWebhookTarget(sender: WebhookSender): ModelTarget {
  return {
    async listObjects() {
      return [
        { id: webhookObjectId, name: 'Webhook records', modes: ['create', 'update', 'updateOrCreate', 'remove'] },
      ];
    },
    async describeObject(_context, objectId) {
      if (objectId !== webhookObjectId)
        throw new ConnectorError(`No object ${objectId}; a webhook has one object, ${webhookObjectId}`, {
          code: 'object_missing',
        });
      return [];
    },
    async createField() {
      // Fields are free-form: whatever the mapping sends is posted.
    },
    async write(context, request) {
      throwIfAborted(context.signal);
      const empty: TargetWriteResult = { inserted: 0, updated: 0, deleted: 0, rejected: [] };
      if (request.records.length === 0) return empty;
      const result = await postWebhook(context, sender, {
        event: 'sync.records',
        object: {
          id: request.sync?.id ?? request.objectId,
          name: request.sync?.name ?? request.objectId,
          records: request.records.map((record) => ({ hash: recordHash(record), fields: record })),
        },
        operation: request.operation,
        identity: request.identity,
      });
      if (result.outcome !== 'delivered') throw deliveryError(context, result);
      context.heartbeat({ delivered: request.records.length });
      const count = request.records.length;
      if (request.operation === 'insert') return { ...empty, inserted: count };
      if (request.operation === 'delete') return { ...empty, deleted: count };
      return { ...empty, updated: count };
    },
  };
}
