// /api/webhooks: one webhook per organization, which receives every event of that organization (docs/webhooks.md).
import type { RouteDefinition } from '../../route.ts';
import { deliveryToWire, webhookToWire, type WebhooksService } from '../../../services/webhooks-service.ts';
import { IdParams } from '../envelope.ts';
import {
  CreateWebhooksSchema,
  UpdateWebhooksSchema,
  WebhookDeliveriesEnvelope,
  WebhookDeliveriesQuery,
  WebhookEnvelope,
  WebhookListEnvelope,
} from './webhook-schemas.ts';

export function webhookRoutes(webhooks: WebhooksService): RouteDefinition[] {
  return [
    {
      operationId: 'webhooks.list',
      method: 'GET',
      path: '/api/webhooks',
      summary: "The caller's webhooks: its organization's, or every organization's for a partner key.",
      access: 'organization',
      response: WebhookListEnvelope,
      errors: [500],
      handler: async ({ caller }) => ({ data: (await webhooks.list(caller)).map(webhookToWire) }),
    },
    {
      operationId: 'webhooks.create',
      method: 'POST',
      path: '/api/webhooks',
      summary:
        "Create the organization's webhook (one per organization). The secret is kept sealed and never returned.",
      access: 'organization',
      body: CreateWebhooksSchema,
      response: WebhookEnvelope,
      errors: [400, 401, 404, 422, 500],
      handler: async ({ caller, body }) => ({ data: webhookToWire(await webhooks.create(caller, body)) }),
    },
    {
      operationId: 'webhooks.get',
      method: 'GET',
      path: '/api/webhooks/{id}',
      summary: 'A webhook.',
      access: 'organization',
      params: IdParams,
      response: WebhookEnvelope,
      errors: [404],
      handler: async ({ caller, params }) => ({ data: webhookToWire(await webhooks.require(caller, params.id)) }),
    },
    {
      operationId: 'webhooks.update',
      method: 'PUT',
      path: '/api/webhooks/{id}',
      summary: "Replace a webhook's endpoint and secret.",
      access: 'organization',
      params: IdParams,
      body: UpdateWebhooksSchema,
      response: WebhookEnvelope,
      errors: [400, 401, 404, 422, 500],
      // The secret is never shown, and required: a patch that leaves it out keeps the stored one.
      currentBody: async ({ caller, params }) => ({ ...(await webhooks.currentInput(caller, params.id)) }),
      handler: async ({ caller, params, body }) => ({
        data: webhookToWire(await webhooks.update(caller, params.id, body)),
      }),
    },
    {
      operationId: 'webhooks.delete',
      method: 'DELETE',
      path: '/api/webhooks/{id}',
      summary: 'Delete a webhook; events recorded afterwards are not delivered.',
      access: 'organization',
      params: IdParams,
      errors: [404, 500],
      handler: async ({ caller, params }) => {
        await webhooks.delete(caller, params.id);
        return undefined;
      },
    },
    {
      operationId: 'webhooks.disable',
      method: 'POST',
      path: '/api/webhooks/{id}/disable',
      summary: 'Stop delivering events to a webhook; deliveries still pending are dropped.',
      access: 'organization',
      params: IdParams,
      response: WebhookEnvelope,
      errors: [401, 404, 500],
      handler: async ({ caller, params }) => ({
        data: webhookToWire(await webhooks.setDisabled(caller, params.id, true)),
      }),
    },
    {
      operationId: 'webhooks.enable',
      method: 'POST',
      path: '/api/webhooks/{id}/enable',
      summary: 'Deliver events to a webhook again (events recorded while it was disabled are not sent).',
      access: 'organization',
      params: IdParams,
      response: WebhookEnvelope,
      errors: [401, 404, 500],
      handler: async ({ caller, params }) => ({
        data: webhookToWire(await webhooks.setDisabled(caller, params.id, false)),
      }),
    },
    {
      operationId: 'webhooks.listDeliveries',
      method: 'GET',
      path: '/api/webhooks/{id}/deliveries',
      summary:
        'Ferry only: every delivery attempt to this webhook (status, latency, error), newest first, kept as long as events.',
      access: 'organization',
      params: IdParams,
      query: WebhookDeliveriesQuery,
      response: WebhookDeliveriesEnvelope,
      errors: [404, 500],
      handler: async ({ caller, params, query }) => ({
        data: (await webhooks.deliveries(caller, params.id, query.limit ?? 100)).map(deliveryToWire),
      }),
    },
  ];
}
