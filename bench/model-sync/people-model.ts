// The model of bench/model-sync and its probes: a `people` table of `rows` rows, and the sync's mapping into
// `contacts` (email primary key, full_name, tier, seats): identity email → email, name → full_name, plan → tier,
// seats → seats.
import type pg from 'pg';
import type { ModelSyncPlan } from '../../src/engine/model-sync/model-sync-plan.ts';

export async function createPeople(pool: pg.Pool, rows: number): Promise<void> {
  await pool.query(
    'create table people (id integer primary key, email text not null, name text, plan text, seats integer, updated_at timestamptz)',
  );
  await pool.query(
    `insert into people select i, 'user' || i || '@example.com', 'Person ' || i, case when i % 3 = 0 then 'pro' else 'free' end, i % 50, now() from generate_series(1, $1) as i`,
    [rows],
  );
}

export const contactsTable = 'create table contacts (email text primary key, full_name text, tier text, seats integer)';

/** The sync's mode, identity and fields. */
export const peopleToContacts: Pick<ModelSyncPlan, 'mode' | 'identity' | 'fields'> = {
  mode: 'updateOrCreate',
  identity: { source: { field: 'email' }, target: 'email', function: 'Equality' },
  fields: [
    { source: { field: 'name' }, target: 'full_name' },
    { source: { field: 'plan' }, target: 'tier' },
    { source: { field: 'seats' }, target: 'seats' },
  ],
};
