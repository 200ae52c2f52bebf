// Change capture (docs/change-capture.md): one row per bulk sync that streams changes from its source's log. It
// records the stream Ferry created on the source (a PostgreSQL replication slot, a MySQL binlog reader's name), on
// which connection, whether its initial snapshot copy is still in progress, and the last position the destination
// committed. The sweep drops the streams of rows whose sync is gone; a stream with no row here is never touched.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('change_capture_streams')
    .addColumn('sync_id', 'text', (column) => column.primaryKey())
    .addColumn('stream_id', 'text', (column) => column.notNull())
    .addColumn('source_connection_id', 'text', (column) => column.notNull())
    .addColumn('phase', 'text', (column) => column.notNull())
    .addColumn('position', 'text')
    .addColumn('created_at', 'text', (column) => column.notNull())
    .addColumn('updated_at', 'text', (column) => column.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('change_capture_streams').execute();
}
