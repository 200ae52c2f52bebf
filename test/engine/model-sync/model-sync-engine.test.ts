// The engine against the in-memory connector (source and target): diffing, every option, rejections,
// warnings, counts, console and record logs, cancel and plan errors. Real-target runs are in
// model-sync-postgres.test.ts and model-sync-webhook.test.ts.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { createInMemoryConnector, createInMemoryStore, type InMemoryStore } from '../../kit/in-memory-connector.ts';
import { createMockRunContext } from '../../kit/mock-run-context.ts';
import { runModelSync as runEngine } from '../../../src/engine/model-sync/model-sync-runner.ts';
import { createInMemoryStateStore } from '../../../src/engine/model-sync/state/in-memory-state-store.ts';
import { createGzipRecordLogWriter } from '../../../src/engine/record-logs/gzip-record-log-writer.ts';
import { readRecordLogFile } from '../../../src/engine/record-logs/record-log-reader.ts';
import type { ModelSyncPlan } from '../../../src/engine/model-sync/model-sync-plan.ts';
import type { StateStore } from '../../../src/engine/model-sync/state-store.ts';
import type { ModelTarget } from '../../../src/connectors/connector.ts';
import type { FieldDescription, Row } from '../../../src/connectors/records.ts';
import { diffPaths, interruptingStateStore, recordingConsoleLog, temporaryDirectory } from './model-sync-kit.ts';

/** The plan with its target's write wrapped: `wrap` gets the target's own write and returns the one to use. */
function withTargetWrite(
  base: ModelSyncPlan,
  wrap: (write: ModelTarget['write']) => ModelTarget['write'],
): ModelSyncPlan {
  const connection = base.target.connection;
  const target = connection.modelTarget!;
  return {
    ...base,
    target: {
      ...base.target,
      connection: {
        ...connection,
        modelTarget: { ...target, write: wrap((context, request) => target.write(context, request)) },
      },
    },
  };
}

const field = (id: string, nullable = true): FieldDescription => ({
  id,
  name: id,
  type: 'string',
  remote_type: 'text',
  is_primary_key: false,
  nullable,
});

function setup(rows: Row[]) {
  const store: InMemoryStore = createInMemoryStore(['model', 'crm']);
  store.get('model')!.set('people', { fields: ['id', 'email', 'name', 'plan'].map((id) => field(id)), rows });
  store.get('crm')!.set('contacts', {
    fields: [field('email', false), field('full_name', false), field('tier'), field('source')],
    rows: [],
  });
  const connector = createInMemoryConnector(store);
  const source = connector.open({ database: 'model' });
  const target = connector.open({ database: 'crm' });
  let execution = 0;
  const plan = (overrides: Partial<ModelSyncPlan> = {}): ModelSyncPlan => ({
    syncId: 'sync-1',
    executionId: `execution-${++execution}`,
    source: { connection: source, query: 'people' },
    target: { connection: target, objectId: 'contacts' },
    mode: 'updateOrCreate',
    identity: { source: { field: 'email' }, target: 'email', function: 'Equality' },
    fields: [
      { source: { field: 'name' }, target: 'full_name' },
      { source: { field: 'plan' }, target: 'tier' },
    ],
    ...overrides,
  });
  const model = store.get('model')!.get('people')!;
  const contacts = () =>
    [...store.get('crm')!.get('contacts')!.rows].sort((left, right) =>
      String(left.email).localeCompare(String(right.email)),
    );
  return { plan, model, contacts };
}

const people = (count: number) =>
  Array.from({ length: count }, (_, index) => ({
    id: index,
    email: `p${String(index).padStart(3, '0')}@x.com`,
    name: `Person ${index}`,
    plan: index % 2 ? 'pro' : 'free',
  }));

