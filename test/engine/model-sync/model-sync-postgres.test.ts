// Every mode end to end: a PostgreSQL model (source table) into a PostgreSQL target table, with the
// change-detection state on a PostgreSQL metadata database; plus rejections and a crash replay.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import type { Connection } from '../../../src/connectors/connector.ts';
import { createPostgresConnector } from '../../../src/connectors/postgres/postgres-connector.ts';
import { runModelSync as runEngine } from '../../../src/engine/model-sync/model-sync-runner.ts';
import { createKyselyStateStore } from '../../../src/persistence/stores/kysely-state-store.ts';
import type { SyncMode } from '../../../src/engine/model-sync/model-sync-plan.ts';
import type { StateStore } from '../../../src/engine/model-sync/state-store.ts';
import { migrateToLatest } from '../../../src/persistence/migrate.ts';
import { createPostgresDatabase, postgresUnavailable, type ScratchDatabase } from '../../kit/services.ts';
import { createMockRunContext } from '../../kit/mock-run-context.ts';
import { freshDatabase, type FreshDatabase } from '../../persistence/dialects.ts';
import { postgresConfiguration } from '../../connectors/postgres-configuration-fixture.ts';
import { diffPaths, interruptingStateStore } from './model-sync-kit.ts';
import {
  contactOf,
  initialPeople,
  planFor,
  runModeScenario,
  sortContacts,
  type Contact,
  type Person,
  type ScenarioEnvironment,
} from './mode-scenarios.ts';

const unavailable = await postgresUnavailable();

