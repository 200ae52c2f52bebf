// Idempotency records, per scope (organization, or partner) and key.
import type { Kysely } from 'kysely';
import type { Database, IdempotencyKeysTable } from '../schema.ts';

type IdempotencyRecord = IdempotencyKeysTable;

export type ClaimResult = { outcome: 'claimed' } | { outcome: 'existing'; record: IdempotencyRecord };

export function idempotencyRepository(db: Kysely<Database>) {
  return {
    /**
     * Claims (scope, key) for a new request in one statement: INSERT … ON CONFLICT DO NOTHING, so two racing
     * requests cannot both claim it. An expired record, or an in-flight one older than `staleBefore` (its
     * process died), is taken over with a compare-and-set on its created_at.
     */
    async claim(
      scope: string,
      key: string,
      fingerprint: string,
      now: Date,
      ttlMs: number,
      staleBefore: Date,
    ): Promise<ClaimResult> {
      const fresh: IdempotencyRecord = {
        scope,
        key,
        fingerprint,
        state: 'in_flight',
        response_status: null,
        response_body: null,
        response_version: null,
        created_at: now.toISOString(),
        expires_at: new Date(now.getTime() + ttlMs).toISOString(),
      };
      const inserted = await db
        .insertInto('idempotency_keys')
        .values(fresh)
        .onConflict((conflict) => conflict.columns(['scope', 'key']).doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 1) return { outcome: 'claimed' };

      const existing = await db
        .selectFrom('idempotency_keys')
        .selectAll()
        .where('scope', '=', scope)
        .where('key', '=', key)
        .executeTakeFirst();
      if (!existing) return this.claim(scope, key, fingerprint, now, ttlMs, staleBefore);
      const expired = existing.expires_at <= now.toISOString();
      const abandoned = existing.state === 'in_flight' && existing.created_at < staleBefore.toISOString();
      if (expired || abandoned) {
        const taken = await db
          .updateTable('idempotency_keys')
          .set({ ...fresh })
          .where('scope', '=', scope)
          .where('key', '=', key)
          .where('created_at', '=', existing.created_at)
          .executeTakeFirst();
        if (Number(taken.numUpdatedRows) === 1) return { outcome: 'claimed' };
        return this.claim(scope, key, fingerprint, now, ttlMs, staleBefore);
      }
      return { outcome: 'existing', record: existing };
    },
    async complete(scope: string, key: string, status: number, body: string, version: string): Promise<void> {
      await db
        .updateTable('idempotency_keys')
        .set({ state: 'completed', response_status: status, response_body: body, response_version: version })
        .where('scope', '=', scope)
        .where('key', '=', key)
        .execute();
    },
    /** Forget a claim whose request failed on the server's side, so that a retry can run. */
    async release(scope: string, key: string): Promise<void> {
      await db
        .deleteFrom('idempotency_keys')
        .where('scope', '=', scope)
        .where('key', '=', key)
        .where('state', '=', 'in_flight')
        .execute();
    },
    async deleteExpired(now: Date): Promise<number> {
      const result = await db
        .deleteFrom('idempotency_keys')
        .where('expires_at', '<=', now.toISOString())
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

export type IdempotencyRepository = ReturnType<typeof idempotencyRepository>;
