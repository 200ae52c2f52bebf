// Where the PostgreSQL model target's write time goes: 100 upserts of 1000 new rows each through the
// connector's modelTarget.write, against the same rows as plain batched INSERT … ON CONFLICT statements,
// with the time of every statement the writer sends, grouped by its first words.
// Run: node --import tsx bench/model-sync/writer-probe.ts   (needs the local PostgreSQL; not part of npm run bench)
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { createPostgresConnector } from '../../src/connectors/postgres/postgres-connector.ts';
import { postgresConfiguration } from '../../test/connectors/postgres-configuration-fixture.ts';
import { createPostgresDatabase } from '../../test/kit/services.ts';
import { createMockRunContext } from '../../test/kit/mock-run-context.ts';
import { baselineUpsert } from './baseline-upsert.ts';

const batches = 100;
const batchSize = 1000;
const statements = new Map<string, { count: number; ms: number }>();
type Query = (...args: unknown[]) => unknown;
const query = pg.Client.prototype.query as unknown as Query;
// Every statement of every client in this process is timed from send to result.
(pg.Client.prototype as unknown as { query: Query }).query = function timedQuery(this: unknown, ...args: unknown[]) {
  const first = args[0] as string | { text?: string };
  const key = (typeof first === 'string' ? first : (first.text ?? '?')).trim().replace(/\s+/g, ' ').slice(0, 40);
  const started = performance.now();
  const result = query.apply(this, args);
  if (result instanceof Promise) {
    result.then(
      () => {
        const entry = statements.get(key) ?? { count: 0, ms: 0 };
        entry.count += 1;
        entry.ms += performance.now() - started;
        statements.set(key, entry);
      },
      () => {},
    );
  }
  return result;
};

const database = await createPostgresDatabase('ferry_writer_probe');
const native = new pg.Pool({ connectionString: database.url, max: 2 });
const connection = createPostgresConnector().open(postgresConfiguration(database));
try {
  console.log(
    `load average: ${loadavg()
      .map((value) => value.toFixed(2))
      .join(' ')}`,
  );
  await native.query('create table contacts (email text primary key, full_name text, tier text, seats integer)');
  await native.query(
    'create table baseline_contacts (email text primary key, full_name text, tier text, seats integer)',
  );
  const batch = (index: number) =>
    Array.from({ length: batchSize }, (_, row) => ({
      email: `u${index * batchSize + row}@example.com`,
      full_name: `P ${row}`,
      tier: 'pro',
      seats: row % 50,
    }));

  let started = performance.now();
  for (let index = 0; index < batches; index += 1) {
    await baselineUpsert(native, 'baseline_contacts', batch(index));
  }
  const baselineMs = performance.now() - started;
  statements.clear();

  started = performance.now();
  for (let index = 0; index < batches; index += 1) {
    await connection.modelTarget!.write(createMockRunContext(), {
      objectId: 'public.contacts',
      operation: 'upsert',
      identity: ['email'],
      records: batch(index),
    });
  }
  const writerMs = performance.now() - started;
  console.log(
    `baseline: ${baselineMs.toFixed(0)} ms; modelTarget.write: ${writerMs.toFixed(0)} ms (${(baselineMs / writerMs).toFixed(2)} of the baseline's rows/s)`,
  );
  console.log('statements the writer sent (count, total ms, first words):');
  for (const [key, entry] of [...statements].sort((left, right) => right[1].ms - left[1].ms)) {
    console.log(`${String(entry.count).padStart(6)} ${entry.ms.toFixed(0).padStart(7)} ms  ${key}`);
  }
} finally {
  await connection.close();
  await native.end();
  await database.drop();
}
