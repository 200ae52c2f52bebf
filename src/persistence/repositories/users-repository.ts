// Users belong to one organization; every query takes the organization id.
import type { Clock } from '../../domain/clock.ts';
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';
import { nowIso } from './clock.ts';
import { reusableQuery } from '../reusable-query.ts';

export interface UserRow {
  id: string;
  organization_id: string;
  email: string;
  role: string | null;
  role_ids: string[];
  created_at: string;
  updated_at: string;
}

export interface UserInput {
  email: string;
  role?: string | null;
  role_ids?: string[];
}

function toRow(row: Database['users']): UserRow {
  return { ...row, role_ids: JSON.parse(row.role_ids) as string[] };
}

export function usersRepository(db: Kysely<Database>, clock: Clock) {
  // On the path of entity lookups and every user route.
  const userInOrganization = reusableQuery(db, 2, (organizationId: string, id: string) =>
    db.selectFrom('users').selectAll().where('id', '=', id).where('organization_id', '=', organizationId),
  );
  return {
    async create(organizationId: string, input: UserInput, id: string = randomUUID()): Promise<UserRow> {
      const now = nowIso(clock);
      const row = {
        id,
        organization_id: organizationId,
        email: input.email,
        role: input.role ?? null,
        role_ids: JSON.stringify(input.role_ids ?? []),
        created_at: now,
        updated_at: now,
      };
      await db.insertInto('users').values(row).execute();
      return toRow(row);
    },
    async get(organizationId: string, id: string): Promise<UserRow | undefined> {
      const [row] = await userInOrganization(organizationId, id);
      return row && toRow(row);
    },
    async getAnywhere(id: string): Promise<UserRow | undefined> {
      const row = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toRow(row);
    },
    async findByEmail(organizationId: string, email: string): Promise<UserRow | undefined> {
      const row = await db
        .selectFrom('users')
        .selectAll()
        .where('organization_id', '=', organizationId)
        .where('email', '=', email)
        .executeTakeFirst();
      return row && toRow(row);
    },
    async list(organizationId: string): Promise<UserRow[]> {
      const rows = await db
        .selectFrom('users')
        .selectAll()
        .where('organization_id', '=', organizationId)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return rows.map(toRow);
    },
    async update(organizationId: string, id: string, input: Partial<UserInput>): Promise<void> {
      const changes: Record<string, unknown> = { updated_at: nowIso(clock) };
      if (input.email !== undefined) changes.email = input.email;
      if (input.role !== undefined) changes.role = input.role;
      if (input.role_ids !== undefined) changes.role_ids = JSON.stringify(input.role_ids);
      await db
        .updateTable('users')
        .set(changes)
        .where('id', '=', id)
        .where('organization_id', '=', organizationId)
        .execute();
    },
    async delete(organizationId: string, id: string): Promise<void> {
      await db.deleteFrom('users').where('id', '=', id).where('organization_id', '=', organizationId).execute();
    },
  };
}
