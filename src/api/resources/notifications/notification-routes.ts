// GET and PUT /api/notifications/global-error-subscribers: who is emailed when an execution fails (docs/events.md).
// The response is not enveloped: the spec's GlobalErrorSubscribersResponse is `{emails}` itself.
import Type from 'typebox';
import type { RouteDefinition } from '../../route.ts';
import type { NotificationsService } from '../../../services/notifications-service.ts';

const GlobalErrorSubscribersResponse = Type.Object(
  { emails: Type.Optional(Type.Array(Type.String())) },
  { title: 'GlobalErrorSubscribersResponse' },
);
const GlobalErrorSubscribersRequest = Type.Object(
  { emails: Type.Optional(Type.Array(Type.String({ maxLength: 320 }), { maxItems: 100 })) },
  { title: 'GlobalErrorSubscribersRequest', additionalProperties: false },
);

export function notificationRoutes(notifications: NotificationsService): RouteDefinition[] {
  return [
    {
      operationId: 'notifications.getGlobalErrorSubscribers',
      method: 'GET',
      path: '/api/notifications/global-error-subscribers',
      summary: 'The addresses emailed when an execution of the organization fails (needs FERRY_SMTP_URL).',
      access: 'organization',
      response: GlobalErrorSubscribersResponse,
      errors: [500],
      handler: async ({ caller }) => ({ emails: await notifications.subscribers(caller) }),
    },
    {
      operationId: 'notifications.setGlobalErrorSubscribers',
      method: 'PUT',
      path: '/api/notifications/global-error-subscribers',
      summary: 'Replace the addresses emailed when an execution fails.',
      access: 'organization',
      body: GlobalErrorSubscribersRequest,
      response: GlobalErrorSubscribersResponse,
      errors: [400, 500],
      handler: async ({ caller, body }) => ({
        emails: await notifications.setSubscribers(caller, body.emails ?? []),
      }),
    },
  ];
}
