// The steady load on a change-capture source: 10 transactions a second of rate/10 row changes each (30 % inserts,
// 50 % updates, 20 % deletes), every insert and update stamping `changed_at` with the source's clock.
import type mysql from 'mysql2/promise';
import type pg from 'pg';

export interface ChangeLoad {
  /** One source transaction of that many inserts, updates and deletes. */
  transaction(inserts: number, updates: number, deletes: number): Promise<void>;
  /** Commits a row with id `id` and no `changed_at`: once a consumer has it, it has everything committed before. */
  marker(id: number): Promise<void>;
}

export interface LoadResult {
  /** Row changes committed. */
  committed: number;
  seconds: number;
}

/** Runs `rate` row changes a second for `seconds`; a source slower than the rate falls behind it (see `achieved`). */
export async function runLoad(load: ChangeLoad, rate: number, seconds: number): Promise<LoadResult> {
  const perTransaction = Math.max(10, Math.round(rate / 10));
  const inserts = Math.round(perTransaction * 0.3);
  const updates = Math.round(perTransaction * 0.5);
  const deletes = perTransaction - inserts - updates;
  let committed = 0;
  const started = Date.now();
  for (let tick = 0; tick < seconds * 10; tick += 1) {
    const due = started + tick * 100;
    if (Date.now() < due) await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
    await load.transaction(inserts, updates, deletes);
    committed += perTransaction;
  }
  // The last transaction is due at (seconds - 0.1) s: the load spans the whole of its last tenth of a second.
  const due = started + seconds * 1000;
  if (Date.now() < due) await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
  return { committed, seconds: (Date.now() - started) / 1000 };
}

/** PostgreSQL: updates and deletes pick rows by TABLESAMPLE. */
export function postgresChangeLoad(sql: pg.Pool, initialRows: number): ChangeLoad & { nextId(): number } {
  let nextId = initialRows + 1;
  return {
    nextId: () => nextId,
    async transaction(inserts, updates, deletes) {
      await sql.query(`begin;
        insert into items select i, 'new', 0, clock_timestamp() from generate_series(${nextId}, ${nextId + inserts - 1}) i;
        update items set n = n + 1, changed_at = clock_timestamp()
          where id in (select id from items tablesample system (1) limit ${updates});
        delete from items where id in (select id from items tablesample system (1) limit ${deletes});
        commit`);
      nextId += inserts;
    },
    async marker(id) {
      await sql.query(`insert into items values (${id}, 'marker', 0, null)`);
    },
  };
}

/**
 * MariaDB (no TABLESAMPLE, and a DELETE cannot read its own table): deletes take the oldest live ids, updates random
 * live ids above them, so every statement changes rows that exist.
 */
export function mariadbChangeLoad(sql: mysql.Pool, initialRows: number): ChangeLoad {
  let nextId = initialRows + 1;
  let lowestLive = 1;
  return {
    async transaction(inserts, updates, deletes) {
      const updated = new Set<number>();
      const from = lowestLive + deletes;
      for (let index = 0; index < updates && nextId > from; index += 1)
        updated.add(from + Math.floor(Math.random() * (nextId - from)));
      const statements = [
        'start transaction',
        `insert into items select seq, 'new', 0, now(6) from seq_${nextId}_to_${nextId + inserts - 1}`,
        ...(updated.size > 0
          ? [`update items set n = n + 1, changed_at = now(6) where id in (${[...updated].join(',')})`]
          : []),
        `delete from items where id between ${lowestLive} and ${lowestLive + deletes - 1}`,
        'commit',
      ];
      await sql.query(statements.join(';\n'));
      nextId += inserts;
      lowestLive += deletes;
    },
    async marker(id) {
      await sql.query(`insert into items values (${id}, 'marker', 0, null)`);
    },
  };
}
