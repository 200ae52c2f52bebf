// The model-sync benchmarks' floor: rows written with plain `INSERT … ON CONFLICT (email) DO UPDATE`
// statements into a `(email primary key, full_name, tier, seats)` table, no diffing, state or rejections.
import type pg from 'pg';

export interface ContactRow {
  email: string;
  full_name: string;
  tier: string;
  seats: number;
}

/** One statement of up to 1000 rows (4,000 parameters); the caller times it. */
export async function baselineUpsert(pool: pg.Pool, table: string, rows: ContactRow[]): Promise<void> {
  const values: unknown[] = [];
  const tuples = rows.map((row, index) => {
    values.push(row.email, row.full_name, row.tier, row.seats);
    return `($${index * 4 + 1}, $${index * 4 + 2}, $${index * 4 + 3}, $${index * 4 + 4})`;
  });
  await pool.query(
    `insert into ${table} (email, full_name, tier, seats) values ${tuples.join(', ')} on conflict (email) do update set full_name = excluded.full_name, tier = excluded.tier, seats = excluded.seats`,
    values,
  );
}