for (const path of diffPaths) {
  describe(`model sync into a PostgreSQL target (${path.name})`, { skip: unavailable }, () => {
    // Every run of this suite takes the path under test unless a test says otherwise.
    const runModelSync: typeof runEngine = (context, plan, dependencies, options = {}) =>
      runEngine(
        context,
        plan,
        { stateCache: path.stateCache(), ...dependencies },
        { preloadStateKeys: path.preloadStateKeys, ...options },
      );
    let database: ScratchDatabase;
    let metadata: FreshDatabase;
    let native: pg.Pool;
    let source: Connection;
    let target: Connection;
    let stateStore: StateStore;
    let environment: ScenarioEnvironment;

    before(async () => {
      database = await createPostgresDatabase('ferry_model_sync');
      native = new pg.Pool({ connectionString: database.url, max: 2 });
      await native.query('create table people (id integer primary key, email text, name text, plan text)');
      await native.query('create table contacts (email text primary key, full_name text not null, tier text)');
      await native.query('create table events (email text, full_name text, tier text)');
      const connector = createPostgresConnector();
      source = connector.open(postgresConfiguration(database));
      target = connector.open(postgresConfiguration(database));
      metadata = await freshDatabase('postgres');
      await migrateToLatest(metadata.database);
      stateStore = createKyselyStateStore(metadata.database.db);
      const insertContacts = async (table: string, contacts: Contact[]) => {
        if (contacts.length > 0)
          await native.query(
            `insert into ${table} (email, full_name, tier) select * from jsonb_to_recordset($1::jsonb) as r(email text, full_name text, tier text)`,
            [JSON.stringify(contacts)],
          );
      };
      environment = {
        stateStore,
        model: {
          connection: source,
          query: 'select id, email, name, plan from people order by id',
          async replaceRows(people: Person[]) {
            await native.query('truncate people');
            await native.query(
              'insert into people select * from jsonb_to_recordset($1::jsonb) as r(id integer, email text, name text, plan text)',
              [JSON.stringify(people)],
            );
          },
        },
        target: {
          connection: target,
          objectId: (kind) => (kind === 'keyed' ? 'public.contacts' : 'public.events'),
          seed: (kind, contacts) => insertContacts(kind === 'keyed' ? 'contacts' : 'events', contacts),
          async read(kind) {
            return (
              await native.query(`select email, full_name, tier from ${kind === 'keyed' ? 'contacts' : 'events'}`)
            ).rows;
          },
          async reset() {
            await native.query('truncate contacts, events');
          },
        },
      };
    });

    after(async () => {
      await source?.close();
      await target?.close();
      await native?.end();
      await metadata?.dispose();
      await database?.drop();
    });

    const modes: SyncMode[] = ['updateOrCreate', 'replace', 'create', 'update', 'remove', 'append', 'snapshot'];
    for (const mode of modes) {
      test(`${mode}: backfill, change, killed run, restart; target exact, each change sent once`, async () => {
        const [first] = await runModeScenario(mode, environment, {}, path);
        if (mode === 'update')
          assert.equal(first.counts.warnings, 25, 'rows the target lacks are warnings, not errors');
      });
    }

    test('a record the table refuses (NOT NULL) is logged as an error; the rest commit', async () => {
      await environment.target.reset();
      const people = initialPeople().slice(0, 12);
      people[4] = { ...people[4], name: null as unknown as string };
      await environment.model.replaceRows(people);
      const result = await runModelSync(
        createMockRunContext(),
        { ...planFor('updateOrCreate', environment, 'reject-1'), syncId: 'sync-reject' },
        { stateStore },
        { batchSize: 5 },
      );
      assert.equal(result.status, 'completed');
      assert.deepEqual({ insert: result.counts.insert, error: result.counts.error }, { insert: 11, error: 1 });
      assert.equal((await environment.target.read('keyed')).length, 11);
    });

    test('a crash between the target write and the state commit re-sends that batch only; upserts absorb it', async () => {
      await environment.target.reset();
      await environment.model.replaceRows(initialPeople());
      const crashing = interruptingStateStore(stateStore, { crashOnCommit: 3 });
      const plan = (executionId: string) => ({
        ...planFor('updateOrCreate', environment, executionId),
        syncId: 'sync-crash',
      });
      // One batch a write, so the replay is one batch (a backfill may otherwise group five into one write).
      const options = { batchSize: 10, backfillBatchesPerWrite: 1 };
      const crashed = await runModelSync(createMockRunContext(), plan('crash-1'), { stateStore: crashing }, options);
      assert.equal(crashed.status, 'failed');
      assert.match(crashed.error!.message, /simulated crash/);
      assert.equal(crashed.counts.insert, 30, 'the third batch reached the target');
      const resumed = await runModelSync(createMockRunContext(), plan('crash-2'), { stateStore }, options);
      assert.equal(resumed.status, 'completed');
      assert.equal(resumed.counts.insert, 25, 'batch 3 (replayed) and batches 4 and 5');
      assert.deepEqual(
        sortContacts(await environment.target.read('keyed')),
        sortContacts(initialPeople().map(contactOf)),
      );
    });

    test('a backfill sends several batches a write (the target asks for 5,000 records); later runs one batch', async () => {
      await environment.target.reset();
      await environment.model.replaceRows(initialPeople());
      const writes: number[] = [];
      const inner = environment.target.connection.modelTarget!;
      assert.equal(inner.backfillWriteSize, 5000);
      const counting: Connection = {
        ...environment.target.connection,
        modelTarget: {
          ...inner,
          write: (context, request) => {
            writes.push(request.records.length);
            return inner.write(context, request);
          },
        },
      };
      const plan = (executionId: string) => ({
        ...planFor('updateOrCreate', environment, executionId),
        syncId: 'sync-grouped',
        target: { connection: counting, objectId: environment.target.objectId('keyed') },
      });
      const first = await runModelSync(createMockRunContext(), plan('grouped-1'), { stateStore }, { batchSize: 4 });
      assert.equal(first.status, 'completed', first.error?.message);
      // 45 rows in batches of 4: writes of 5 batches (20 records), then the last 5 rows.
      assert.deepEqual(writes, [20, 20, 5]);
      assert.equal(first.counts.insert, 45);
      assert.deepEqual(
        sortContacts(await environment.target.read('keyed')),
        sortContacts(initialPeople().map(contactOf)),
      );
      writes.length = 0;
      await environment.model.replaceRows(initialPeople().map((person) => ({ ...person, plan: 'enterprise' })));
      const second = await runModelSync(createMockRunContext(), plan('grouped-2'), { stateStore }, { batchSize: 4 });
      assert.equal(second.counts.update, 45);
      assert.deepEqual(writes, [...Array.from({ length: 11 }, () => 4), 1]);
      await stateStore.clear('sync-grouped');
    });
  });
}
