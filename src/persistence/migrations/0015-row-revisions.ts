// A revision on bulk syncs, model syncs and connections that the database itself replaces with a new random value on
// every insert and every update, whoever writes (any Ferry process, any code path, a hand-run UPDATE). The API reads a
// list as (id, revision) first and reads whole rows only for those whose JSON it has not rendered at that revision
// (src/api/wire-json-cache.ts): a whole row of a bulk sync is ~1.6 KB, and reading 1,000 of them was most of a list.
// Random rather than a counter so that a row deleted and inserted again under its id never repeats a revision; 53
// bits, so that it reads back exactly as a JavaScript number.
import { PostgresAdapter, sql, type Kysely } from 'kysely';

const tables = ['bulk_syncs', 'model_syncs', 'connections'] as const;

// The light reads of the lists, answered from these indexes alone: the revision is added at the end of rows of 1–2 KB,
// and reading it from the table walks each row's overflow pages (on SQLite a light read of 1,000 connections cost
// 8 ms, nearly what the whole rows did). Each holds the list's filter, its order and what the light read selects.
const coveringIndexes = [
  sql`create index bulk_syncs_list_revisions on bulk_syncs (organization_id, updated_at desc, id, revision, active)`,
  sql`create index model_syncs_list_revisions
    on model_syncs (organization_id, updated_at desc, id, revision, active, mode, target_connection_id)`,
  sql`create index connections_list_revisions on connections (organization_id, created_at, id, revision, type)`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  for (const table of tables)
    await db.schema
      .alterTable(table)
      .addColumn('revision', 'bigint', (column) => column.notNull().defaultTo(0))
      .execute();
  for (const index of coveringIndexes) await index.execute(db);
  if (postgres) {
    await sql`
      create function ferry_new_revision() returns trigger language plpgsql as $$
      begin
        new.revision := floor(random() * 9007199254740991)::bigint;
        return new;
      end $$`.execute(db);
    for (const table of tables) {
      await sql`create trigger ${sql.id(`${table}_revision`)} before insert or update on ${sql.table(table)}
        for each row execute function ferry_new_revision()`.execute(db);
    }
    return;
  }
  for (const table of tables) {
    // After the row is written: SQLite's triggers cannot change NEW. The inner UPDATE changes the revision, so the
    // update trigger's WHEN is false for it and nothing recurses.
    await sql`create trigger ${sql.id(`${table}_revision_insert`)} after insert on ${sql.table(table)}
      begin update ${sql.table(table)} set revision = random() >> 11 where id = new.id; end`.execute(db);
    await sql`create trigger ${sql.id(`${table}_revision_update`)} after update on ${sql.table(table)}
      when new.revision is old.revision
      begin update ${sql.table(table)} set revision = random() >> 11 where id = new.id; end`.execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  for (const table of tables) await db.schema.dropIndex(`${table}_list_revisions`).execute();
  for (const table of tables) {
    if (postgres) await sql`drop trigger ${sql.id(`${table}_revision`)} on ${sql.table(table)}`.execute(db);
    else {
      await sql`drop trigger ${sql.id(`${table}_revision_insert`)}`.execute(db);
      await sql`drop trigger ${sql.id(`${table}_revision_update`)}`.execute(db);
    }
    await db.schema.alterTable(table).dropColumn('revision').execute();
  }
  if (postgres) await sql`drop function ferry_new_revision()`.execute(db);
}
