// Hot lookups (reusableQuery) go around Kysely's driver: on SQLite they run at once when nothing holds the
// connection, on PostgreSQL as named prepared statements. They must read exactly what Kysely would, never run inside
// someone else's transaction, and survive a schema change made by another process.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql, type Kysely } from 'kysely';
import { reusableQuery } from '../../src/persistence/reusable-query.ts';
import { availableDialects } from '../kit/ferry-server.ts';
import { freshDatabase } from './dialects.ts';

/** The table these tests create; the same Kysely instance (its hot reader is keyed by it), typed for that table. */
interface HotItemsDatabase {
  hot_items: { id: string; owner?: string; label?: string | null };
}
const withHotItems = (db: object) => db as Kysely<HotItemsDatabase>;

for (const dialect of await availableDialects()) {
  describe(`reusable queries (${dialect})`, () => {
    test('read the same rows as Kysely, with each call’s own arguments', async () => {
      const fresh = await freshDatabase(dialect);
      try {
        const db = withHotItems(fresh.database.db);
        await sql`create table hot_items (id text primary key, owner text not null, label text)`.execute(db);
        await db
          .insertInto('hot_items')
          .values([
            { id: 'a', owner: 'o1', label: 'first' },
            { id: 'b', owner: 'o2', label: null },
          ])
          .execute();
        const byIdAndOwner = reusableQuery(db, 2, (id: string, owner: string) =>
          db.selectFrom('hot_items').selectAll().where('id', '=', id).where('owner', '=', owner),
        );
        for (let round = 0; round < 3; round++) {
          assert.deepEqual(await byIdAndOwner('a', 'o1'), [{ id: 'a', owner: 'o1', label: 'first' }]);
          assert.deepEqual(await byIdAndOwner('b', 'o2'), [{ id: 'b', owner: 'o2', label: null }]);
          assert.deepEqual(await byIdAndOwner('a', 'o2'), [], 'another owner’s row is not found');
        }
        const viaKysely = await db
          .selectFrom('hot_items')
          .selectAll()
          .where('id', '=', 'a')
          .where('owner', '=', 'o1')
          .execute();
        assert.deepEqual(await byIdAndOwner('a', 'o1'), viaKysely);
      } finally {
        await fresh.dispose();
      }
    });

    test('a read issued while a transaction is open waits for it and never sees its uncommitted rows', async () => {
      const fresh = await freshDatabase(dialect);
      try {
        const db = withHotItems(fresh.database.db);
        await sql`create table hot_items (id text primary key, owner text not null)`.execute(db);
        const byId = reusableQuery(db, 1, (id: string) => db.selectFrom('hot_items').selectAll().where('id', '=', id));
        let read: Promise<unknown[]> | undefined;
        await assert.rejects(
          db.transaction().execute(async (transaction) => {
            await transaction.insertInto('hot_items').values({ id: 'x', owner: 'o' }).execute();
            // On SQLite this shares the transaction's one connection: it must queue, not run inside it.
            read = byId('x');
            throw new Error('roll back');
          }),
          /roll back/,
        );
        assert.deepEqual(await read, []);
        await db.insertInto('hot_items').values({ id: 'x', owner: 'o' }).execute();
        assert.deepEqual(await byId('x'), [{ id: 'x', owner: 'o' }]);
      } finally {
        await fresh.dispose();
      }
    });

    test('a column added by another process after the first call is read, not an error', async () => {
      const fresh = await freshDatabase(dialect);
      try {
        const db = withHotItems(fresh.database.db);
        await sql`create table hot_items (id text primary key)`.execute(db);
        await db.insertInto('hot_items').values({ id: 'a' }).execute();
        const byId = reusableQuery(db, 1, (id: string) => db.selectFrom('hot_items').selectAll().where('id', '=', id));
        // Several calls, so that every pooled PostgreSQL connection may have prepared the statement.
        await Promise.all(Array.from({ length: 12 }, () => byId('a')));
        const other = fresh.openAnother();
        await sql`alter table hot_items add column note text`.execute(other.db);
        for (let round = 0; round < 12; round++) assert.deepEqual(await byId('a'), [{ id: 'a', note: null }]);
      } finally {
        await fresh.dispose();
      }
    });
  });
}
