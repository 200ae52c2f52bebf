// StateStore on the metadata database (SQLite or PostgreSQL, one code path through Kysely).
// Tables from migration 0006: model_sync_record_states (sync_id, identity_key) → hash, identity,
// seen_execution_id; model_sync_baselines (sync_id) → first completed execution; from 0010,
// model_sync_state_generations (sync_id) → the token every commit replaces.
//
// Hot path, per batch of ~1000 records:
// - differing: one statement per 1000 records looks the batch's (key, hash) pairs, a VALUES list, up in the state by
//   primary key and returns only the pairs whose stored hash differs (or is missing). An unchanged batch costs only
//   this and returns no rows; on SQLite it takes about half the time of selecting every key's hash with an IN list
//   and comparing in JavaScript, and on PostgreSQL it probes the index where the IN list scanned (bench/README.md).
//   Its SQL is compiled once per list size (the list is padded to one of a few sizes by repeating a pair) and runs
//   through the database's hot reader (reusable-query.ts: on SQLite synchronously from a cached statement, on
//   PostgreSQL as a named prepared statement), not through Kysely's builder and driver on every batch.
// - commitStates: one transaction of multi-row `INSERT … ON CONFLICT DO UPDATE` (500 rows a
//   statement: 6 columns × 500 stays under SQLite's 32,766 variables and PostgreSQL's 65,535) plus
//   an `UPDATE … IN` for seen keys in replace mode, and the new generation token. Writes happen only for
//   delivered records, so a second run over an unchanged model writes nothing.
import { randomUUID } from 'node:crypto';
import { CompiledQuery, SqliteAdapter, sql, type Kysely } from 'kysely';
import type { Database } from '../schema.ts';
import { reusableQuery } from '../reusable-query.ts';
import type { RecordState, StateStore } from '../../engine/model-sync/state-store.ts';

const chunkSize = 500;
/** States per page when a sync's state is read whole (forEachHash). */
const hashPageSize = 10_000;

function chunks<T>(items: readonly T[], size = chunkSize): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < items.length; start += size) result.push(items.slice(start, start + size));
  return result;
}

/** List sizes a diff is padded to: four statements in the statement caches, whatever the batch sizes. */
const diffSizes = [10, 100, 300, 1000] as const;
const diffChunk = diffSizes.at(-1)!;

function toState(row: { identity_key: string; hash: string; identity: string }): RecordState {
  return { key: row.identity_key, hash: row.hash, identity: JSON.parse(row.identity) as RecordState['identity'] };
}

