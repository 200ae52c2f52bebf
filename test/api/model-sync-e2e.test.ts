// Every model-sync mode end to end through the public API, into a real PostgreSQL table and into a webhook whose
// receiver checks each batch's HMAC-SHA256 signature: a first run, then a change to the model (three rows leave, one
// is renamed, two arrive) and a second run that sends only what the mode calls for. Counts come from
// GET …/executions/{id}; the target is read back. Runs on each metadata dialect this machine offers.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { availableDialects, call, startFerry, type TestFerry } from '../kit/ferry-server.ts';
import { postgresUnavailable } from '../kit/services.ts';
import {
  createExecutionWorld,
  createSync,
  person,
  range,
  runToCompletion,
  setPeople,
  sql,
  syncRequest,
  type ExecutionWorld,
  type Person,
} from './model-sync-execution-kit.ts';

type Counts = { insert: number; update: number; delete: number; warnings?: number };
type Target = 'postgres' | 'webhook';

/** The model after the change: 1–3 gone, 4 renamed, 26 and 27 new. */
const changedModel = (): Person[] => [{ ...person(4), name: 'Renamed' }, ...range(5, 27)];

interface ModeCase {
  mode: string;
  /** Target records before the first run (update and remove need something to act on). */
  seed?: Person[];
  first: Counts;
  second: Counts;
  /** The target's (email, full_name) after the second run. */
  expected: (into: Target) => Array<[string, string]>;
}

const pair = (people: Person[]): Array<[string, string]> => people.map((entry) => [entry.email, entry.name]);
const old = (people: Person[]) => people.map((entry) => ({ ...entry, name: `Old ${entry.id}` }));

const cases: ModeCase[] = [
  {
    mode: 'updateOrCreate',
    first: { insert: 25, update: 0, delete: 0 },
    second: { insert: 2, update: 1, delete: 0 },
    expected: () => pair([...range(1, 3), ...changedModel()]),
  },
  {
    mode: 'replace',
    first: { insert: 25, update: 0, delete: 0 },
    second: { insert: 2, update: 1, delete: 3 },
    expected: () => pair(changedModel()),
  },
  {
    mode: 'create',
    first: { insert: 25, update: 0, delete: 0 },
    second: { insert: 2, update: 0, delete: 0 },
    expected: () => pair(range(1, 27)),
  },
  {
    mode: 'update',
    seed: old(range(1, 25)),
    first: { insert: 0, update: 25, delete: 0 },
    // 26 and 27 have no record to update: warnings on PostgreSQL; a webhook cannot say so, so it counts them as updated.
    second: { insert: 0, update: 1, delete: 0, warnings: 2 },
    expected: () => pair([...range(1, 3), ...changedModel().slice(0, 22)]),
  },
  {
    mode: 'remove',
    seed: old(range(1, 30)),
    first: { insert: 0, update: 0, delete: 25 },
    second: { insert: 0, update: 0, delete: 2 },
    expected: () => pair(old(range(28, 30))),
  },
  {
    mode: 'append',
    first: { insert: 25, update: 0, delete: 0 },
    second: { insert: 3, update: 0, delete: 0 },
    expected: () => pair([...range(1, 25), ...changedModel().filter((entry) => entry.id === 4 || entry.id > 25)]),
  },
  {
    mode: 'snapshot',
    first: { insert: 25, update: 0, delete: 0 },
    second: { insert: 24, update: 0, delete: 0 },
    expected: () => pair([...range(1, 25), ...changedModel()]),
  },
];

const keyless = (mode: string) => mode === 'append' || mode === 'snapshot';
const byPair = (left: [string, string], right: [string, string]) =>
  `${left[0]} ${left[1]}`.localeCompare(`${right[0]} ${right[1]}`);

async function seedTarget(world: ExecutionWorld, into: Target, people: Person[]): Promise<void> {
  await sql(world.target, 'truncate contacts, contact_log restart identity');
  world.receiver.keyed.clear();
  world.receiver.appended.length = 0;
  for (const entry of people) {
    const record = { email: entry.email, full_name: entry.name, tier: entry.plan };
    if (into === 'webhook') world.receiver.keyed.set(entry.email, record);
    else await sql(world.target, 'insert into contacts values ($1, $2, $3)', [entry.email, entry.name, entry.plan]);
  }
}

