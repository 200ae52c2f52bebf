// Model-sync target that POSTs each batch as one signed JSON document:
//   { "object": "records", "operation": "upsert", "identity": ["email"], "records": [ … ] }
// The receiver owns the records, so the object is free-form: describeObject lists no fields and
// createField accepts any. A delivered batch counts every record under its operation (upsert as
// updated, since the receiver does not say which it did); a refused batch throws.
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

export async function postWebhook(
  context: RunContext,
  sender: WebhookSender,
  payload: unknown,
): Promise<DeliveryResult> {
  return deliverJson(
    context,
    {
      url: sender.auth.url,
      payload,
      headers: sender.auth.headers,
      signingSecret: sender.secret,
      dynamicHeaders: sender.auth.dynamicHeaders,
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
    return new ConnectorError(`The webhook rejected the batch (${detail})`, { code: 'invalid_data' });
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
        object: request.objectId,
        operation: request.operation,
        identity: request.identity,
        records: request.records,
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
