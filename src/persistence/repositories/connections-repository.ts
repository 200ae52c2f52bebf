// Connections, always read and written within one organization.
import type { Kysely } from 'kysely';
import type { ConnectionsTable, Database, RowRevision } from '../schema.ts';
import { reusableQuery } from '../reusable-query.ts';
import { rowsByIds } from './rows-by-ids.ts';

export type ConnectionRow = ConnectionsTable;

export function connectionsRepository(db: Kysely<Database>) {
  // On the path of entity lookups and every connection route.
  const connectionInOrganization = reusableQuery(db, 2, (organizationId: string, id: string) =>
    db.selectFrom('connections').selectAll().where('id', '=', id).where('organization_id', '=', organizationId),
  );
  // A single read's light read: the revision alone says whether the JSON rendered last time still stands (the type
  // says whether it has proxy calls to count).
  const revisionInOrganization = reusableQuery(
    db,
    2,
    (organizationId: string, id: string) =>
      db
        .selectFrom('connections')
        .select(['id', 'revision', 'type'])
        .where('id', '=', id)
        .where('organization_id', '=', organizationId),
    { keptWhileUnchanged: true },
  );
  const listed = (organizationId: string) =>
    db.selectFrom('connections').where('organization_id', '=', organizationId).orderBy('created_at').orderBy('id');
  // Every list read starts with this one: compiled once, not on every request.
  const revisionList = reusableQuery(
    db,
    1,
    (organizationId: string) => listed(organizationId).select(['id', 'revision', 'type']),
    { keptWhileUnchanged: true },
  );
  return {
    async insert(row: ConnectionRow): Promise<void> {
      await db.insertInto('connections').values(row).execute();
    },
    async get(organizationId: string, id: string): Promise<ConnectionRow | undefined> {
      return (await connectionInOrganization(organizationId, id))[0];
    },
    /** The connection's id, revision and type, without the rest of its row (undefined: not this organization's). */
    async revision(
      organizationId: string,
      id: string,
    ): Promise<{ id: string; revision: RowRevision; type: string } | undefined> {
      return (await revisionInOrganization(organizationId, id))[0] as
        | { id: string; revision: RowRevision; type: string }
        | undefined;
    },
    /** Unscoped: for resolving a shared copy's parent, and for partner-wide lookups that check scope themselves. */
    getAnywhere(id: string): Promise<ConnectionRow | undefined> {
      return db.selectFrom('connections').selectAll().where('id', '=', id).executeTakeFirst();
    },
    list(organizationId: string): Promise<ConnectionRow[]> {
      return listed(organizationId).selectAll().execute();
    },
    /** What `list` would give, as ids, revisions and types only (in its order). */
    listRevisions(organizationId: string): Promise<Array<{ id: string; revision: RowRevision; type: string }>> {
      return revisionList(organizationId) as Promise<Array<{ id: string; revision: RowRevision; type: string }>>;
    },
    /** The organization's connections among `ids`, in no particular order (others' or gone: left out). */
    byIds(organizationId: string, ids: readonly string[]): Promise<ConnectionRow[]> {
      return rowsByIds(db, 'connections', organizationId, ids);
    },
    listSharedCopies(parentId: string): Promise<ConnectionRow[]> {
      return db
        .selectFrom('connections')
        .selectAll()
        .where('parent_connection_id', '=', parentId)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
    },
    async update(
      organizationId: string,
      id: string,
      changes: Partial<Omit<ConnectionRow, 'id' | 'organization_id' | 'created_at' | 'created_by'>>,
    ): Promise<void> {
      await db
        .updateTable('connections')
        .set(changes)
        .where('id', '=', id)
        .where('organization_id', '=', organizationId)
        .execute();
    },
    async delete(organizationId: string, id: string): Promise<void> {
      await db.deleteFrom('connections').where('id', '=', id).where('organization_id', '=', organizationId).execute();
    },
  };
}
