// Models (a SQL query or a table on a source connection, with its detected fields), always within one organization.
import type { Kysely } from 'kysely';
import type { Database, ModelsTable } from '../schema.ts';

export type ModelRow = ModelsTable;

export function modelsRepository(db: Kysely<Database>) {
  return {
    async insert(row: ModelRow): Promise<void> {
      await db.insertInto('models').values(row).execute();
    },
    get(organizationId: string, id: string): Promise<ModelRow | undefined> {
      return db
        .selectFrom('models')
        .selectAll()
        .where('id', '=', id)
        .where('organization_id', '=', organizationId)
        .executeTakeFirst();
    },
    /** Unscoped: for entity lookup by partner keys, which then check the organization. */
    getAnywhere(id: string): Promise<ModelRow | undefined> {
      return db.selectFrom('models').selectAll().where('id', '=', id).executeTakeFirst();
    },
    list(organizationId: string): Promise<ModelRow[]> {
      return db
        .selectFrom('models')
        .selectAll()
        .where('organization_id', '=', organizationId)
        .orderBy('updated_at', 'desc')
        .orderBy('id')
        .execute();
    },
    async update(
      organizationId: string,
      id: string,
      changes: Partial<Omit<ModelRow, 'id' | 'organization_id'>>,
    ): Promise<void> {
      await db
        .updateTable('models')
        .set(changes)
        .where('id', '=', id)
        .where('organization_id', '=', organizationId)
        .execute();
    },
    async delete(organizationId: string, id: string): Promise<void> {
      await db.deleteFrom('models').where('id', '=', id).where('organization_id', '=', organizationId).execute();
    },
    /** Ids of the model syncs (table model_syncs) that read from this model; a model in use cannot be deleted. */
    async syncsUsing(organizationId: string, id: string): Promise<string[]> {
      const rows = await db
        .selectFrom('model_syncs')
        .select('id')
        .where('model_id', '=', id)
        .where('organization_id', '=', organizationId)
        .orderBy('id')
        .execute();
      return rows.map((row) => row.id);
    },
  };
}
