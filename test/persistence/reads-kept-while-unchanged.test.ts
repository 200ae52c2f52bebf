// Reusable queries with `keptWhileUnchanged` give back the rows read last time while the database's change stamp
// says nothing was written since (SQLite: PRAGMA data_version for other connections and processes, a count of this
// connection's own statements that may write). Every kind of write must be seen by the very next read: one by
// another process, by another connection of this process, by this connection through Kysely, inside a transaction,
// a rolled-back one, a write that returns rows, a delete, a schema change. PostgreSQL has no such stamp and
// always reads.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { sql, type Kysely } from 'kysely';
import { reusableQuery } from '../../src/persistence/reusable-query.ts';
import { availableDialects } from '../kit/ferry-server.ts';
import { freshDatabase, type FreshDatabase } from './dialects.ts';

interface KeptItemsDatabase {
  kept_items: { id: string; owner: string; label: string | null };
}
const withKeptItems = (db: object) => db as Kysely<KeptItemsDatabase>;

/** A table of two rows and a kept read of one row by id and owner, read once (so that it is kept). */
async function keptRead(fresh: FreshDatabase) {
  const db = withKeptItems(fresh.database.db);
  await sql`create table kept_items (id text primary key, owner text not null, label text)`.execute(db);
  await db
    .insertInto('kept_items')
    .values([
      { id: 'a', owner: 'o1', label: 'first' },
      { id: 'b', owner: 'o1', label: 'second' },
    ])
    .execute();
  const byIdAndOwner = reusableQuery(
    db,
    2,
    (id: string, owner: string) =>
      db.selectFrom('kept_items').select(['id', 'label']).where('id', '=', id).where('owner', '=', owner),
    { keptWhileUnchanged: true },
  );
  const label = async (id = 'a', owner = 'o1') => (await byIdAndOwner(id, owner))[0]?.label;
  assert.equal(await label(), 'first');
  return { db, byIdAndOwner, label };
}

async function withFresh(dialect: 'sqlite' | 'postgres', run: (fresh: FreshDatabase) => Promise<void>) {
  const fresh = await freshDatabase(dialect);
  try {
    await run(fresh);
  } finally {
    await fresh.dispose();
  }
}

