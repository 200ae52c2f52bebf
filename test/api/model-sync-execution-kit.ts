// What the model-sync execution tests drive through the public API: a PostgreSQL model source (`people`), a
// PostgreSQL target (`contacts` keyed by email, `contact_log` with no key) and a signed webhook receiver that can be
// slowed down, all real; helpers to create the model and sync over HTTP and to wait for an execution.
import assert from 'node:assert/strict';
import pg from 'pg';
import { call, type TestFerry } from '../kit/ferry-server.ts';
import { createPostgresDatabase, type ScratchDatabase } from '../kit/services.ts';
import { verifyWebhookSignature } from '../../src/http/webhook-signature.ts';
import { startUpstream, type UpstreamServer } from '../proxy/upstream-server.ts';
import { createConnection, postgresConfiguration } from './connection-data-kit.ts';
import type { ReadBack } from '../kit/read-back.ts';

/** A Ferry reached over HTTP: a test server of the kit, or a `ferry serve` child process. */
export type FerryApi = Pick<TestFerry, 'url' | 'apiKey'>;

const webhookSecret = 'whsec_model_sync_executions';

export interface Person {
  id: number;
  email: string;
  name: string;
  plan: string;
}

export const person = (id: number, plan = id % 2 ? 'pro' : 'free'): Person => ({
  id,
  email: `p${String(id).padStart(5, '0')}@x.com`,
  name: `Person ${id}`,
  plan,
});

export async function sql(database: ScratchDatabase, text: string, values: unknown[] = []): Promise<ReadBack[]> {
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    return (await client.query(text, values)).rows;
  } finally {
    await client.end();
  }
}

/** Replaces the model's rows: ids `from`..`to`, or the given people. */
export async function setPeople(source: ScratchDatabase, people: Person[]): Promise<void> {
  await sql(source, 'truncate people');
  if (people.length === 0) return;
  await sql(source, 'insert into people select * from json_populate_recordset(null::people, $1)', [
    JSON.stringify(people),
  ]);
}

export const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, index) => person(from + index));

interface WebhookReceiver {
  url: string;
  /** The receiver's records by email (identity batches) and the appended ones (no identity). */
  keyed: Map<string, Record<string, unknown>>;
  appended: Record<string, unknown>[];
  deliveries: number;
  unverified: number;
  /** Milliseconds to wait before answering each batch. */
  delayMs: number;
  /** Batches received, answered or not. */
  received: number;
  /** The next this-many batches are answered 503 with Retry-After: 0 (so the sender retries at once). */
  failNext: number;
  /** Called with each batch's number (1-based) before it is applied; false leaves it unapplied and unanswered. */
  accept?: (batchNumber: number) => boolean;
  close(): Promise<void>;
}

/** A webhook that checks every batch's HMAC-SHA256 signature and applies it to its own store, idempotently by email. */
async function startWebhookReceiver(): Promise<WebhookReceiver> {
  let upstream: UpstreamServer;
  const receiver: WebhookReceiver = {
    url: '',
    keyed: new Map(),
    appended: [],
    deliveries: 0,
    unverified: 0,
    delayMs: 0,
    received: 0,
    failNext: 0,
    close: () => upstream.close(),
  };
  upstream = await startUpstream({
    '/hook': (request, response, body) => {
      if (!verifyWebhookSignature(webhookSecret, body, request.headers as Record<string, string>).ok) {
        receiver.unverified += 1;
        response.writeHead(401).end('bad signature');
        return;
      }
      const batch = JSON.parse(body) as {
        event?: string;
        object?: { id: string; name: string; records: Array<{ hash: string; fields: Record<string, unknown> }> };
        operation: string;
        identity: string[];
      };
      if (batch.event !== 'sync.records') {
        response.writeHead(200).end('{}'); // the connection test's { "event": "ferry.test" }
        return;
      }
      // What Polytomic's "Syncing to custom webhooks" guide tells a receiver to expect.
      const timestamp = String(request.headers['polytomic-signature-timestamp']);
      const polytomicShaped =
        request.headers.authorization === `Bearer ${webhookSecret}` &&
        request.headers['content-type'] === 'application/json' &&
        request.headers['content-encoding'] === 'gzip' &&
        /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(timestamp) &&
        Math.abs(Date.parse(timestamp) - Date.now()) < 5 * 60_000 &&
        typeof batch.object?.id === 'string' &&
        typeof batch.object.name === 'string' &&
        batch.object.records.every((record) => typeof record.hash === 'string' && typeof record.fields === 'object');
      if (!polytomicShaped) {
        receiver.unverified += 1;
        response.writeHead(400).end('not the shape Polytomic documents');
        return;
      }
      const records = batch.object!.records.map((record) => record.fields);
      receiver.received += 1;
      if (receiver.failNext > 0) {
        receiver.failNext -= 1;
        response.writeHead(503, { 'retry-after': '0' }).end('busy');
        return;
      }
      if (receiver.accept && !receiver.accept(receiver.received)) return;
      setTimeout(() => {
        receiver.deliveries += 1;
        for (const record of records) {
          const email = String(record.email);
          if (batch.identity.length === 0) receiver.appended.push(record);
          else if (batch.operation === 'delete') receiver.keyed.delete(email);
          else if (batch.operation === 'update') {
            if (receiver.keyed.has(email)) receiver.keyed.set(email, { ...receiver.keyed.get(email), ...record });
          } else if (batch.operation === 'insert') {
            if (!receiver.keyed.has(email)) receiver.keyed.set(email, record);
          } else receiver.keyed.set(email, { ...receiver.keyed.get(email), ...record });
        }
        if (!response.destroyed) response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      }, receiver.delayMs);
    },
  });
  receiver.url = `${upstream.url}/hook`;
  return receiver;
}

