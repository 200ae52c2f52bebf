// Every mode end to end into a webhook: a local receiver verifies each batch's HMAC signature, then
// applies it to its own store (the target). The model is the in-memory connector; the state is on
// SQLite through Kysely. Besides the exact final target, the receiver's log shows that no change
// arrives twice, except the documented replay of the batch in flight at a crash.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Connection } from '../../../src/connectors/connector.ts';
import { createWebhookConnector } from '../../../src/connectors/webhook/webhook-connector.ts';
import { runModelSync as runEngine } from '../../../src/engine/model-sync/model-sync-runner.ts';
import { createKyselyStateStore } from '../../../src/persistence/stores/kysely-state-store.ts';
import type { SyncMode } from '../../../src/engine/model-sync/model-sync-plan.ts';
import type { StateStore } from '../../../src/engine/model-sync/state-store.ts';
import { verifyWebhookSignature } from '../../../src/http/webhook-signature.ts';
import { migrateToLatest } from '../../../src/persistence/migrate.ts';
import { createInMemoryConnector, createInMemoryStore } from '../../kit/in-memory-connector.ts';
import { createMockRunContext } from '../../kit/mock-run-context.ts';
import { freshDatabase, type FreshDatabase } from '../../persistence/dialects.ts';
import { startUpstream, type UpstreamServer } from '../../proxy/upstream-server.ts';
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

const secret = 'whsec_model_sync';

interface Receipt {
  operation: string;
  email: string;
  full_name?: string;
  delivery: number;
}

