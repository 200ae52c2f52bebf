// Global error subscribers: the addresses emailed when an execution of the organization fails
// (src/worker/failure-email-task.ts, docs/events.md "Failure emails").
import type { AppContext } from '../app-context.ts';
import { invalidField } from '../domain/domain-error.ts';
import type { Principal } from './principal.ts';

const emailPattern = /^[^\s@]+@[^\s@]+$/;

export function notificationsService(context: Pick<AppContext, 'repositories' | 'clock'>) {
  const { repositories } = context;
  return {
    subscribers: (principal: Principal): Promise<string[]> =>
      repositories.notifications.subscribers(principal.organizationId),
    async setSubscribers(principal: Principal, emails: string[]): Promise<string[]> {
      emails.forEach((email, index) => {
        if (!emailPattern.test(email)) throw invalidField(`emails[${index}]`, 'is not an email address');
      });
      const unique = [...new Set(emails.map((email) => email.trim()))];
      await repositories.notifications.setSubscribers(
        principal.organizationId,
        unique,
        context.clock.now().toISOString(),
      );
      return unique;
    },
  };
}

export type NotificationsService = ReturnType<typeof notificationsService>;