for (const dialect of await availableDialects()) {
  describe(`reads kept while unchanged (${dialect})`, () => {
    test('each argument list has its own rows; on SQLite a second read gives back the same rows unread', async () => {
      await withFresh(dialect, async (fresh) => {
        const { byIdAndOwner, label } = await keptRead(fresh);
        assert.equal(await label('b'), 'second');
        assert.equal(await label('a', 'o2'), undefined, 'another owner’s row is not found');
        // Arguments that would run together if they were only joined.
        assert.equal(await label('ao', '1'), undefined);
        const first = await byIdAndOwner('a', 'o1');
        const second = await byIdAndOwner('a', 'o1');
        assert.equal(first === second, dialect === 'sqlite');
        if (dialect === 'sqlite') assert.ok(Object.isFrozen(first) && Object.isFrozen(first[0]));
      });
    });

    test('a write by another process is seen by the next read', async () => {
      await withFresh(dialect, async (fresh) => {
        const { label } = await keptRead(fresh);
        const script =
          dialect === 'sqlite'
            ? `import Database from 'better-sqlite3';
               const db = new Database(${JSON.stringify(join(fresh.dataDir, 'ferry.db'))});
               db.prepare("update kept_items set label = 'from another process' where id = 'a'").run();
               db.close();`
            : `import pg from 'pg';
               const client = new pg.Client(${JSON.stringify(fresh.databaseUrl)});
               await client.connect();
               await client.query("update kept_items set label = 'from another process' where id = 'a'");
               await client.end();`;
        const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
        assert.equal(child.status, 0, child.stderr);
        assert.equal(await label(), 'from another process');
      });
    });

    test('reads asked for together share one reading of the stamp, taken after the last of them asked', async () => {
      // PostgreSQL has no stamp: each read is sent when it is asked for.
      if (dialect !== 'sqlite') return;
      await withFresh(dialect, async (fresh) => {
        const { label } = await keptRead(fresh);
        const asked = [label(), label('b')];
        // Committed by another connection after both reads were asked for, in the same turn of the event loop: a
        // stamp read when they were asked would not know of it.
        const other = new Database(join(fresh.dataDir, 'ferry.db'));
        try {
          other.prepare("update kept_items set label = 'after the ask' where id in ('a', 'b')").run();
        } finally {
          other.close();
        }
        const last = label();
        assert.deepEqual(await Promise.all([...asked, last]), ['after the ask', 'after the ask', 'after the ask']);
      });
    });

    test('a write by another connection of this process is seen by the next read', async () => {
      await withFresh(dialect, async (fresh) => {
        const { label } = await keptRead(fresh);
        const other = withKeptItems(fresh.openAnother().db);
        await other.updateTable('kept_items').set({ label: 'from another connection' }).where('id', '=', 'a').execute();
        assert.equal(await label(), 'from another connection');
        await other.deleteFrom('kept_items').where('id', '=', 'a').execute();
        assert.equal(await label(), undefined);
      });
    });

    test('this connection’s own writes through Kysely are seen: update, raw SQL, delete, insert', async () => {
      await withFresh(dialect, async (fresh) => {
        const { db, label } = await keptRead(fresh);
        await db.updateTable('kept_items').set({ label: 'updated' }).where('id', '=', 'a').execute();
        assert.equal(await label(), 'updated');
        await sql`update kept_items set label = 'raw' where id = 'a'`.execute(db);
        assert.equal(await label(), 'raw');
        await db.deleteFrom('kept_items').where('id', '=', 'a').execute();
        assert.equal(await label(), undefined);
        await db.insertInto('kept_items').values({ id: 'a', owner: 'o1', label: 'again' }).execute();
        assert.equal(await label(), 'again');
      });
    });

    test('a write that returns rows, run by the hot reader itself, is seen', async () => {
      await withFresh(dialect, async (fresh) => {
        const { db, label } = await keptRead(fresh);
        assert.equal(await label('c'), undefined);
        const insert = reusableQuery(db, 1, (id: string) =>
          db.insertInto('kept_items').values({ id, owner: 'o1', label: 'returned' }).returning('id'),
        );
        assert.deepEqual(await insert('c'), [{ id: 'c' }]);
        assert.equal(await label('c'), 'returned');
      });
    });

    test('a committed transaction is seen; a read issued inside it never sees it half done', async () => {
      await withFresh(dialect, async (fresh) => {
        const { db, label } = await keptRead(fresh);
        let inside: Promise<unknown> | undefined;
        await db.transaction().execute(async (transaction) => {
          await transaction
            .updateTable('kept_items')
            .set({ label: 'in a transaction' })
            .where('id', '=', 'a')
            .execute();
          inside = label();
          await transaction.updateTable('kept_items').set({ label: 'committed' }).where('id', '=', 'a').execute();
        });
        // SQLite's one connection is the transaction's: the read waits for it. A PostgreSQL read runs beside it, on
        // another connection, and reads what was committed when it ran.
        if (dialect === 'sqlite') assert.equal(await inside, 'committed');
        else assert.ok(['first', 'committed'].includes((await inside) as string));
        assert.equal(await label(), 'committed');
      });
    });

    test('a rolled-back transaction leaves the read as it was, and what it wrote is never given back', async () => {
      await withFresh(dialect, async (fresh) => {
        const { db, label } = await keptRead(fresh);
        let inside: Promise<unknown> | undefined;
        await assert.rejects(
          db.transaction().execute(async (transaction) => {
            await transaction.updateTable('kept_items').set({ label: 'rolled back' }).where('id', '=', 'a').execute();
            inside = label();
            throw new Error('roll back');
          }),
          /roll back/,
        );
        assert.equal(await inside, 'first');
        assert.equal(await label(), 'first');
        await db.updateTable('kept_items').set({ label: 'after' }).where('id', '=', 'a').execute();
        assert.equal(await label(), 'after');
      });
    });

    test('a transaction opened by a statement of its own, written in and rolled back, is not kept', async () => {
      await withFresh(dialect, async (fresh) => {
        const { db, label } = await keptRead(fresh);
        await db.connection().execute(async (connection) => {
          await sql`begin`.execute(connection);
          await sql`update kept_items set label = 'uncommitted' where id = 'a'`.execute(connection);
          await sql`rollback`.execute(connection);
        });
        assert.equal(await label(), 'first');
        if (dialect !== 'sqlite') return;
        // Kysely hands the connection back between two statements: this transaction stays open across reads.
        await sql`begin`.execute(db);
        await sql`update kept_items set label = 'uncommitted' where id = 'a'`.execute(db);
        await label();
        await sql`rollback`.execute(db);
        assert.equal(await label(), 'first');
      });
    });

    test('a table dropped and made again with other rows is read anew', async () => {
      await withFresh(dialect, async (fresh) => {
        const { db, label } = await keptRead(fresh);
        await sql`drop table kept_items`.execute(db);
        await sql`create table kept_items (id text primary key, owner text not null, label text)`.execute(db);
        await db.insertInto('kept_items').values({ id: 'a', owner: 'o1', label: 'new table' }).execute();
        assert.equal(await label(), 'new table');
      });
    });
  });
}
