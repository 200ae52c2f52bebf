// StateStore on the metadata database (SQLite or PostgreSQL, one code path through Kysely).
// Tables from migration 0006: model_sync_record_states (sync_id, identity_key) → hash, identity,
// seen_execution_id; model_sync_baselines (sync_id) → first completed execution.
//
// Hot path, per batch of ~1000 records:
// - lookup: one `SELECT identity_key, hash … WHERE sync_id = ? AND identity_key IN (…)` per 1000 keys, served by
//   the primary key. An unchanged batch costs only this (measured in bench/model-sync.bench.ts), so its SQL is
//   compiled once per IN-list size (the list is padded to one of a few sizes by repeating a key) and runs through
//   the database's hot reader (reusable-query.ts: on SQLite synchronously from a cached statement, on PostgreSQL
//   as a named prepared statement), not through Kysely's builder and driver on every batch.
// - commitStates: one transaction of multi-row `INSERT … ON CONFLICT DO UPDATE` (500 rows a
//   statement: 6 columns × 500 stays under SQLite's 32,766 variables and PostgreSQL's 65,535) plus
//   an `UPDATE … IN` for seen keys in replace mode. Writes happen only for delivered records, so a
//   second run over an unchanged model writes nothing.
import type { Kysely } from 'kysely';
import type { Database } from '../../../persistence/schema.ts';
import { reusableQuery } from '../../../persistence/reusable-query.ts';
import type { RecordState, StateStore } from '../state-store.ts';

const chunkSize = 500;

function chunks<T>(items: readonly T[], size = chunkSize): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < items.length; start += size) result.push(items.slice(start, start + size));
  return result;
}

/** IN-list sizes a lookup is padded to: four statements in the statement caches, whatever the batch sizes. */
const lookupSizes = [10, 100, 300, 1000] as const;
const lookupChunk = lookupSizes.at(-1)!;

function toState(row: { identity_key: string; hash: string; identity: string }): RecordState {
  return { key: row.identity_key, hash: row.hash, identity: JSON.parse(row.identity) as RecordState['identity'] };
}

export function createKyselyStateStore(db: Kysely<Database>, clock: () => Date = () => new Date()): StateStore {
  const lookups = lookupSizes.map((size) =>
    reusableQuery<string[], { identity_key: string; hash: string }>(db, size + 1, (syncId, ...keys) =>
      db.selectFrom('model_sync_record_states').select(['identity_key', 'hash']).where('sync_id', '=', syncId).where('identity_key', 'in', keys),
    ),
  );
  return {
    async lookup(syncId, keys) {
      const found = new Map<string, string>();
      for (const part of chunks([...new Set(keys)], lookupChunk)) {
        const bucket = lookupSizes.findIndex((size) => size >= part.length);
        const padded = [syncId, ...part];
        for (let index = part.length; index < lookupSizes[bucket]!; index += 1) padded.push(part[0]!);
        const rows = await lookups[bucket]!(...padded);
        for (const row of rows) found.set(row.identity_key, row.hash);
      }
      return found;
    },
    async commit(syncId, change) {
      if (change.upserts.length === 0 && change.deletes.length === 0 && change.seen.length === 0) return;
      const updatedAt = clock().toISOString();
      await db.transaction().execute(async (transaction) => {
        for (const part of chunks(change.upserts)) {
          await transaction
            .insertInto('model_sync_record_states')
            .values(
              part.map((state) => ({
                sync_id: syncId,
                identity_key: state.key,
                hash: state.hash,
                identity: JSON.stringify(state.identity),
                seen_execution_id: change.executionId,
                updated_at: updatedAt,
              })),
            )
            .onConflict((conflict) =>
              conflict.columns(['sync_id', 'identity_key']).doUpdateSet((expression) => ({
                hash: expression.ref('excluded.hash'),
                identity: expression.ref('excluded.identity'),
                seen_execution_id: expression.ref('excluded.seen_execution_id'),
                updated_at: expression.ref('excluded.updated_at'),
              })),
            )
            .execute();
        }
        for (const part of chunks(change.deletes)) {
          await transaction.deleteFrom('model_sync_record_states').where('sync_id', '=', syncId).where('identity_key', 'in', part).execute();
        }
        for (const part of chunks(change.seen)) {
          await transaction
            .updateTable('model_sync_record_states')
            .set({ seen_execution_id: change.executionId })
            .where('sync_id', '=', syncId)
            .where('identity_key', 'in', part)
            .execute();
        }
      });
    },
    async listUnseen(syncId, executionId, { afterKey, limit }) {
      let query = db
        .selectFrom('model_sync_record_states')
        .select(['identity_key', 'hash', 'identity'])
        .where('sync_id', '=', syncId)
        .where((expression) => expression.or([expression('seen_execution_id', 'is', null), expression('seen_execution_id', '!=', executionId)]));
      if (afterKey !== undefined) query = query.where('identity_key', '>', afterKey);
      const rows = await query.orderBy('identity_key').limit(limit).execute();
      return rows.map(toState);
    },
    async baseline(syncId) {
      const row = await db.selectFrom('model_sync_baselines').select(['execution_id', 'established_at']).where('sync_id', '=', syncId).executeTakeFirst();
      return row ? { executionId: row.execution_id, establishedAt: row.established_at } : undefined;
    },
    async establishBaseline(syncId, baseline) {
      await db
        .insertInto('model_sync_baselines')
        .values({ sync_id: syncId, execution_id: baseline.executionId, established_at: baseline.establishedAt })
        .onConflict((conflict) => conflict.column('sync_id').doNothing())
        .execute();
    },
    async clear(syncId) {
      await db.transaction().execute(async (transaction) => {
        await transaction.deleteFrom('model_sync_record_states').where('sync_id', '=', syncId).execute();
        await transaction.deleteFrom('model_sync_baselines').where('sync_id', '=', syncId).execute();
      });
    },
    async count(syncId) {
      const row = await db
        .selectFrom('model_sync_record_states')
        .select((expression) => expression.fn.countAll<string | number>().as('count'))
        .where('sync_id', '=', syncId)
        .executeTakeFirstOrThrow();
      return Number(row.count);
    },
  };
}
