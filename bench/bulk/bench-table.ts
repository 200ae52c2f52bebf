// The benchmark table: mixed types, a primary key, about 300 bytes a row on disk, generated inside
// PostgreSQL (generate_series) so that loading it costs the benchmark nothing measurable.

export const benchTableColumns = `
  id bigint primary key,
  name text not null,
  email text not null,
  amount numeric(14,2) not null,
  score double precision not null,
  quantity integer not null,
  active boolean not null,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  birthday date,
  doc jsonb not null,
  notes text`;

export function fillBenchTable(table: string, rows: number): string {
  return `insert into ${table}
    select i,
           'Customer ' || i || ' ' || md5(i::text),
           'user' || i || '@example-' || (i % 97) || '.com',
           (i % 100000) * 1.37,
           i / 7.0,
           i % 1000,
           i % 3 = 0,
           '2024-01-01T00:00:00Z'::timestamptz + i * interval '1 second',
           '2024-06-01T00:00:00.123456Z'::timestamptz + i * interval '1 second',
           date '1970-01-01' + (i % 20000),
           jsonb_build_object('tier', i % 5, 'tags', jsonb_build_array('a' || (i % 13), 'b' || (i % 17))),
           repeat(md5((i * 31)::text), 3)
    from generate_series(1, ${rows}) i`;
}
