// A generation token per sync's change-detection state, replaced by every transaction that changes the state.
// A process that remembers the state (engine/model-sync/state/state-cache.ts) checks the token before trusting what it
// remembers: any write by another process, or a reset, shows as a different token (or none).
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('model_sync_state_generations')
    .addColumn('sync_id', 'text', (column) => column.primaryKey())
    .addColumn('generation', 'text', (column) => column.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('model_sync_state_generations').execute();
}
