// Policies of one organization; every query takes the organization id. policy_actions is a JSON document.
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';
import type { Clock } from '../../domain/clock.ts';
import { nowIso } from './clock.ts';

export interface PolicyActionRow {
  action: string;
  role_ids: string[];
}

export interface PolicyRow {
  id: string;
  organization_id: string;
  name: string;
  system_key: string | null;
  policy_actions: PolicyActionRow[];
  created_at: string;
  updated_at: string;
}

function toRow(row: Database['policies']): PolicyRow {
  return { ...row, policy_actions: JSON.parse(row.policy_actions) as PolicyActionRow[] };
}

export function policiesRepository(db: Kysely<Database>, clock: Clock) {
  return {
    /** Inserts each policy unless its id exists (built-ins, whose ids are derived from the organization). */
    async ensure(
      rows: Array<{
        id: string;
        organization_id: string;
        name: string;
        system_key: string;
        policy_actions: PolicyActionRow[];
      }>,
    ): Promise<void> {
      const now = nowIso(clock);
      await db
        .insertInto('policies')
        .values(
          rows.map((row) => ({
            ...row,
            policy_actions: JSON.stringify(row.policy_actions),
            created_at: now,
            updated_at: now,
          })),
        )
        .onConflict((conflict) => conflict.column('id').doNothing())
        .execute();
    },
    async create(organizationId: string, name: string, policyActions: PolicyActionRow[]): Promise<PolicyRow> {
      const now = nowIso(clock);
      const row = {
        id: randomUUID(),
        organization_id: organizationId,
        name,
        system_key: null,
        policy_actions: JSON.stringify(policyActions),
        created_at: now,
        updated_at: now,
      };
      await db.insertInto('policies').values(row).execute();
      return toRow(row);
    },
    async get(organizationId: string, id: string): Promise<PolicyRow | undefined> {
      const row = await db
        .selectFrom('policies')
        .selectAll()
        .where('id', '=', id)
        .where('organization_id', '=', organizationId)
        .executeTakeFirst();
      return row && toRow(row);
    },
    async list(organizationId: string): Promise<PolicyRow[]> {
      const rows = await db
        .selectFrom('policies')
        .selectAll()
        .where('organization_id', '=', organizationId)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return rows.map(toRow);
    },
    async update(organizationId: string, id: string, changes: { name: string; policy_actions?: PolicyActionRow[] }) {
      const set: Record<string, string> = { name: changes.name, updated_at: nowIso(clock) };
      if (changes.policy_actions) set.policy_actions = JSON.stringify(changes.policy_actions);
      await db
        .updateTable('policies')
        .set(set)
        .where('id', '=', id)
        .where('organization_id', '=', organizationId)
        .execute();
    },
    async delete(organizationId: string, id: string): Promise<void> {
      await db.deleteFrom('policies').where('id', '=', id).where('organization_id', '=', organizationId).execute();
    },
  };
}
