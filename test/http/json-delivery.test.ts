// Delivery against a real local receiver that verifies signatures and answers from a script.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { deliverJson, type DeliveryOptions } from '../../src/http/json-delivery.ts';
import { verifyWebhookSignature } from '../../src/http/webhook-signature.ts';
import { createMockRunContext } from '../kit/mock-run-context.ts';
import { startUpstream, type UpstreamServer } from '../proxy/upstream-server.ts';

let receiver: UpstreamServer;
let script: { status: number; headers?: Record<string, string> }[] = [];
const verdicts: unknown[] = [];
const secret = 'whsec-test';

before(async () => {
  receiver = await startUpstream({
    '/hook': (request, response, body) => {
      verdicts.push(verifyWebhookSignature(secret, body, request.headers as Record<string, string>));
      const next = script.shift() ?? { status: 200 };
      response.writeHead(next.status, { 'content-type': 'application/json', ...next.headers }).end('{"ok":true}');
    },
  });
});
after(() => receiver.close());
beforeEach(() => {
  script = [];
  verdicts.length = 0;
});

function instant(delays: number[]): DeliveryOptions['sleep'] {
  return async (ms) => {
    delays.push(ms);
  };
}

test('retries 503 and 429 (honouring Retry-After) then delivers; every attempt is signed', async () => {
  script = [{ status: 503 }, { status: 429, headers: { 'retry-after': '7' } }, { status: 200 }];
  const delays: number[] = [];
  const seen: number[] = [];
  const result = await deliverJson(
    createMockRunContext(),
    {
      url: `${receiver.url}/hook`,
      payload: { records: [{ id: 1 }] },
      signingSecret: secret,
      headers: { 'x-extra': 'y' },
    },
    {
      sleep: instant(delays),
      random: () => 0.5,
      retry: { baseDelayMs: 100 },
      onAttempt: (attempt) => seen.push(attempt.status ?? 0),
    },
  );
  assert.equal(result.outcome, 'delivered');
  assert.deepEqual(seen, [503, 429, 200]);
  assert.deepEqual(delays, [50, 7000]);
  assert.deepEqual(verdicts, [{ ok: true }, { ok: true }, { ok: true }]);
  assert.equal(receiver.requests.at(-1)?.headers['x-extra'], 'y');
  assert.equal(receiver.requests.at(-1)?.body, '{"records":[{"id":1}]}');
});

test('a 400 is final: one attempt, outcome rejected', async () => {
  script = [{ status: 400 }];
  const result = await deliverJson(
    createMockRunContext(),
    { url: `${receiver.url}/hook`, payload: [] },
    { sleep: instant([]) },
  );
  assert.equal(result.outcome, 'rejected');
  assert.equal(result.attempts.length, 1);
  assert.equal(result.status, 400);
  assert.equal(result.responseBody, '{"ok":true}');
});

test('gives up after maxAttempts with exponential, capped backoff', async () => {
  script = Array.from({ length: 10 }, () => ({ status: 500 }));
  const delays: number[] = [];
  const result = await deliverJson(
    createMockRunContext(),
    { url: `${receiver.url}/hook`, payload: {} },
    { sleep: instant(delays), random: () => 0.999999, retry: { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 250 } },
  );
  assert.equal(result.outcome, 'exhausted');
  assert.equal(result.attempts.length, 4);
  assert.deepEqual(delays, [99, 199, 249]);
  assert.equal(result.attempts[3].retryInMs, undefined);
});

test('network errors are retried', async () => {
  const delays: number[] = [];
  const result = await deliverJson(
    createMockRunContext(),
    { url: 'http://127.0.0.1:1/hook', payload: {} },
    { sleep: instant(delays), retry: { maxAttempts: 3 } },
  );
  assert.equal(result.outcome, 'exhausted');
  assert.equal(result.attempts.length, 3);
  assert.ok(result.attempts.every((attempt) => attempt.error !== undefined && attempt.status === undefined));
});

test('aborting the run signal during backoff cancels the delivery promptly', async () => {
  script = [{ status: 503 }, { status: 503 }];
  const context = createMockRunContext();
  const started = Date.now();
  const pending = deliverJson(
    context,
    { url: `${receiver.url}/hook`, payload: {} },
    { retry: { baseDelayMs: 60_000, maxDelayMs: 60_000 }, random: () => 1 },
  );
  setTimeout(() => context.abort(), 100);
  const result = await pending;
  assert.equal(result.outcome, 'canceled');
  assert.equal(result.attempts.length, 1);
  assert.ok(Date.now() - started < 5_000);
});

test('binary values are sent as base64 strings', async () => {
  script = [{ status: 200 }];
  const result = await deliverJson(
    createMockRunContext(),
    { url: `${receiver.url}/hook`, payload: { records: [{ id: 1, blob: Buffer.from([0, 1, 254, 255]) }] } },
    { sleep: instant([]) },
  );
  assert.equal(result.outcome, 'delivered');
  assert.equal(receiver.requests.at(-1)?.body, '{"records":[{"id":1,"blob":"AAH+/w=="}]}');
});
