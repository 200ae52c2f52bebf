// Wire shapes of webhooks (the 2025-09-18 API reference; identical in 2024-02-08). `secret` is accepted, never
// returned. WebhookDeliveriesEnvelope is Ferry's own (GET /api/webhooks/{id}/deliveries).
import Type from 'typebox';
import { Envelope, ListEnvelope } from '../envelope.ts';

const Webhook = Type.Object(
  {
    created_at: Type.Optional(Type.String()),
    disabled: Type.Optional(Type.Boolean()),
    endpoint: Type.Optional(Type.String()),
    id: Type.Optional(Type.String()),
    organization_id: Type.Optional(Type.String()),
    secret: Type.Optional(Type.String({ description: 'Never returned: Ferry keeps it sealed.' })),
  },
  { title: 'Webhook' },
);

export const WebhookEnvelope = Envelope('WebhookEnvelope', Webhook);
export const WebhookListEnvelope = ListEnvelope('WebhookListEnvelope', Webhook);

const webhookBody = {
  endpoint: Type.String({ minLength: 1, description: 'Where events are POSTed (http or https).' }),
  organization_id: Type.Optional(Type.String({ description: 'Partner keys: the organization the webhook is for.' })),
  secret: Type.String({ minLength: 1, description: 'Signs every delivery (Polytomic-Signature).' }),
};

export const CreateWebhooksSchema = Type.Object(webhookBody, {
  title: 'CreateWebhooksSchema',
  additionalProperties: false,
});
export const UpdateWebhooksSchema = Type.Object(webhookBody, {
  title: 'UpdateWebhooksSchema',
  additionalProperties: false,
});

const WebhookDelivery = Type.Object(
  {
    id: Type.String(),
    event_id: Type.String(),
    event_type: Type.String(),
    attempt: Type.Integer({ description: '1 for the first attempt.' }),
    status: Type.Optional(Type.Integer({ description: 'The HTTP status, when one came back.' })),
    latency_ms: Type.Integer(),
    error: Type.Optional(Type.String()),
    created_at: Type.String(),
  },
  { title: 'WebhookDelivery' },
);

export const WebhookDeliveriesEnvelope = ListEnvelope('WebhookDeliveriesEnvelope', WebhookDelivery);

export const WebhookDeliveriesQuery = Type.Object(
  { limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, description: 'Default 100.' })) },
  { additionalProperties: false },
);