export interface ExecutionWorld {
  source: ScratchDatabase;
  target: ScratchDatabase;
  modelId: string;
  sourceConnectionId: string;
  targetConnectionId: string;
  webhookConnectionId: string;
  receiver: WebhookReceiver;
  remove(): Promise<void>;
}

export async function createExecutionWorld(server: FerryApi, people: Person[] = range(1, 25)): Promise<ExecutionWorld> {
  const source = await createPostgresDatabase('ferry_ms_source');
  const target = await createPostgresDatabase('ferry_ms_target');
  const receiver = await startWebhookReceiver();
  try {
    await sql(source, 'create table people (id int primary key, email text, name text, plan text)');
    await setPeople(source, people);
    await sql(target, 'create table contacts (email text primary key, full_name text, tier text)');
    await sql(target, 'create table contact_log (seq bigserial primary key, email text, full_name text, tier text)');
    const sourceConnectionId = await createConnection(
      server as TestFerry,
      'postgresql',
      postgresConfiguration(source),
      server.apiKey,
      'People',
    );
    const targetConnectionId = await createConnection(
      server as TestFerry,
      'postgresql',
      postgresConfiguration(target),
      server.apiKey,
      'Contacts',
    );
    const webhookConnectionId = await createConnection(
      server as TestFerry,
      'webhook',
      { url: receiver.url, secret: webhookSecret },
      server.apiKey,
      'Hook',
    );
    const model = await call(server.url, 'POST', '/api/models', {
      key: server.apiKey,
      body: {
        name: 'People',
        connection_id: sourceConnectionId,
        configuration: { query: 'select id, email, name, plan from people order by id' },
      },
    });
    assert.equal(model.status, 200, model.text);
    return {
      source,
      target,
      modelId: model.body.data.id,
      sourceConnectionId,
      targetConnectionId,
      webhookConnectionId,
      receiver,
      async remove() {
        await receiver.close();
        await source.drop();
        await target.drop();
      },
    };
  } catch (error) {
    await receiver.close();
    await source.drop();
    await target.drop();
    throw error;
  }
}

const keyless = new Set(['append', 'snapshot']);

/** A CreateSyncRequest from the model to the PostgreSQL target (contacts, or contact_log for keyless modes) or the webhook. */
export function syncRequest(
  world: ExecutionWorld,
  mode: string,
  into: 'postgres' | 'webhook',
  overrides: Record<string, unknown> = {},
) {
  const source = (field: string) => ({ field, model_id: world.modelId });
  const object = into === 'webhook' ? 'records' : keyless.has(mode) ? 'public.contact_log' : 'public.contacts';
  return {
    name: `People ${mode} → ${into}`,
    mode,
    active: true,
    schedule: { frequency: 'manual' },
    target: { connection_id: into === 'webhook' ? world.webhookConnectionId : world.targetConnectionId, object },
    fields: [
      { source: source('name'), target: 'full_name' },
      { source: source('plan'), target: 'tier' },
      ...(keyless.has(mode) ? [{ source: source('email'), target: 'email' }] : []),
    ],
    ...(keyless.has(mode) ? {} : { identity: { source: source('email'), target: 'email', function: 'Equality' } }),
    ...overrides,
  };
}

export async function createSync(
  server: FerryApi,
  body: Record<string, unknown>,
  key = server.apiKey,
): Promise<string> {
  const created = await call(server.url, 'POST', '/api/syncs', { key, body });
  assert.equal(created.status, 200, created.text);
  return created.body.data.id;
}

export async function startExecution(
  server: FerryApi,
  syncId: string,
  body: Record<string, unknown> = {},
): Promise<string> {
  const started = await call(server.url, 'POST', `/api/syncs/${syncId}/executions`, { key: server.apiKey, body });
  assert.equal(started.status, 200, started.text);
  return started.body.data.id;
}

const terminal = new Set(['completed', 'failed', 'canceled', 'interrupted']);

/** Polls GET …/executions/{id} until the execution is terminal (or `until` holds); returns it. */
export async function waitForExecution(
  url: string,
  key: string,
  syncId: string,
  executionId: string,
  options: { until?: (execution: ReadBack) => boolean; timeoutMs?: number } = {},
): Promise<ReadBack> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (;;) {
    const got = await call(url, 'GET', `/api/syncs/${syncId}/executions/${executionId}`, { key });
    assert.equal(got.status, 200, got.text);
    const execution = got.body.data;
    if (options.until ? options.until(execution) : terminal.has(execution.status)) return execution;
    if (Date.now() > deadline)
      assert.fail(`execution ${executionId} still ${execution.status} (${JSON.stringify(execution.counts)})`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Starts an execution and waits for it to finish; asserts it completed. */
export async function runToCompletion(
  server: FerryApi,
  syncId: string,
  body: Record<string, unknown> = {},
): Promise<ReadBack> {
  const id = await startExecution(server, syncId, body);
  const execution = await waitForExecution(server.url, server.apiKey, syncId, id);
  assert.equal(execution.status, 'completed', JSON.stringify(execution));
  return execution;
}

export async function contacts(
  world: ExecutionWorld,
): Promise<Array<{ email: string; full_name: string; tier: string }>> {
  return sql(world.target, 'select email, full_name, tier from contacts order by email');
}