for (const path of diffPaths) {
  describe(`model sync into a webhook (${path.name})`, () => {
    // Every run of this suite takes the path under test unless a test says otherwise.
    const runModelSync: typeof runEngine = (context, plan, dependencies, options = {}) =>
      runEngine(
        context,
        plan,
        { stateCache: path.stateCache(), ...dependencies },
        { preloadStateKeys: path.preloadStateKeys, ...options },
      );
    let receiver: UpstreamServer;
    let metadata: FreshDatabase;
    let stateStore: StateStore;
    let source: Connection;
    let target: Connection;
    let environment: ScenarioEnvironment;
    const keyed = new Map<string, Contact>();
    const log: Contact[] = [];
    const receipts: Receipt[] = [];
    let unverified = 0;
    let deliveries = 0;
    /** Batches holding a record with this email are answered 400. */
    let poison: string | undefined;

    before(async () => {
      receiver = await startUpstream({
        '/hook': (request, response, body) => {
          if (!verifyWebhookSignature(secret, body, request.headers as Record<string, string>).ok) {
            unverified += 1;
            response.writeHead(401).end('bad signature');
            return;
          }
          // Polytomic's shape: { event: 'sync.records', object: { id, name, records: [{ hash, fields }] } }, plus
          // Ferry's operation and identity.
          const wire = JSON.parse(body) as {
            event: string;
            object: { id: string; name: string; records: { hash: string; fields: Contact }[] };
            operation: string;
            identity: string[];
          };
          assert.equal(wire.event, 'sync.records');
          const batch = { ...wire, records: wire.object.records.map((record) => record.fields) };
          if (poison && batch.records.some((record) => record.email === poison)) {
            response.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"poison record"}');
            return;
          }
          deliveries += 1;
          for (const record of batch.records) {
            receipts.push({
              operation: batch.operation,
              email: record.email,
              full_name: record.full_name,
              delivery: deliveries,
            });
            if (batch.identity.length === 0) log.push(record);
            else if (batch.operation === 'delete') keyed.delete(record.email);
            else if (batch.operation === 'update') {
              const existing = keyed.get(record.email);
              if (existing) keyed.set(record.email, { ...existing, ...record });
            } else if (batch.operation === 'insert') {
              if (!keyed.has(record.email)) keyed.set(record.email, record);
            } else keyed.set(record.email, { ...keyed.get(record.email), ...record });
          }
          response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
        },
      });
      metadata = await freshDatabase('sqlite');
      await migrateToLatest(metadata.database);
      stateStore = createKyselyStateStore(metadata.database.db);
      const memory = createInMemoryStore(['model']);
      memory.get('model')!.set('people', {
        fields: ['id', 'email', 'name', 'plan'].map((id) => ({
          id,
          name: id,
          type: 'string' as const,
          remote_type: 'text',
          is_primary_key: id === 'id',
          nullable: id !== 'id',
        })),
        rows: [],
      });
      source = createInMemoryConnector(memory).open({ database: 'model' });
      target = createWebhookConnector({ allowPrivateUpstreams: true, sleep: async () => {} }).open({
        url: `${receiver.url}/hook`,
        secret,
      });
      environment = {
        stateStore,
        model: {
          connection: source,
          query: 'people',
          async replaceRows(people: Person[]) {
            memory.get('model')!.get('people')!.rows = people.map((person) => ({ ...person }));
          },
        },
        target: {
          connection: target,
          objectId: () => 'records',
          async seed(kind, contacts) {
            for (const contact of contacts)
              kind === 'keyed' ? keyed.set(contact.email, { ...contact }) : log.push({ ...contact });
          },
          async read(kind) {
            return kind === 'keyed' ? [...keyed.values()] : [...log];
          },
          async reset() {
            keyed.clear();
            log.length = 0;
            receipts.length = 0;
          },
        },
      };
    });

    after(async () => {
      await target?.close();
      await source?.close();
      await receiver?.close();
      await metadata?.dispose();
    });

    // A webhook cannot say "no such record", so update mode counts every delivered record as updated.
    const adjustments: Partial<Record<SyncMode, Parameters<typeof runModeScenario>[2]>> = {
      update: { changesSent: { insert: 0, update: 4, delete: 0 } },
    };
    const modes: SyncMode[] = ['updateOrCreate', 'replace', 'create', 'update', 'remove', 'append', 'snapshot'];
    for (const mode of modes) {
      test(`${mode}: signed batches, killed run and restart; target exact; no change received twice`, async () => {
        await runModeScenario(mode, environment, adjustments[mode], path);
        assert.equal(unverified, 0, 'every batch carried a valid signature');
        if (mode === 'snapshot') return; // a snapshot resends the whole model by definition
        const seen = new Set<string>();
        for (const receipt of receipts) {
          const change = `${receipt.operation} ${receipt.email} ${receipt.full_name ?? ''}`;
          assert.ok(!seen.has(change), `${mode}: ${change} received twice`);
          seen.add(change);
        }
      });
    }

    test('documented replay: a crash after a delivered batch and before its state commit re-sends that batch once', async () => {
      await environment.target.reset();
      await environment.model.replaceRows(initialPeople());
      const plan = (executionId: string) => ({
        ...planFor('updateOrCreate', environment, executionId),
        syncId: 'sync-webhook-crash',
      });
      const crashed = await runModelSync(
        createMockRunContext(),
        plan('crash-1'),
        { stateStore: interruptingStateStore(stateStore, { crashOnCommit: 3 }) },
        { batchSize: 10 },
      );
      assert.equal(crashed.status, 'failed');
      const resumed = await runModelSync(createMockRunContext(), plan('crash-2'), { stateStore }, { batchSize: 10 });
      assert.equal(resumed.status, 'completed');
      const times = new Map<string, number>();
      for (const receipt of receipts) times.set(receipt.email, (times.get(receipt.email) ?? 0) + 1);
      const twice = [...times]
        .filter(([, count]) => count === 2)
        .map(([email]) => email)
        .sort();
      assert.deepEqual(
        twice,
        initialPeople()
          .slice(20, 30)
          .map((person) => person.email),
        'exactly the third batch is replayed',
      );
      assert.ok([...times.values()].every((count) => count <= 2));
      assert.deepEqual(sortContacts([...keyed.values()]), sortContacts(initialPeople().map(contactOf)));
    });

    test('a batch the webhook answers 400 fails the run, as in Polytomic; the next run sends what was not delivered', async () => {
      await environment.target.reset();
      await environment.model.replaceRows(initialPeople().slice(0, 15));
      poison = 'p07@x.com';
      try {
        const result = await runModelSync(
          createMockRunContext(),
          { ...planFor('updateOrCreate', environment, 'poison-1'), syncId: 'sync-webhook-poison' },
          { stateStore },
          { batchSize: 5 },
        );
        assert.equal(result.status, 'failed');
        assert.match(result.error?.message ?? '', /HTTP 400/);
        assert.equal(result.counts.insert, 5, 'the batch before the refused one was delivered');
      } finally {
        poison = undefined;
      }
      const retried = await runModelSync(
        createMockRunContext(),
        { ...planFor('updateOrCreate', environment, 'poison-2'), syncId: 'sync-webhook-poison' },
        { stateStore },
        { batchSize: 5 },
      );
      assert.deepEqual(
        { status: retried.status, insert: retried.counts.insert, error: retried.counts.error },
        { status: 'completed', insert: 10, error: 0 },
        'the next run sends the records the failed run did not deliver',
      );
    });
  });
}
