// API keys: random, shown once, stored as SHA-256 hashes.
import type { Clock } from '../../domain/clock.ts';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { ApiKeyKind, ApiKeysTable, Database } from '../schema.ts';
import { nowIso } from './clock.ts';
import { reusableQuery } from '../reusable-query.ts';

export type ApiKeyRow = ApiKeysTable;

export function hashApiKey(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/** 32 random bytes (256 bits) in base64url behind a prefix that says what the key is. */
function generateApiKey(kind: ApiKeyKind): string {
  const prefix = kind === 'partner' ? 'ferry_pk_' : 'ferry_sk_';
  return prefix + randomBytes(32).toString('base64url');
}

export interface NewApiKey {
  kind: ApiKeyKind;
  partnerId: string;
  organizationId?: string | null;
  userId?: string | null;
  label?: string | null;
  /** A fixed value (bootstrap); otherwise a random one is generated. */
  value?: string;
}

export function apiKeysRepository(db: Kysely<Database>, clock: Clock) {
  const principalByHash = reusableQuery(db, 1, (keyHash: string) =>
    db
      .selectFrom('api_keys as k')
      .innerJoin('partners as p', 'p.id', 'k.partner_id')
      .leftJoin('organizations as o', (join) =>
        join.on((eb) => eb('o.id', '=', eb.fn.coalesce('k.organization_id', 'p.owner_organization_id'))),
      )
      .leftJoin('users as u', 'u.id', 'k.user_id')
      .select([
        'k.id as key_id',
        'k.kind',
        'k.partner_id',
        'o.id as organization_id',
        'o.name as organization_name',
        'k.user_id',
        'u.email as user_email',
        'u.role as user_role',
        'u.role_ids as user_role_ids',
      ])
      .where('k.key_hash', '=', keyHash)
      .where('k.revoked_at', 'is', null),
  );
  return {
    async create(input: NewApiKey): Promise<{ row: ApiKeyRow; value: string }> {
      const value = input.value ?? generateApiKey(input.kind);
      const row: ApiKeyRow = {
        id: randomUUID(),
        kind: input.kind,
        partner_id: input.partnerId,
        organization_id: input.organizationId ?? null,
        user_id: input.userId ?? null,
        key_hash: hashApiKey(value),
        key_prefix: value.slice(0, 12),
        label: input.label ?? null,
        created_at: nowIso(clock),
        revoked_at: null,
      };
      await db.insertInto('api_keys').values(row).execute();
      return { row, value };
    },
    /** The hot path of every request: one indexed lookup by hash. */
    findActiveByValue(value: string): Promise<ApiKeyRow | undefined> {
      return db
        .selectFrom('api_keys')
        .selectAll()
        .where('key_hash', '=', hashApiKey(value))
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
    },
    /**
     * The hot path of every request: one indexed lookup by hash, joined with what an identity needs. A partner
     * key acts in its partner's owner organization.
     */
    async findPrincipal(value: string) {
      return (await principalByHash(hashApiKey(value)))[0];
    },
    list(options: { includeRevoked?: boolean } = {}): Promise<ApiKeyRow[]> {
      let query = db.selectFrom('api_keys').selectAll().orderBy('created_at').orderBy('id');
      if (!options.includeRevoked) query = query.where('revoked_at', 'is', null);
      return query.execute();
    },
    listActiveForUser(userId: string): Promise<ApiKeyRow[]> {
      return db
        .selectFrom('api_keys')
        .selectAll()
        .where('user_id', '=', userId)
        .where('revoked_at', 'is', null)
        .execute();
    },
    /** Revokes by id or by the printed prefix; returns how many keys were revoked. */
    async revoke(idOrPrefix: string): Promise<number> {
      const result = await db
        .updateTable('api_keys')
        .set({ revoked_at: nowIso(clock) })
        .where((eb) => eb.or([eb('id', '=', idOrPrefix), eb('key_prefix', '=', idOrPrefix)]))
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },
    async revokeForUser(userId: string): Promise<void> {
      await db
        .updateTable('api_keys')
        .set({ revoked_at: nowIso(clock) })
        .where('user_id', '=', userId)
        .where('revoked_at', 'is', null)
        .execute();
    },
  };
}

export type ApiKeysRepository = ReturnType<typeof apiKeysRepository>;
