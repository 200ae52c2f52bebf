// Global error subscribers per organization, and when each sync's last failure email went out.
import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';

export function notificationsRepository(db: Kysely<Database>) {
  return {
    async subscribers(organizationId: string): Promise<string[]> {
      const row = await db
        .selectFrom('global_error_subscribers')
        .select('emails')
        .where('organization_id', '=', organizationId)
        .executeTakeFirst();
      return row ? (JSON.parse(row.emails) as string[]) : [];
    },
    async setSubscribers(organizationId: string, emails: string[], now: string): Promise<void> {
      await db
        .insertInto('global_error_subscribers')
        .values({ organization_id: organizationId, emails: JSON.stringify(emails), updated_at: now })
        .onConflict((conflict) =>
          conflict.column('organization_id').doUpdateSet({ emails: JSON.stringify(emails), updated_at: now }),
        )
        .execute();
    },
    /**
     * Claims the right to email about a failure of `syncId`: true (and the claim recorded) when no email about it
     * went out after `notBefore`. One statement, so two workers failing the same sync at once send one email.
     */
    async claimFailureEmail(syncId: string, now: string, notBefore: string): Promise<boolean> {
      const result = await db
        .insertInto('failure_notifications')
        .values({ sync_id: syncId, sent_at: now })
        .onConflict((conflict) =>
          conflict
            .column('sync_id')
            .doUpdateSet({ sent_at: now })
            .where('failure_notifications.sent_at', '<', notBefore),
        )
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
    },
    /** Gives a claim back when its email could not be sent, so a retry may send it. */
    async releaseFailureEmail(syncId: string, claimedAt: string): Promise<void> {
      await db
        .deleteFrom('failure_notifications')
        .where('sync_id', '=', syncId)
        .where('sent_at', '=', claimedAt)
        .execute();
    },
  };
}