export function createKyselyStateStore(db: Kysely<Database>, clock: () => Date = () => new Date()): StateStore {
  // The states' upsert, compiled once per row count (at most two: a full chunk and a last one of each size met).
  // Building and compiling it in Kysely every time cost about a third of a 1000-state commit on SQLite: 3,000 value
  // nodes a statement.
  const upsertTexts = new Map<number, string>();
  const upsertSql = (rows: number): string => {
    let text = upsertTexts.get(rows);
    if (text === undefined) {
      const placeholder = {
        sync_id: '',
        identity_key: '',
        hash: '',
        identity: '',
        seen_execution_id: '',
        updated_at: '',
      };
      text = db
        .insertInto('model_sync_record_states')
        .values(Array.from({ length: rows }, () => placeholder))
        .onConflict((conflict) =>
          conflict.columns(['sync_id', 'identity_key']).doUpdateSet((expression) => ({
            hash: expression.ref('excluded.hash'),
            identity: expression.ref('excluded.identity'),
            seen_execution_id: expression.ref('excluded.seen_execution_id'),
            updated_at: expression.ref('excluded.updated_at'),
          })),
        )
        .compile().sql;
      if (upsertTexts.size > 16) upsertTexts.clear();
      upsertTexts.set(rows, text);
    }
    return text;
  };
  // Arguments: the sync id, then key and hash of each pair. `IS DISTINCT FROM` also holds for a missing state (null).
  const diffs = diffSizes.map((size) =>
    reusableQuery<string[], { identity_key: string; hash: string | null }>(db, 1 + 2 * size, (syncId, ...pairs) => {
      const values = Array.from({ length: size }, (_, index) => sql`(${pairs[2 * index]}, ${pairs[2 * index + 1]})`);
      // A correlated subquery, not a join: PostgreSQL then probes the primary key per pair, where for a join (or an
      // IN list) over 1% of a sync's keys it scans the sync's whole state (10–23 ms a batch of 1000 on 100,000 rows).
      const query = sql<{
        identity_key: string;
        hash: string | null;
      }>`with given (identity_key, hash) as (values ${sql.join(values)})
        select identity_key, stored as hash from (
          select given.identity_key, given.hash, (
            select state.hash from model_sync_record_states as state where state.sync_id = ${syncId} and state.identity_key = given.identity_key
          ) as stored from given
        ) as compared
        where stored is distinct from hash`;
      return { compile: () => query.compile(db) };
    }),
  );
  // Preloading a sync's state into the state cache (state-cache.ts) reads it a page at a time. SQLite: by primary key, one statement per
  // page on the hot reader (its planner walks the key's index). PostgreSQL: one query through a cursor, in no order
  // (a page per key range was a sort of the sync's remaining state per page when the table had no statistics).
  const sqlite = db.getExecutor().adapter instanceof SqliteAdapter;
  const hashPages = [false, true].map((afterKey) =>
    reusableQuery<string[], { identity_key: string; hash: string }>(db, afterKey ? 2 : 1, (syncId, key) => {
      let query = db
        .selectFrom('model_sync_record_states')
        .select(['identity_key', 'hash'])
        .where('sync_id', '=', syncId);
      if (afterKey) query = query.where('identity_key', '>', key!);
      return query.orderBy('identity_key').limit(sql.lit(hashPageSize));
    }),
  );
  return {
    inProcess: sqlite,
    async differing(syncId, records) {
      const found = new Map<string, string | undefined>();
      for (const part of chunks(records, diffChunk)) {
        const bucket = diffSizes.findIndex((size) => size >= part.length);
        const args = [syncId];
        for (const { key, hash } of part) args.push(key, hash);
        for (let index = part.length; index < diffSizes[bucket]!; index += 1) args.push(part[0]!.key, part[0]!.hash);
        const rows = await diffs[bucket]!(...args);
        for (const row of rows) found.set(row.identity_key, row.hash ?? undefined);
      }
      return found;
    },
    async commit(syncId, change) {
      if (change.upserts.length === 0 && change.deletes.length === 0 && change.seen.length === 0) return undefined;
      const updatedAt = clock().toISOString();
      const generation = randomUUID();
      await db.transaction().execute(async (transaction) => {
        await transaction
          .insertInto('model_sync_state_generations')
          .values({ sync_id: syncId, generation })
          .onConflict((conflict) => conflict.column('sync_id').doUpdateSet({ generation }))
          .execute();
        for (const part of chunks(change.upserts)) {
          const parameters: unknown[] = [];
          for (const state of part)
            parameters.push(
              syncId,
              state.key,
              state.hash,
              JSON.stringify(state.identity),
              change.executionId,
              updatedAt,
            );
          await transaction.executeQuery(CompiledQuery.raw(upsertSql(part.length), parameters));
        }
        for (const part of chunks(change.deletes)) {
          await transaction
            .deleteFrom('model_sync_record_states')
            .where('sync_id', '=', syncId)
            .where('identity_key', 'in', part)
            .execute();
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
      return generation;
    },
    async generation(syncId) {
      const row = await db
        .selectFrom('model_sync_state_generations')
        .select('generation')
        .where('sync_id', '=', syncId)
        .executeTakeFirst();
      return row?.generation;
    },
    async forEachHash(syncId, take) {
      if (sqlite) {
        for (let afterKey: string | undefined; ; ) {
          const rows = afterKey === undefined ? await hashPages[0]!(syncId) : await hashPages[1]!(syncId, afterKey);
          for (const row of rows) if (!take(row.identity_key, row.hash)) return;
          if (rows.length < hashPageSize) return;
          afterKey = rows.at(-1)!.identity_key;
        }
      }
      await db.transaction().execute(async (transaction) => {
        await sql`declare ferry_state_hashes no scroll cursor for
          select identity_key, hash from model_sync_record_states where sync_id = ${syncId}`.execute(transaction);
        for (;;) {
          const { rows } = await sql<{
            identity_key: string;
            hash: string;
          }>`fetch ${sql.lit(hashPageSize)} from ferry_state_hashes`.execute(transaction);
          for (const row of rows) if (!take(row.identity_key, row.hash)) return;
          if (rows.length < hashPageSize) return;
        }
      });
    },
    async listUnseen(syncId, executionId, { afterKey, limit }) {
      let query = db
        .selectFrom('model_sync_record_states')
        .select(['identity_key', 'hash', 'identity'])
        .where('sync_id', '=', syncId)
        .where((expression) =>
          expression.or([
            expression('seen_execution_id', 'is', null),
            expression('seen_execution_id', '!=', executionId),
          ]),
        );
      if (afterKey !== undefined) query = query.where('identity_key', '>', afterKey);
      const rows = await query.orderBy('identity_key').limit(limit).execute();
      return rows.map(toState);
    },
    async baseline(syncId) {
      const row = await db
        .selectFrom('model_sync_baselines')
        .select(['execution_id', 'established_at'])
        .where('sync_id', '=', syncId)
        .executeTakeFirst();
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
        await transaction.deleteFrom('model_sync_state_generations').where('sync_id', '=', syncId).execute();
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