for (const path of diffPaths) {
  describe(`model-sync engine (in-memory connector, ${path.name})`, () => {
    // Every run of this suite takes the path under test unless a test says otherwise.
    const runModelSync: typeof runEngine = (context, plan, dependencies, options = {}) =>
      runEngine(
        context,
        plan,
        { stateCache: path.stateCache(), ...dependencies },
        { preloadStateKeys: path.preloadStateKeys, ...options },
      );
    test('updateOrCreate: backfill, then nothing, then only the changed and new rows', async () => {
      const { plan, model, contacts } = setup(people(25));
      const stateStore = createInMemoryStateStore();
      const first = await runModelSync(createMockRunContext(), plan(), { stateStore }, { batchSize: 10 });
      assert.equal(first.status, 'completed', first.error?.message);
      assert.deepEqual(first.counts, {
        insert: 25,
        update: 0,
        delete: 0,
        upserts: 25,
        error: 0,
        warnings: 0,
        total: 25,
      });
      assert.equal(contacts().length, 25);
      const second = await runModelSync(createMockRunContext(), plan(), { stateStore }, { batchSize: 10 });
      assert.deepEqual(second.counts, {
        insert: 0,
        update: 0,
        delete: 0,
        upserts: 0,
        error: 0,
        warnings: 0,
        total: 25,
      });
      model.rows[3].name = 'Renamed';
      model.rows.push({ id: 99, email: 'new@x.com', name: 'New', plan: 'pro' });
      const third = await runModelSync(createMockRunContext(), plan(), { stateStore }, { batchSize: 10 });
      assert.deepEqual({ insert: third.counts.insert, update: third.counts.update }, { insert: 1, update: 1 });
      assert.equal(contacts().find((row) => row.email === 'p003@x.com')?.full_name, 'Renamed');
      assert.equal(await stateStore.count('sync-1'), 26);
    });

    test('a rejected record goes to the error log, the run completes, and it is retried next run', async (t) => {
      const logs = temporaryDirectory('ferry-ms-');
      t.after(logs.remove);
      const rows = people(5);
      rows[2].name = null as unknown as string; // full_name is NOT NULL in the target
      const { plan, model, contacts } = setup(rows);
      const stateStore = createInMemoryStateStore();
      const recordLogs = createGzipRecordLogWriter({ directory: join(logs.path, 'one') });
      const result = await runModelSync(createMockRunContext(), plan(), { stateStore, recordLogs });
      assert.equal(result.status, 'completed');
      assert.equal(result.counts.insert, 4);
      assert.equal(result.counts.error, 1);
      const errors: unknown[] = [];
      for await (const entry of readRecordLogFile(join(logs.path, 'one'), result.logs.errors!.files[0]))
        errors.push(entry);
      assert.deepEqual(errors, [
        {
          code: 'constraint_violation',
          message: 'full_name must not be null',
          record: { email: 'p002@x.com', full_name: null, tier: 'free' },
        },
      ]);
      assert.equal(result.logs.inserts?.records, 4);
      assert.equal(result.logs.records?.records, 5);
      assert.equal(result.logs.updates, undefined, 'no file for a type without records');
      model.rows[2].name = 'Fixed';
      const again = await runModelSync(createMockRunContext(), plan(), { stateStore });
      assert.deepEqual({ insert: again.counts.insert, error: again.counts.error }, { insert: 1, error: 0 });
      assert.equal(contacts().length, 5);
    });

    test('sparse changes are queued across batches and sent in one write; a cancel or crash before it loses none', async () => {
      const { plan, model, contacts } = setup(people(50));
      const writes: number[] = [];
      const counting = (base: ModelSyncPlan): ModelSyncPlan =>
        withTargetWrite(base, (write) => async (context, request) => {
          writes.push(request.records.length);
          return write(context, request);
        });
      const stateStore = createInMemoryStateStore();
      await runModelSync(createMockRunContext(), counting(plan()), { stateStore }, { batchSize: 10 });
      assert.deepEqual(writes, [10, 10, 10, 10, 10], 'a backfill fills every send');
      for (const index of [3, 17, 33, 48]) model.rows[index]!.name = `Renamed ${index}`;

      // Canceled after 3 of 5 batches: the queued changes were neither sent nor recorded.
      writes.length = 0;
      const canceledContext = createMockRunContext();
      const canceling = interruptingStateStore(stateStore, {
        abortAfterCommits: 3,
        abort: () => canceledContext.abort(),
      });
      const canceled = await runModelSync(
        canceledContext,
        counting(plan()),
        { stateStore: canceling },
        { batchSize: 10 },
      );
      assert.equal(canceled.status, 'canceled');
      assert.deepEqual({ writes, update: canceled.counts.update }, { writes: [], update: 0 });

      // A crash after the write and before its state commit: the next run sends those changes again, and only those.
      const crashed = await runModelSync(
        createMockRunContext(),
        counting(plan()),
        { stateStore: interruptingStateStore(stateStore, { crashOnCommit: 6 }) },
        { batchSize: 10 },
      );
      assert.equal(crashed.status, 'failed');
      assert.deepEqual(writes, [4], 'five batches, one write of the four changes');
      writes.length = 0;
      const resumed = await runModelSync(createMockRunContext(), counting(plan()), { stateStore }, { batchSize: 10 });
      assert.deepEqual(
        { writes, update: resumed.counts.update, insert: resumed.counts.insert },
        { writes: [4], update: 4, insert: 0 },
      );
      assert.equal(contacts().find((row) => row.email === 'p033@x.com')?.full_name, 'Renamed 33');
      writes.length = 0;
      const quiet = await runModelSync(createMockRunContext(), counting(plan()), { stateStore }, { batchSize: 10 });
      assert.deepEqual({ writes, update: quiet.counts.update }, { writes: [], update: 0 });
    });

    test('a write that fails while the next batch was already worked: nothing of that batch is delivered or recorded; the next run sends exactly the rest', async (t) => {
      const logs = temporaryDirectory('ferry-ms-');
      t.after(logs.remove);
      const { plan, model, contacts } = setup(people(50));
      // p012 (batch 2) is refused by the target (NOT NULL): a rejection in a delivery the next batch overlaps.
      model.rows[12]!.name = null as unknown as string;
      const written: string[][] = [];
      let failThird = true;
      let workedBeside: number | undefined;
      const failing = (base: ModelSyncPlan, context: ReturnType<typeof createMockRunContext>): ModelSyncPlan =>
        withTargetWrite(base, (write) => async (runContext, request) => {
          if (written.length === 2 && failThird) {
            // Held until the engine has gone on to the next batch (it reports each batch it worked).
            const before = context.heartbeats.length;
            while (context.heartbeats.length === before) await new Promise((resolve) => setImmediate(resolve));
            workedBeside = context.heartbeats.length;
            throw new Error('the target went away');
          }
          written.push(request.records.map((record) => String(record.email)));
          return write(runContext, request);
        });
      const stateStore = createInMemoryStateStore();
      const context = createMockRunContext();
      const recordLogs = createGzipRecordLogWriter({ directory: join(logs.path, 'failed') });
      const failed = await runModelSync(
        context,
        failing(plan(), context),
        { stateStore, recordLogs },
        { batchSize: 10 },
      );
      assert.equal(failed.status, 'failed');
      assert.match(failed.error!.message, /the target went away/);
      assert.equal(workedBeside, 3, 'batch 4 was read and worked while the write of batch 3 was in flight');
      assert.equal(failed.counts.total, 40);
      // Batches 1 and 2 delivered (one record refused), batch 3 failed, batch 4 was queued and never sent.
      assert.deepEqual({ insert: failed.counts.insert, error: failed.counts.error }, { insert: 19, error: 1 });
      assert.equal(await stateStore.count('sync-1'), 19, 'state only for what the target accepted');
      assert.equal(contacts().length, 19);
      const records: Array<{ action: string; key: string }> = [];
      for (const file of failed.logs.records!.files)
        for await (const entry of readRecordLogFile(join(logs.path, 'failed'), file))
          records.push(entry as { action: string; key: string });
      assert.deepEqual(
        records.map((entry) => entry.action).sort(),
        [...Array.from({ length: 19 }, () => 'insert'), 'rejected'],
        'the records log holds the delivered batches only',
      );
      assert.equal(failed.logs.inserts?.records, 19);
      assert.equal(failed.logs.errors?.records, 1);

      failThird = false;
      written.length = 0;
      model.rows[12]!.name = 'Person 12';
      const resumed = await runModelSync(
        createMockRunContext(),
        failing(plan(), createMockRunContext()),
        { stateStore },
        { batchSize: 10 },
      );
      assert.equal(resumed.status, 'completed', resumed.error?.message);
      assert.deepEqual(
        written.flat().sort(),
        [
          'p012@x.com',
          ...people(50)
            .slice(20)
            .map((person) => person.email),
        ].sort(),
        'the refused record and batches 3 to 5, each once',
      );
      assert.deepEqual({ insert: resumed.counts.insert, error: resumed.counts.error }, { insert: 31, error: 0 });
      assert.equal(contacts().length, 50);
      assert.equal(await stateStore.count('sync-1'), 50);
    });

    test('a key whose delivery is in flight that comes again in the next batch is diffed against the state that delivery left', async () => {
      const rows = people(20);
      // p005 is in batch 1 and again in batch 2: once with the same values, once with others.
      rows[12] = { ...rows[5]!, id: 12 };
      rows[15] = { ...rows[5]!, id: 15, name: 'Later' };
      const { plan, contacts } = setup(rows);
      // Each write takes a while, so batch 2 is worked while batch 1's delivery is still in flight.
      const slow = withTargetWrite(plan(), (write) => async (context, request) => {
        await new Promise((resolve) => setTimeout(resolve, 20));
        return write(context, request);
      });
      const stateStore = createInMemoryStateStore();
      const result = await runModelSync(createMockRunContext(), slow, { stateStore }, { batchSize: 10 });
      assert.equal(result.status, 'completed', result.error?.message);
      // 18 distinct identities inserted once; the same p005 row again is unchanged, the other values an update.
      assert.deepEqual({ insert: result.counts.insert, update: result.counts.update }, { insert: 18, update: 1 });
      assert.equal(contacts().find((row) => row.email === 'p005@x.com')?.full_name, 'Later');
      assert.equal(await stateStore.count('sync-1'), 18);
    });

    test('a key queued for sending that comes again in a later batch is sent and recorded before that batch is diffed', async () => {
      const rows = people(30);
      const { plan, model, contacts } = setup(rows);
      const stateStore = createInMemoryStateStore();
      await runModelSync(createMockRunContext(), plan(), { stateStore }, { batchSize: 10 });
      // p005 changes in batch 1, and batch 3 holds a second row with the same identity and the same new values.
      model.rows[5]!.name = 'Renamed';
      model.rows[25] = { ...model.rows[5]!, id: 25 };
      const second = await runModelSync(createMockRunContext(), plan(), { stateStore }, { batchSize: 10 });
      assert.equal(second.status, 'completed', second.error?.message);
      // Diffed against the state the queued change left, the duplicate is unchanged: one update, not two; p025 left.
      assert.deepEqual({ update: second.counts.update, insert: second.counts.insert }, { update: 1, insert: 0 });
      assert.equal(contacts().find((row) => row.email === 'p005@x.com')?.full_name, 'Renamed');
    });

    test('rows met in the same order as last run: a row whose identity was delivered with other values since is not taken as unchanged', async () => {
      // Two rows share an identity in different batches; the later one wins. Once it leaves the model, the earlier
      // row's values must reach the target, though the run before last met that row with the very same values.
      const rows = people(30);
      rows[25] = { ...rows[5]!, id: 25, name: 'Later' };
      const { plan, model, contacts } = setup(rows);
      const stateStore = createInMemoryStateStore();
      for (let run = 0; run < 3; run += 1) {
        const result = await runModelSync(createMockRunContext(), plan(), { stateStore }, { batchSize: 10 });
        assert.equal(result.status, 'completed', result.error?.message);
        assert.equal(
          contacts().find((row) => row.email === 'p005@x.com')?.full_name,
          'Later',
          `run ${run + 1}: the later row wins`,
        );
      }
      model.rows.splice(25, 1);
      const after = await runModelSync(createMockRunContext(), plan(), { stateStore }, { batchSize: 10 });
      assert.equal(after.counts.update, 1, 'the earlier row is sent');
      assert.equal(contacts().find((row) => row.email === 'p005@x.com')?.full_name, 'Person 5');
      const quiet = await runModelSync(createMockRunContext(), plan(), { stateStore }, { batchSize: 10 });
      assert.deepEqual(
        { insert: quiet.counts.insert, update: quiet.counts.update, total: quiet.counts.total },
        { insert: 0, update: 0, total: 29 },
      );
    });

    test('rows met in another order, added or removed: each change is sent once, and nothing else', async () => {
      const { plan, model, contacts } = setup(people(40));
      const stateStore = createInMemoryStateStore();
      await runModelSync(createMockRunContext(), plan(), { stateStore }, { batchSize: 10 });
      await runModelSync(createMockRunContext(), plan(), { stateStore }, { batchSize: 10 });
      model.rows.reverse();
      model.rows.splice(10, 3);
      model.rows.splice(20, 0, { id: 100, email: 'new@x.com', name: 'New', plan: 'pro' });
      model.rows[30]!.name = 'Renamed';
      const changed = await runModelSync(createMockRunContext(), plan(), { stateStore }, { batchSize: 10 });
      assert.deepEqual(
        { insert: changed.counts.insert, update: changed.counts.update, total: changed.counts.total },
        { insert: 1, update: 1, total: 38 },
      );
      const quiet = await runModelSync(createMockRunContext(), plan(), { stateStore }, { batchSize: 10 });
      assert.deepEqual({ insert: quiet.counts.insert, update: quiet.counts.update }, { insert: 0, update: 0 });
      assert.equal(contacts().filter((row) => row.full_name === 'Renamed').length, 1);
      assert.equal(contacts().length, 41, 'rows leaving the model stay in the target in updateOrCreate');
    });

    test('the records log has one line per model row considered, with the action taken, unchanged rows included', async (t) => {
      const logs = temporaryDirectory('ferry-ms-');
      t.after(logs.remove);
      const { plan, model } = setup(people(6));
      const stateStore = createInMemoryStateStore();
      const filters: ModelSyncPlan['filters'] = [{ field: { field: 'id' }, function: 'Inequality', value: 5 }];
      const readRecords = async (name: string, result: { logs: { records?: { files: string[] } } }) => {
        const entries: Array<{ action: string; key?: string; record: Row }> = [];
        for await (const entry of readRecordLogFile(join(logs.path, name), result.logs.records!.files[0]!))
          entries.push(entry as (typeof entries)[number]);
        return entries;
      };
      const first = await runModelSync(
        createMockRunContext(),
        plan({ filters }),
        { stateStore, recordLogs: createGzipRecordLogWriter({ directory: join(logs.path, 'first') }) },
        { batchSize: 4 },
      );
      assert.deepEqual((await readRecords('first', first)).map((entry) => entry.action).sort(), [
        'filtered',
        'insert',
        'insert',
        'insert',
        'insert',
        'insert',
      ]);
      model.rows[1].name = 'Renamed';
      model.rows.push({ id: 6, email: 'p006@x.com', name: null as unknown as string, plan: 'free' }); // full_name is NOT NULL: rejected
      const second = await runModelSync(
        createMockRunContext(),
        plan({ filters }),
        { stateStore, recordLogs: createGzipRecordLogWriter({ directory: join(logs.path, 'second') }) },
        { batchSize: 4 },
      );
      const entries = await readRecords('second', second);
      assert.equal(entries.length, second.counts.total);
      const byEmail = Object.fromEntries(entries.map((entry) => [String(entry.record.email), entry]));
      assert.deepEqual(Object.fromEntries(Object.entries(byEmail).map(([email, entry]) => [email, entry.action])), {
        'p000@x.com': 'unchanged',
        'p001@x.com': 'update',
        'p002@x.com': 'unchanged',
        'p003@x.com': 'unchanged',
        'p004@x.com': 'unchanged',
        'p005@x.com': 'filtered',
        'p006@x.com': 'rejected',
      });
      assert.deepEqual(byEmail['p000@x.com'], {
        action: 'unchanged',
        key: '"p000@x.com"',
        record: { email: 'p000@x.com', full_name: 'Person 0', tier: 'free' },
      });
      assert.deepEqual(byEmail['p001@x.com']!.record, { email: 'p001@x.com', full_name: 'Renamed', tier: 'pro' });
    });

    test('skip_initial_backfill records the model without sending; later runs send only changes', async () => {
      const { plan, model, contacts } = setup(people(6));
      const stateStore = createInMemoryStateStore();
      const first = await runModelSync(createMockRunContext(), plan({ skip_initial_backfill: true }), { stateStore });
      assert.equal(first.status, 'completed');
      assert.equal(first.counts.insert + first.counts.update, 0);
      assert.equal(contacts().length, 0);
      assert.equal(await stateStore.count('sync-1'), 6);
      model.rows[0].plan = 'enterprise';
      const second = await runModelSync(createMockRunContext(), plan({ skip_initial_backfill: true }), { stateStore });
      assert.equal(second.counts.update, 1);
      assert.deepEqual(
        contacts().map((row) => row.tier),
        ['enterprise'],
      );
    });

    test('replace after a skipped backfill: rows that leave the model are deleted; a delete with no match counts as done', async () => {
      const { plan, model, contacts } = setup(people(5));
      const stateStore = createInMemoryStateStore();
      const first = await runModelSync(createMockRunContext(), plan({ mode: 'replace', skip_initial_backfill: true }), {
        stateStore,
      });
      assert.equal(first.counts.delete, 0, 'a skipped backfill deletes nothing');
      model.rows.splice(0, 2);
      model.rows[0].name = 'Changed';
      const second = await runModelSync(
        createMockRunContext(),
        plan({ mode: 'replace', skip_initial_backfill: true }),
        { stateStore },
      );
      assert.deepEqual(
        {
          insert: second.counts.insert,
          update: second.counts.update,
          delete: second.counts.delete,
          error: second.counts.error,
        },
        { insert: 0, update: 1, delete: 2, error: 0 },
      );
      assert.deepEqual(
        contacts().map((row) => row.email),
        ['p002@x.com'],
      );
      assert.equal(await stateStore.count('sync-1'), 3);
    });

    test('sync_all_records sends every row again', async () => {
      const { plan } = setup(people(4));
      const stateStore = createInMemoryStateStore();
      await runModelSync(createMockRunContext(), plan(), { stateStore });
      const forced = await runModelSync(createMockRunContext(), plan({ sync_all_records: true }), { stateStore });
      assert.deepEqual({ insert: forced.counts.insert, update: forced.counts.update }, { insert: 0, update: 4 });
    });

    test('filters with filter_logic, override fields and conditional overrides', async () => {
      const { plan, contacts } = setup(people(10));
      const result = await runModelSync(
        createMockRunContext(),
        plan({
          filters: [
            { field: { field: 'plan' }, function: 'Equality', value: 'pro' },
            { field: { field: 'id' }, function: 'LessThan', value: 5 },
            { field_type: 'Target', field_id: 'email', function: 'StringStartsWith', value: 'p008' },
          ],
          filter_logic: '(1 AND 2) OR 3',
          override_fields: [{ override_value: 'ferry', target: 'source' }],
          overrides: [{ field: { field: 'plan' }, function: 'Equality', value: 'pro', override: 'PRO' }],
        }),
        { stateStore: createInMemoryStateStore() },
      );
      assert.equal(result.counts.total, 10);
      assert.deepEqual(
        contacts().map((row) => [row.email, row.tier, row.source]),
        [
          ['p001@x.com', 'PRO', 'ferry'],
          ['p003@x.com', 'PRO', 'ferry'],
          ['p008@x.com', 'free', 'ferry'],
        ],
      );
    });

    test('ISubstring identity: case and spaces do not make a new record; empty identities are warnings', async () => {
      const rows = people(3);
      const { plan, model } = setup(rows);
      const stateStore = createInMemoryStateStore();
      const identity = { source: { field: 'email' }, target: 'email', function: 'ISubstring' as const };
      await runModelSync(createMockRunContext(), plan({ identity }), { stateStore });
      model.rows[0].email = ' P000@X.COM ';
      model.rows.push({ id: 7, email: null as unknown as string, name: 'No mail', plan: 'free' });
      const second = await runModelSync(createMockRunContext(), plan({ identity }), { stateStore });
      assert.equal(second.counts.insert, 0, 'same identity case-insensitively');
      assert.equal(second.counts.warnings, 1);
      assert.equal(await stateStore.count('sync-1'), 3);
    });

    test('duplicate identities in a batch: the later row wins, with a warning', async () => {
      const { plan, contacts } = setup([
        { id: 1, email: 'a@x', name: 'First', plan: 'free' },
        { id: 2, email: 'a@x', name: 'Second', plan: 'free' },
      ]);
      const result = await runModelSync(createMockRunContext(), plan(), { stateStore: createInMemoryStateStore() });
      assert.equal(result.counts.warnings, 1);
      assert.deepEqual(
        contacts().map((row) => row.full_name),
        ['Second'],
      );
    });

    test('console log: start, progress and finish with counts; heartbeats per batch', async () => {
      const { plan } = setup(people(30));
      const consoleLog = recordingConsoleLog();
      const context = createMockRunContext();
      let clock = 0;
      await runModelSync(
        context,
        plan(),
        { stateStore: createInMemoryStateStore(), consoleLog },
        {
          batchSize: 10,
          progressIntervalMs: 1000,
          now: () => {
            clock += 600;
            return new Date(clock);
          },
        },
      );
      const messages = consoleLog.entries.map((entry) => entry.message);
      assert.equal(messages[0], 'Model sync started (mode updateOrCreate)');
      assert.ok(
        messages.some((message) => /^Processed \d+ records$/.test(message)),
        messages.join(' | '),
      );
      assert.equal(messages.at(-1), 'Model sync completed');
      assert.equal(consoleLog.entries.at(-1)?.payload?.insert, 30);
      assert.ok(consoleLog.entries.every((entry) => entry.executionId === 'execution-1'));
      assert.ok(context.heartbeats.length >= 3);
    });

    test('cancel: an aborted signal ends the run as canceled, not retryable, state kept for what was sent', async () => {
      const { plan } = setup(people(50));
      const stateStore = createInMemoryStateStore();
      const context = createMockRunContext();
      const counting: StateStore = {
        ...stateStore,
        commit: async (syncId, change) => {
          const generation = await stateStore.commit(syncId, change);
          context.abort();
          return generation;
        },
      };
      const result = await runModelSync(context, plan(), { stateStore: counting }, { batchSize: 10 });
      assert.equal(result.status, 'canceled');
      assert.equal(result.error?.retryable, false);
      assert.equal(await stateStore.count('sync-1'), 10);
      assert.equal(await stateStore.baseline('sync-1'), undefined);
    });

    test('rowLimit (a test run): sends the first rows only, state for them, no replace deletions, no baseline', async () => {
      const { plan, model, contacts } = setup(people(25));
      const stateStore = createInMemoryStateStore();
      await runModelSync(createMockRunContext(), plan({ mode: 'replace', executionId: 'seed' }), { stateStore });
      model.rows.splice(20, 5);
      for (const row of model.rows) row.name = `${row.name}!`;
      const fresh = createInMemoryStateStore();
      const test = await runModelSync(
        createMockRunContext(),
        plan({ mode: 'replace', rowLimit: 10, syncId: 'sync-2' }),
        { stateStore: fresh },
        { batchSize: 4 },
      );
      assert.equal(test.status, 'completed', test.error?.message);
      assert.deepEqual(
        { total: test.counts.total, update: test.counts.update, delete: test.counts.delete },
        { total: 10, update: 0, delete: 0 },
      );
      assert.equal(test.counts.insert, 10, 'sync-2 had no state: its ten rows are new to it');
      assert.equal(await fresh.count('sync-2'), 10);
      assert.equal(await fresh.baseline('sync-2'), undefined);
      const limited = await runModelSync(createMockRunContext(), plan({ mode: 'replace', rowLimit: 3 }), {
        stateStore,
      });
      assert.deepEqual(
        { total: limited.counts.total, update: limited.counts.update, delete: limited.counts.delete },
        { total: 3, update: 3, delete: 0 },
      );
      assert.equal(contacts().length, 25, 'rows that left the model stay until a full run');
      const full = await runModelSync(createMockRunContext(), plan({ mode: 'replace' }), { stateStore });
      assert.deepEqual(
        { update: full.counts.update, delete: full.counts.delete },
        { update: 17, delete: 5 },
        'the test-run rows are not sent again',
      );
    });

    test('identities: only the rows whose identity value is listed; ISubstring ignores case; modes without identity refuse', async () => {
      const { plan, contacts } = setup(people(12));
      const stateStore = createInMemoryStateStore();
      const some = await runModelSync(
        createMockRunContext(),
        plan({ identities: ['p003@x.com', 'p011@x.com', 'absent@x.com'] }),
        { stateStore },
        { batchSize: 5 },
      );
      assert.deepEqual({ total: some.counts.total, insert: some.counts.insert }, { total: 2, insert: 2 });
      assert.deepEqual(
        contacts().map((row) => row.email),
        ['p003@x.com', 'p011@x.com'],
      );
      assert.equal(await stateStore.baseline('sync-1'), undefined);
      const caseless = await runModelSync(
        createMockRunContext(),
        plan({
          identities: [' P005@X.COM'],
          identity: { source: { field: 'email' }, target: 'email', function: 'ISubstring' },
        }),
        { stateStore },
      );
      assert.equal(caseless.counts.insert, 1);
      const refused = await runModelSync(
        createMockRunContext(),
        plan({ mode: 'append', identity: undefined, identities: ['p001@x.com'] }),
        { stateStore },
      );
      assert.equal(refused.error?.code, 'invalid_plan');
    });

    test('onProgress: the counts so far after each committed batch, deletions included', async () => {
      const { plan, model } = setup(people(25));
      const stateStore = createInMemoryStateStore();
      await runModelSync(createMockRunContext(), plan({ mode: 'replace' }), { stateStore });
      model.rows.splice(0, 3);
      const reports: Array<[number, number, number]> = [];
      await runModelSync(
        createMockRunContext(),
        plan({ mode: 'replace', sync_all_records: true }),
        { stateStore, onProgress: async (counts) => void reports.push([counts.total, counts.update, counts.delete]) },
        { batchSize: 10, progressReportIntervalMs: 0 },
      );
      // Without an interval, one report a batch, then one after the last queued changes are sent and one after the
      // deletions. A batch's changes are counted as the target accepts them, while the next batch is worked
      // (delivery-pipeline.ts), so a batch's report may not hold them yet; the counts only grow, and the last reports
      // hold every change.
      assert.deepEqual(
        reports.map(([total]) => total),
        [10, 20, 22, 22, 22],
      );
      for (let index = 1; index < reports.length; index += 1)
        assert.ok(reports[index]![1] >= reports[index - 1]![1] && reports[index]![1] <= reports[index]![0]);
      assert.deepEqual(reports.slice(-2), [
        [22, 22, 0],
        [22, 22, 3],
      ]);
    });

    test('onProgress: at most one call an interval on the run clock, unless delivered counts moved; the last one has the final counts', async () => {
      const { plan, model } = setup(people(25));
      const stateStore = createInMemoryStateStore();
      await runModelSync(createMockRunContext(), plan({ mode: 'updateOrCreate' }), { stateStore });
      model.rows[22]!.name = 'Renamed 22';
      let clockMs = Date.parse('2026-01-01T00:00:00Z');
      const reports: Array<[number, number]> = [];
      const result = await runModelSync(
        createMockRunContext(),
        plan({ mode: 'updateOrCreate' }),
        {
          stateStore,
          onProgress: async (counts) => {
            reports.push([counts.total, counts.update]);
            clockMs += 40; // each update takes 40 ms of the run's clock
          },
        },
        { batchSize: 5, progressReportIntervalMs: 100, now: () => new Date(clockMs) },
      );
      assert.equal(result.status, 'completed');
      // Five batches: the first report goes; the next ones fall within 100 ms of it (40 ms passed, and the clock stands
      // still) and wait, the latest replacing the others. The one change is sent at the end of the read: its report
      // goes at once, being the first with a delivered count.
      assert.deepEqual(reports, [
        [5, 0],
        [25, 1],
      ]);
    });

    test('plan errors fail fast and say why: filter_logic, identity function, mode the target lacks, unknown field', async () => {
      const { plan } = setup(people(1));
      const stateStore = createInMemoryStateStore();
      const failure = async (overrides: Partial<ModelSyncPlan>) =>
        (await runModelSync(createMockRunContext(), plan(overrides), { stateStore })).error;
      assert.match(
        (await failure({ filters: [{ field: { field: 'id' }, function: 'IsNull' }], filter_logic: '1 OR 2' }))!.message,
        /filter 2 does not exist/,
      );
      assert.equal(
        (await failure({ identity: { source: { field: 'email' }, target: 'email', function: 'DomainMatch' } }))!.code,
        'unsupported',
      );
      assert.equal((await failure({ identity: undefined }))!.code, 'invalid_plan');
      assert.match(
        (await failure({ fields: [{ source: { field: 'name' }, target: 'nickname' }] }))!.message,
        /no field nickname/,
      );
      assert.equal((await failure({ target: { ...plan().target, objectId: 'nope' } }))!.code, 'object_missing');
    });
  });
}
