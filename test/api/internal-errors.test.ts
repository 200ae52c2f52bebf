// Unexpected failures: 500, the request id in the body and header, no stack trace, the error logged.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../../src/api/server.ts';
import { loadConfig } from '../../src/config.ts';
import { createFerry, type Ferry } from '../../src/ferry.ts';
import type { RouteDefinition } from '../../src/api/route.ts';

let ferry: Ferry;
let app: FastifyInstance;
let dataDir: string;
const logged: string[] = [];

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'ferry-500-'));
  const log = pino(
    { level: 'error' },
    new Writable({
      write: (chunk, _encoding, done) => {
        logged.push(String(chunk));
        done();
      },
    }),
  );
  ferry = await createFerry(
    loadConfig({
      FERRY_DATA_DIR: dataDir,
      FERRY_BOOTSTRAP_PARTNER_KEY: 'p-key-500',
      FERRY_BOOTSTRAP_API_KEY: 'a-key-500',
    }),
    { log },
  );
  const broken: RouteDefinition = {
    operationId: 'test.broken',
    method: 'GET',
    path: '/api/broken',
    summary: 'always fails',
    access: 'any',
    handler: async () => {
      throw new Error('secret internal detail at /srv/ferry/file.ts:42');
    },
  };
  app = await buildServer(ferry.context, { routes: [broken] });
});
after(async () => {
  await app.close();
  await ferry.close();
  rmSync(dataDir, { recursive: true, force: true });
});

test('an unexpected failure is a 500 naming the request id, with no stack or internal detail', async () => {
  const response = await app.inject({
    method: 'GET',
    url: '/api/broken',
    headers: { authorization: 'Bearer a-key-500' },
  });
  assert.equal(response.statusCode, 500);
  assert.equal(response.headers['x-polytomic-version'], '2025-09-18');
  const requestId = response.headers['x-request-id'] as string;
  const body = response.json();
  assert.deepEqual(body, {
    status: 500,
    message: `Internal server error (request id ${requestId}).`,
    key: 'internal',
    metadata: { request_id: requestId },
  });
  assert.ok(!response.body.includes('secret internal detail') && !response.body.includes('.ts:'));
  assert.ok(
    logged.some((line) => line.includes('secret internal detail') && line.includes(requestId)),
    'the cause is logged with the request id',
  );
});
