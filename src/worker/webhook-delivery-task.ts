// The job that POSTs one event to its organization's webhook (docs/webhooks.md). Enqueued in the transaction that
// recorded the event, so a delivery survives restarts and kill -9: the queue holds it until an attempt succeeds.
// Each attempt is one run of the job, and its outcome (status, latency, error) is stored for
// GET /api/webhooks/{id}/deliveries. A non-2xx answer or a network error is retried (the first attempt and five
// more) after an exponential backoff with full jitter; a disabled or deleted webhook receives nothing, not even a
// retry already waiting.
import { randomUUID } from 'node:crypto';
import { request } from 'undici';
import type { AppContext } from '../app-context.ts';
import { ferryDefaults } from '../config.ts';
import { readCappedBody } from '../http/capped-body.ts';
import { createGuardedAgent, findForbiddenAddress } from '../http/guarded-dispatcher.ts';
import { backoffDelay } from '../http/retry-policy.ts';
import { eventDeliveryHeaders } from '../http/webhook-signature.ts';
import type { JobContext, JobHandler } from '../queue/job-queue.ts';
import type { EventsService } from '../services/events-service.ts';
import { webhookDeliveryAttempts, type WebhookDeliveryPayload } from '../services/execution-transitions.ts';

const attemptTimeoutMs = 30_000;

function parsePayload(payload: unknown): WebhookDeliveryPayload {
  const candidate = payload as Partial<WebhookDeliveryPayload> | null;
  if (candidate?.version !== 1 || typeof candidate.eventId !== 'string' || typeof candidate.webhookId !== 'string')
    throw Object.assign(new Error(`unrecognised webhook delivery payload ${JSON.stringify(payload)}`), {
      retryable: false,
    });
  return candidate as WebhookDeliveryPayload;
}

export function webhookDeliveryTask(context: AppContext, events: EventsService): JobHandler {
  const { repositories, clock, secretBox } = context;
  const retry = {
    maxAttempts: webhookDeliveryAttempts,
    baseDelayMs: context.config.webhookRetryBaseMs,
    maxDelayMs: ferryDefaults.webhookRetry.maxDelayMs,
  };

  return async (payload: unknown, job: JobContext) => {
    const { eventId, webhookId } = parsePayload(payload);
    const event = await repositories.events.getAnywhere(eventId);
    const webhook = await repositories.webhooks.getAnywhere(webhookId);
    // Pruned, deleted, disabled or moved on: nothing to deliver.
    if (!event || !webhook || webhook.disabled === 1 || webhook.organization_id !== event.organization_id) return;
    const body = Buffer.from(JSON.stringify(await events.toWire(event)), 'utf8');
    const secret = secretBox.open(webhook.secret_sealed);
    const agent = createGuardedAgent({ allowPrivate: context.config.allowPrivateUpstreams });
    const started = performance.now();
    let status: number | undefined;
    let error: string | undefined;
    let retryable = true;
    try {
      const response = await request(webhook.endpoint, {
        method: 'POST',
        body,
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Ferry',
          ...eventDeliveryHeaders(secret, event.id, body, clock.nowMs()),
        },
        dispatcher: agent,
        signal: AbortSignal.any([job.signal, AbortSignal.timeout(attemptTimeoutMs)]),
      });
      await readCappedBody(response.body, 4096);
      status = response.statusCode;
    } catch (caught: unknown) {
      error = (caught as Error)?.message || String(caught);
      // A refused address fails the same way every time.
      if (findForbiddenAddress(caught)) retryable = false;
    } finally {
      await agent.close().catch(() => {});
    }
    const latencyMs = Math.round(performance.now() - started);
    await repositories.webhooks.recordDelivery({
      id: randomUUID(),
      webhook_id: webhook.id,
      organization_id: webhook.organization_id,
      event_id: event.id,
      event_type: event.type,
      attempt: job.attempt,
      status: status ?? null,
      latency_ms: latencyMs,
      error: error ?? (status !== undefined && (status < 200 || status >= 300) ? `HTTP ${status}` : null),
      created_at: clock.now().toISOString(),
    });
    if (status !== undefined && status >= 200 && status < 300) return;
    job.log.warn(
      { webhookId: webhook.id, eventId: event.id, status, error, attempt: job.attempt },
      'webhook delivery failed',
    );
    throw Object.assign(new Error(error ?? `the webhook answered HTTP ${status}`), {
      retryable,
      nextRetryDelay: backoffDelay(retry, job.attempt, Math.random),
    });
  };
}
