// Roles of one organization; every query takes the organization id.
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database, RolesTable } from '../schema.ts';
import type { Clock } from '../../domain/clock.ts';
import { nowIso } from './clock.ts';

export type RoleRow = RolesTable;

export function rolesRepository(db: Kysely<Database>, clock: Clock) {
  return {
    /** Inserts each role unless its id exists (built-ins, whose ids are derived from the organization). */
    async ensure(
      rows: Array<{ id: string; organization_id: string; name: string; system_key: string }>,
    ): Promise<void> {
      const now = nowIso(clock);
      await db
        .insertInto('roles')
        .values(rows.map((row) => ({ ...row, created_at: now, updated_at: now })))
        .onConflict((conflict) => conflict.column('id').doNothing())
        .execute();
    },
    async create(organizationId: string, name: string): Promise<RoleRow> {
      const now = nowIso(clock);
      const row = {
        id: randomUUID(),
        organization_id: organizationId,
        name,
        system_key: null,
        created_at: now,
        updated_at: now,
      };
      await db.insertInto('roles').values(row).execute();
      return row;
    },
    get: (organizationId: string, id: string): Promise<RoleRow | undefined> =>
      db
        .selectFrom('roles')
        .selectAll()
        .where('id', '=', id)
        .where('organization_id', '=', organizationId)
        .executeTakeFirst(),
    list: (organizationId: string): Promise<RoleRow[]> =>
      db
        .selectFrom('roles')
        .selectAll()
        .where('organization_id', '=', organizationId)
        .orderBy('created_at')
        .orderBy('id')
        .execute(),
    async rename(organizationId: string, id: string, name: string): Promise<void> {
      await db
        .updateTable('roles')
        .set({ name, updated_at: nowIso(clock) })
        .where('id', '=', id)
        .where('organization_id', '=', organizationId)
        .execute();
    },
    async delete(organizationId: string, id: string): Promise<void> {
      await db.deleteFrom('roles').where('id', '=', id).where('organization_id', '=', organizationId).execute();
    },
  };
}
