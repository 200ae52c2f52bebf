// Bulk syncs and their schema settings, always within one organization.
import type { Kysely } from 'kysely';
import type { BulkSyncSchemasTable, BulkSyncsTable, Database, RowRevision } from '../schema.ts';
import { reusableQuery } from '../reusable-query.ts';
import { rowsByIds } from './rows-by-ids.ts';

export type BulkSyncRow = BulkSyncsTable;
export type BulkSyncSchemaRow = BulkSyncSchemasTable;

export function bulkSyncsRepository(db: Kysely<Database>) {
  // On the path of entity lookups and every bulk sync route.
  const syncInOrganization = reusableQuery(db, 2, (organizationId: string, id: string) =>
    db.selectFrom('bulk_syncs').selectAll().where('id', '=', id).where('organization_id', '=', organizationId),
  );
  // A single read's light read: the revision alone says whether the JSON rendered last time still stands.
  const revisionInOrganization = reusableQuery(
    db,
    2,
    (organizationId: string, id: string) =>
      db
        .selectFrom('bulk_syncs')
        .select(['id', 'revision'])
        .where('id', '=', id)
        .where('organization_id', '=', organizationId),
    { keptWhileUnchanged: true },
  );
  const listed = (organizationId: string, options: { active?: boolean }) => {
    let query = db.selectFrom('bulk_syncs').where('organization_id', '=', organizationId);
    if (options.active !== undefined) query = query.where('active', '=', options.active ? 1 : 0);
    return query.orderBy('updated_at', 'desc').orderBy('id');
  };
  // Every list read starts with this one: compiled once per filter (all, active, inactive), not on every request.
  const revisionList = (active: boolean | undefined) =>
    reusableQuery(db, 1, (organizationId: string) => listed(organizationId, { active }).select(['id', 'revision']), {
      keptWhileUnchanged: true,
    });
  const revisionLists: Record<string, ReturnType<typeof revisionList>> = {
    undefined: revisionList(undefined),
    true: revisionList(true),
    false: revisionList(false),
  };
  return {
    async insert(row: BulkSyncRow, schemas: BulkSyncSchemaRow[]): Promise<void> {
      await db.transaction().execute(async (tx) => {
        await tx.insertInto('bulk_syncs').values(row).execute();
        if (schemas.length) await tx.insertInto('bulk_sync_schemas').values(schemas).execute();
      });
    },
    async get(organizationId: string, id: string): Promise<BulkSyncRow | undefined> {
      return (await syncInOrganization(organizationId, id))[0];
    },
    getAnywhere(id: string): Promise<BulkSyncRow | undefined> {
      return db.selectFrom('bulk_syncs').selectAll().where('id', '=', id).executeTakeFirst();
    },
    list(organizationId: string, options: { active?: boolean } = {}): Promise<BulkSyncRow[]> {
      return listed(organizationId, options).selectAll().execute();
    },
    /** What `list` would give, as ids and revisions only (in its order). */
    /** The sync's id and revision, without the rest of its row (undefined: not this organization's, or gone). */
    async revision(organizationId: string, id: string): Promise<{ id: string; revision: RowRevision } | undefined> {
      return (await revisionInOrganization(organizationId, id))[0] as { id: string; revision: RowRevision } | undefined;
    },
    listRevisions(
      organizationId: string,
      options: { active?: boolean } = {},
    ): Promise<Array<{ id: string; revision: RowRevision }>> {
      return revisionLists[String(options.active)]!(organizationId) as Promise<
        Array<{ id: string; revision: RowRevision }>
      >;
    },
    /** The organization's syncs among `ids`, in no particular order (ids of other organizations or gone: left out). */
    byIds(organizationId: string, ids: readonly string[]): Promise<BulkSyncRow[]> {
      return rowsByIds(db, 'bulk_syncs', organizationId, ids);
    },
    /** Replaces the sync row and, when given, its whole schema list, in one transaction. */
    async update(
      organizationId: string,
      id: string,
      changes: Partial<BulkSyncRow>,
      schemas?: BulkSyncSchemaRow[],
    ): Promise<void> {
      await db.transaction().execute(async (tx) => {
        await tx
          .updateTable('bulk_syncs')
          .set(changes)
          .where('id', '=', id)
          .where('organization_id', '=', organizationId)
          .execute();
        if (schemas) {
          await tx.deleteFrom('bulk_sync_schemas').where('sync_id', '=', id).execute();
          if (schemas.length) await tx.insertInto('bulk_sync_schemas').values(schemas).execute();
        }
      });
    },
    async delete(organizationId: string, id: string): Promise<void> {
      await db.deleteFrom('bulk_syncs').where('id', '=', id).where('organization_id', '=', organizationId).execute();
    },
    schemas(syncId: string): Promise<BulkSyncSchemaRow[]> {
      return db
        .selectFrom('bulk_sync_schemas')
        .selectAll()
        .where('sync_id', '=', syncId)
        .orderBy('schema_id')
        .execute();
    },
    async upsertSchema(row: BulkSyncSchemaRow): Promise<void> {
      await db
        .insertInto('bulk_sync_schemas')
        .values(row)
        .onConflict((conflict) => conflict.columns(['sync_id', 'schema_id']).doUpdateSet({ settings: row.settings }))
        .execute();
    },
  };
}
