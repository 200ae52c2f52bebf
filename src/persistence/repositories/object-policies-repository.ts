// The policy ids attached to connections, models, model syncs and bulk syncs, read from where each kind keeps them
// (a column for connections, a key of a JSON document for the others), for the permission checks.
import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';

type PolicyHolderKind = 'connection' | 'model' | 'model_sync' | 'bulk_sync';

function idsIn(document: string, key: string | undefined): string[] {
  const parsed = JSON.parse(document) as unknown;
  const value = key === undefined ? parsed : (parsed as Record<string, unknown> | null)?.[key];
  return Array.isArray(value) ? value.filter((id): id is string => typeof id === 'string') : [];
}

export function objectPoliciesRepository(db: Kysely<Database>) {
  /** Every object of the kind in the organization, with its attached policy ids. */
  async function rows(
    organizationId: string,
    kind: PolicyHolderKind,
    id?: string,
  ): Promise<Array<{ id: string; policies: string[] }>> {
    switch (kind) {
      case 'connection': {
        let query = db
          .selectFrom('connections')
          .select(['id', 'policies'])
          .where('organization_id', '=', organizationId);
        if (id !== undefined) query = query.where('id', '=', id);
        return (await query.execute()).map((row) => ({ id: row.id, policies: idsIn(row.policies, undefined) }));
      }
      case 'model': {
        let query = db.selectFrom('models').select(['id', 'settings']).where('organization_id', '=', organizationId);
        if (id !== undefined) query = query.where('id', '=', id);
        return (await query.execute()).map((row) => ({ id: row.id, policies: idsIn(row.settings, 'policies') }));
      }
      case 'model_sync': {
        let query = db
          .selectFrom('model_syncs')
          .select(['id', 'definition'])
          .where('organization_id', '=', organizationId);
        if (id !== undefined) query = query.where('id', '=', id);
        return (await query.execute()).map((row) => ({ id: row.id, policies: idsIn(row.definition, 'policies') }));
      }
      case 'bulk_sync': {
        let query = db
          .selectFrom('bulk_syncs')
          .select(['id', 'settings'])
          .where('organization_id', '=', organizationId);
        if (id !== undefined) query = query.where('id', '=', id);
        return (await query.execute()).map((row) => ({ id: row.id, policies: idsIn(row.settings, 'policies') }));
      }
    }
  }
  return {
    /** The object's attached policy ids, or undefined when the organization has no such object. */
    async of(organizationId: string, kind: PolicyHolderKind, id: string): Promise<string[] | undefined> {
      const [row] = await rows(organizationId, kind, id);
      return row?.policies;
    },
    async all(organizationId: string, kind: PolicyHolderKind): Promise<Map<string, string[]>> {
      return new Map((await rows(organizationId, kind)).map((row) => [row.id, row.policies]));
    },
  };
}
