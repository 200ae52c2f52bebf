// Webhooks (one per organization) and the record of every delivery attempt.
import type { Kysely } from 'kysely';
import type { Database, WebhookDeliveriesTable, WebhooksTable } from '../schema.ts';

export type WebhookRow = WebhooksTable;
export type WebhookDeliveryRow = WebhookDeliveriesTable;

export function webhooksRepository(db: Kysely<Database>) {
  return {
    async insert(row: WebhookRow): Promise<void> {
      await db.insertInto('webhooks').values(row).execute();
    },
    get(organizationIds: string[], id: string): Promise<WebhookRow | undefined> {
      if (organizationIds.length === 0) return Promise.resolve(undefined);
      return db
        .selectFrom('webhooks')
        .selectAll()
        .where('id', '=', id)
        .where('organization_id', 'in', organizationIds)
        .executeTakeFirst();
    },
    getAnywhere(id: string): Promise<WebhookRow | undefined> {
      return db.selectFrom('webhooks').selectAll().where('id', '=', id).executeTakeFirst();
    },
    forOrganization(organizationId: string): Promise<WebhookRow | undefined> {
      return db.selectFrom('webhooks').selectAll().where('organization_id', '=', organizationId).executeTakeFirst();
    },
    list(organizationIds: string[]): Promise<WebhookRow[]> {
      if (organizationIds.length === 0) return Promise.resolve([]);
      return db
        .selectFrom('webhooks')
        .selectAll()
        .where('organization_id', 'in', organizationIds)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
    },
    async update(id: string, changes: Partial<WebhookRow>): Promise<void> {
      await db.updateTable('webhooks').set(changes).where('id', '=', id).execute();
    },
    async delete(id: string): Promise<void> {
      await db.deleteFrom('webhook_deliveries').where('webhook_id', '=', id).execute();
      await db.deleteFrom('webhooks').where('id', '=', id).execute();
    },
    async recordDelivery(row: WebhookDeliveryRow): Promise<void> {
      await db.insertInto('webhook_deliveries').values(row).execute();
    },
    /** Newest first. */
    deliveries(webhookId: string, limit: number): Promise<WebhookDeliveryRow[]> {
      return db
        .selectFrom('webhook_deliveries')
        .selectAll()
        .where('webhook_id', '=', webhookId)
        .orderBy('created_at', 'desc')
        .orderBy('attempt', 'desc')
        .limit(limit)
        .execute();
    },
  };
}
