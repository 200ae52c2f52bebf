// Organizations belong to a partner; every query is scoped to it.
import type { Clock } from '../../domain/clock.ts';
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database, OrganizationsTable } from '../schema.ts';
import { nowIso } from './clock.ts';

export type OrganizationRow = OrganizationsTable;

export interface OrganizationInput {
  name: string;
  sso_domain?: string | null;
  sso_org_id?: string | null;
  issuer?: string | null;
  client_id?: string | null;
  client_secret_sealed?: string | null;
}

export function organizationsRepository(db: Kysely<Database>, clock: Clock) {
  return {
    async create(partnerId: string, input: OrganizationInput, id: string = randomUUID()): Promise<OrganizationRow> {
      const now = nowIso(clock);
      const row: OrganizationRow = {
        id,
        partner_id: partnerId,
        name: input.name,
        sso_domain: input.sso_domain ?? null,
        sso_org_id: input.sso_org_id ?? null,
        issuer: input.issuer ?? null,
        client_id: input.client_id ?? null,
        client_secret_sealed: input.client_secret_sealed ?? null,
        created_at: now,
        updated_at: now,
      };
      await db.insertInto('organizations').values(row).execute();
      return row;
    },
    get(id: string): Promise<OrganizationRow | undefined> {
      return db.selectFrom('organizations').selectAll().where('id', '=', id).executeTakeFirst();
    },
    getForPartner(partnerId: string, id: string): Promise<OrganizationRow | undefined> {
      return db
        .selectFrom('organizations')
        .selectAll()
        .where('id', '=', id)
        .where('partner_id', '=', partnerId)
        .executeTakeFirst();
    },
    findByName(partnerId: string, name: string): Promise<OrganizationRow | undefined> {
      return db
        .selectFrom('organizations')
        .selectAll()
        .where('partner_id', '=', partnerId)
        .where('name', '=', name)
        .executeTakeFirst();
    },
    listForPartner(partnerId: string): Promise<OrganizationRow[]> {
      return db
        .selectFrom('organizations')
        .selectAll()
        .where('partner_id', '=', partnerId)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
    },
    async update(id: string, input: OrganizationInput): Promise<void> {
      await db
        .updateTable('organizations')
        .set({
          name: input.name,
          sso_domain: input.sso_domain ?? null,
          sso_org_id: input.sso_org_id ?? null,
          issuer: input.issuer ?? null,
          client_id: input.client_id ?? null,
          client_secret_sealed: input.client_secret_sealed ?? null,
          updated_at: nowIso(clock),
        })
        .where('id', '=', id)
        .execute();
    },
    async delete(id: string): Promise<void> {
      await db.deleteFrom('organizations').where('id', '=', id).execute();
    },
    async count(): Promise<number> {
      const row = await db
        .selectFrom('organizations')
        .select((eb) => eb.fn.countAll<string | number>().as('n'))
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
  };
}
