// Partners: the operators of an installation. Bootstrap creates the first one.
import type { Clock } from '../../domain/clock.ts';
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database, PartnersTable } from '../schema.ts';
import { nowIso } from './clock.ts';

export function partnersRepository(db: Kysely<Database>, clock: Clock) {
  return {
    async create(name: string): Promise<PartnersTable> {
      const row: PartnersTable = { id: randomUUID(), name, owner_organization_id: null, created_at: nowIso(clock) };
      await db.insertInto('partners').values(row).execute();
      return row;
    },
    get(id: string): Promise<PartnersTable | undefined> {
      return db.selectFrom('partners').selectAll().where('id', '=', id).executeTakeFirst();
    },
    first(): Promise<PartnersTable | undefined> {
      return db.selectFrom('partners').selectAll().orderBy('created_at').limit(1).executeTakeFirst();
    },
    async setOwnerOrganization(id: string, organizationId: string): Promise<void> {
      await db.updateTable('partners').set({ owner_organization_id: organizationId }).where('id', '=', id).execute();
    },
  };
}
