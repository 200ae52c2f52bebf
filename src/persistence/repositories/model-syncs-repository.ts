// Model syncs, always within one organization.
import type { Kysely } from 'kysely';
import type { Database, ModelSyncsTable, RowRevision } from '../schema.ts';
import { reusableQuery } from '../reusable-query.ts';
import { rowsByIds } from './rows-by-ids.ts';

export type ModelSyncRow = ModelSyncsTable;

/** Execution statuses that hold a sync busy: it may not be deleted while one exists. */
const busyModelSyncExecutionStatuses = ['created', 'queued', 'running', 'canceling'] as const;

export interface ModelSyncListOptions {
  active?: boolean;
  mode?: string;
  targetConnectionId?: string;
  /** Keyset position: rows strictly after (updated_at desc, id asc) of this row. */
  after?: { updatedAt: string; id: string };
  limit?: number;
}

export interface ModelSyncRevision {
  id: string;
  revision: RowRevision;
  updated_at: string;
}

export function modelSyncsRepository(db: Kysely<Database>) {
  // On the path of every /api/syncs/{id}… route (executions and logs included) and of entity lookups.
  const syncInOrganization = reusableQuery(db, 2, (organizationId: string, id: string) =>
    db.selectFrom('model_syncs').selectAll().where('id', '=', id).where('organization_id', '=', organizationId),
  );
  // A single read's light read: the revision alone says whether the JSON rendered last time still stands.
  const revisionInOrganization = reusableQuery(
    db,
    2,
    (organizationId: string, id: string) =>
      db
        .selectFrom('model_syncs')
        .select(['id', 'revision'])
        .where('id', '=', id)
        .where('organization_id', '=', organizationId),
    { keptWhileUnchanged: true },
  );
  const listed = (organizationId: string, options: ModelSyncListOptions) => {
    let query = db.selectFrom('model_syncs').where('organization_id', '=', organizationId);
    if (options.active !== undefined) query = query.where('active', '=', options.active ? 1 : 0);
    if (options.mode !== undefined) query = query.where('mode', '=', options.mode);
    if (options.targetConnectionId !== undefined)
      query = query.where('target_connection_id', '=', options.targetConnectionId);
    const after = options.after;
    if (after) {
      query = query.where((eb) =>
        eb.or([
          eb('updated_at', '<', after.updatedAt),
          eb.and([eb('updated_at', '=', after.updatedAt), eb('id', '>', after.id)]),
        ]),
      );
    }
    query = query.orderBy('updated_at', 'desc').orderBy('id');
    if (options.limit !== undefined) query = query.limit(options.limit);
    return query;
  };
  // Every list read starts with its light read: compiled once per combination of the filters present and the page
  // size (a bounded set: three states of active, the others present or not, limits up to a page and one), the values
  // bound per request.
  type RevisionList = (...args: string[]) => Promise<ModelSyncRevision[]>;
  const revisionLists = new Map<string, RevisionList>();
  const revisionList = (options: ModelSyncListOptions): RevisionList => {
    const shape = [
      options.active,
      options.mode !== undefined,
      options.targetConnectionId !== undefined,
      options.after !== undefined,
      options.limit,
    ].join();
    let query = revisionLists.get(shape);
    if (!query) {
      query = reusableQuery(
        db,
        5,
        (organizationId, mode, targetConnectionId, afterUpdatedAt, afterId) =>
          listed(organizationId, {
            active: options.active,
            mode: options.mode === undefined ? undefined : mode,
            targetConnectionId: options.targetConnectionId === undefined ? undefined : targetConnectionId,
            after: options.after && { updatedAt: afterUpdatedAt!, id: afterId! },
            limit: options.limit,
          }).select(['id', 'revision', 'updated_at']),
        { keptWhileUnchanged: true },
      ) as RevisionList;
      revisionLists.set(shape, query);
    }
    return query;
  };
  return {
    async insert(row: ModelSyncRow): Promise<void> {
      await db.insertInto('model_syncs').values(row).execute();
    },
    async get(organizationId: string, id: string): Promise<ModelSyncRow | undefined> {
      return (await syncInOrganization(organizationId, id))[0];
    },
    /** The sync's id and revision, without the rest of its row (undefined: not this organization's, or gone). */
    async revision(organizationId: string, id: string): Promise<{ id: string; revision: RowRevision } | undefined> {
      return (await revisionInOrganization(organizationId, id))[0] as { id: string; revision: RowRevision } | undefined;
    },
    getAnywhere(id: string): Promise<ModelSyncRow | undefined> {
      return db.selectFrom('model_syncs').selectAll().where('id', '=', id).executeTakeFirst();
    },
    /** Most recently updated first, ties by id; uses the (organization_id, updated_at, id) index. */
    list(organizationId: string, options: ModelSyncListOptions = {}): Promise<ModelSyncRow[]> {
      return listed(organizationId, options).selectAll().execute();
    },
    /** What `list` would give, as ids, revisions and update times only (in its order). */
    listRevisions(organizationId: string, options: ModelSyncListOptions = {}): Promise<ModelSyncRevision[]> {
      return revisionList(options)(
        organizationId,
        options.mode ?? '',
        options.targetConnectionId ?? '',
        options.after?.updatedAt ?? '',
        options.after?.id ?? '',
      );
    },
    /** The organization's syncs among `ids`, in no particular order (ids of other organizations or gone: left out). */
    byIds(organizationId: string, ids: readonly string[]): Promise<ModelSyncRow[]> {
      return rowsByIds(db, 'model_syncs', organizationId, ids);
    },
    async update(organizationId: string, id: string, changes: Partial<ModelSyncRow>): Promise<void> {
      await db
        .updateTable('model_syncs')
        .set(changes)
        .where('id', '=', id)
        .where('organization_id', '=', organizationId)
        .execute();
    },
    /** Deletes the sync unless one of its executions is busy; false when one is (checked in the same transaction). */
    async deleteUnlessBusy(organizationId: string, id: string): Promise<boolean> {
      return db.transaction().execute(async (transaction) => {
        const busy = await transaction
          .selectFrom('model_sync_executions')
          .select('id')
          .where('sync_id', '=', id)
          .where('status', 'in', [...busyModelSyncExecutionStatuses])
          .executeTakeFirst();
        if (busy) return false;
        await transaction
          .deleteFrom('model_syncs')
          .where('id', '=', id)
          .where('organization_id', '=', organizationId)
          .execute();
        return true;
      });
    },
  };
}