async function readTarget(world: ExecutionWorld, into: Target, mode: string): Promise<Array<[string, string]>> {
  if (into === 'webhook') {
    const records = keyless(mode) ? world.receiver.appended : [...world.receiver.keyed.values()];
    return records.map((record) => [String(record.email), String(record.full_name)] as [string, string]).sort(byPair);
  }
  const rows = await sql(world.target, `select email, full_name from ${keyless(mode) ? 'contact_log' : 'contacts'}`);
  return rows.map((row) => [row.email, row.full_name] as [string, string]).sort(byPair);
}

const pick = (counts: Record<string, number>, expected: Counts) =>
  Object.fromEntries(Object.keys(expected).map((key) => [key, counts[key]]));

const dialects = (await postgresUnavailable()) ? [] : await availableDialects();

for (const dialect of dialects) {
  describe(`model sync end to end, every mode (${dialect} metadata)`, () => {
    let server: TestFerry;
    let world: ExecutionWorld;

    before(async () => {
      server = await startFerry(dialect, { FERRY_ALLOW_PRIVATE_UPSTREAMS: 'true' });
      world = await createExecutionWorld(server, []);
    });
    after(async () => {
      await server?.close();
      await world?.remove();
    });

    for (const into of ['postgres', 'webhook'] as const) {
      for (const modeCase of cases) {
        test(`${modeCase.mode} → ${into}: first run, then only the changes`, async () => {
          await setPeople(world.source, range(1, 25));
          await seedTarget(world, into, modeCase.seed ?? []);
          const syncId = await createSync(server, syncRequest(world, modeCase.mode, into));
          const first = await runToCompletion(server, syncId);
          assert.deepEqual(
            pick(first.counts, modeCase.first),
            modeCase.first,
            `${modeCase.mode} first run: ${JSON.stringify(first.counts)}`,
          );
          assert.equal(first.counts.total, 25);
          assert.equal(first.counts.error, 0);

          const deliveries = world.receiver.deliveries;
          const unchanged = await runToCompletion(server, syncId);
          const sent = unchanged.counts.insert + unchanged.counts.update + unchanged.counts.delete;
          if (modeCase.mode === 'snapshot') assert.equal(sent, 25, 'a snapshot writes the whole model every run');
          else {
            assert.equal(sent, 0, `an unchanged model sends nothing: ${JSON.stringify(unchanged.counts)}`);
            if (into === 'webhook') assert.equal(world.receiver.deliveries, deliveries, 'no batch was posted');
          }
          if (modeCase.mode === 'snapshot')
            await sql(world.target, 'delete from contact_log where seq > 25').then(() =>
              world.receiver.appended.splice(25),
            );

          await setPeople(world.source, changedModel());
          const second = await runToCompletion(server, syncId);
          const expectedSecond =
            into === 'webhook' && modeCase.mode === 'update'
              ? { insert: 0, update: 3, delete: 0, warnings: 0 }
              : modeCase.second;
          assert.deepEqual(
            pick(second.counts, expectedSecond),
            expectedSecond,
            `${modeCase.mode} second run: ${JSON.stringify(second.counts)}`,
          );
          assert.equal(second.counts.total, 24);
          assert.deepEqual(await readTarget(world, into, modeCase.mode), modeCase.expected(into).sort(byPair));
          assert.equal(world.receiver.unverified, 0, 'every webhook batch carried a valid signature');
        });
      }
    }

    test('the record logs and console log of a run are there for the log routes', async () => {
      await setPeople(world.source, range(1, 5));
      await seedTarget(world, 'postgres', []);
      const syncId = await createSync(server, syncRequest(world, 'updateOrCreate', 'postgres'));
      const execution = await runToCompletion(server, syncId);
      const row = await server.ferry.context.database.db
        .selectFrom('model_sync_executions')
        .select('record_logs')
        .where('id', '=', execution.id)
        .executeTakeFirstOrThrow();
      const index = JSON.parse(row.record_logs!) as Record<string, { records: number }>;
      assert.equal(index.inserts?.records, 5);
      assert.equal(index.records?.records, 5);
      const console = await server.ferry.context.database.db
        .selectFrom('execution_console_logs')
        .select('message')
        .where('execution_id', '=', execution.id)
        .orderBy('id')
        .execute();
      assert.equal(console[0]?.message, 'Model sync started (mode updateOrCreate)');
      assert.equal(console.at(-1)?.message, 'Model sync completed');
      const got = await call(server.url, 'GET', `/api/syncs/${syncId}/executions/${execution.id}`, {
        key: server.apiKey,
      });
      assert.equal(got.body.data.status, 'completed');
    });
  });
}
