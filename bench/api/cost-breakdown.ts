// Where a Ferry request spends its CPU time, taken apart in one process with sequential calls (no sockets, no
// concurrency): the auth lookup alone and its parts, the entity lookup alone, and the whole request through
// Fastify's inject with and without the auth lookup, against a bare Fastify route sending the same JSON.
// Run: node --import tsx bench/api/cost-breakdown.ts [sqlite|postgres]   (LOG_LEVEL=warn, like bench/api)
import { mkdtempSync, rmSync } from 'node:fs';
import { systemClock } from '../../src/domain/clock.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import Fastify from 'fastify';
import { DummyDriver, Kysely, SqliteAdapter, SqliteDialect, SqliteIntrospector, SqliteQueryCompiler } from 'kysely';
import { buildServer } from '../../src/api/server.ts';
import { loadConfig } from '../../src/config.ts';
import { createFerry } from '../../src/ferry.ts';
import type { Database } from '../../src/persistence/schema.ts';
import { apiKeysRepository, hashApiKey } from '../../src/persistence/repositories/api-keys-repository.ts';
import { createPostgresDatabase, type ScratchDatabase } from '../../test/kit/services.ts';
import { formatCount, printTable } from '../lib/result-table.ts';
import { timeOperation, type OperationCost } from '../lib/time-operation.ts';

const dialect = process.argv[2] === 'postgres' ? 'postgres' : 'sqlite';
const iterations = Number(process.env.BENCH_ITERATIONS ?? 3000);
const dataDir = mkdtempSync(join(tmpdir(), 'ferry-bench-'));
const scratch: ScratchDatabase | undefined =
  dialect === 'postgres' ? await createPostgresDatabase('ferry_bench') : undefined;
const apiKey = 'bench-api-key-cost-breakdown';
const ferry = await createFerry(
  loadConfig({
    FERRY_DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    FERRY_BOOTSTRAP_API_KEY: apiKey,
    FERRY_BOOTSTRAP_PARTNER_KEY: 'bench-partner-key',
    DATABASE_URL: scratch?.url ?? '',
  }),
);
const costs: OperationCost[] = [];
const time = async (name: string, operation: () => unknown) =>
  costs.push(await timeOperation(name, operation, { iterations }));
const authorization = `Bearer ${apiKey}`;
const { userId, organizationId } = ferry.bootstrap!;
const closers: Array<() => Promise<void> | void> = [];

try {
  const { repositories, entities } = ferry.context;
  const principal = await repositories.apiKeys.findPrincipal(apiKey);
  if (!principal) throw new Error('bootstrap key not found');

  await time('sha256 of the key (hashApiKey)', () => hashApiKey(apiKey));
  // Kysely over a driver that runs nothing: building and compiling the query, and the driver round trip.
  const compileOnly = new Kysely<Database>({
    dialect: {
      createAdapter: () => new SqliteAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (db) => new SqliteIntrospector(db),
      createQueryCompiler: () => new SqliteQueryCompiler(),
    },
  });
  closers.push(() => compileOnly.destroy());
  await time('auth: Kysely build + compile only (DummyDriver)', () =>
    apiKeysRepository(compileOnly, systemClock).findPrincipal(apiKey),
  );
  await time(`auth: findPrincipal as Ferry runs it (${dialect})`, () => repositories.apiKeys.findPrincipal(apiKey));

  if (dialect === 'sqlite') {
    // The same queries on a second handle to the same file, with prepare() memoized by SQL text: the part of
    // findPrincipal that is better-sqlite3 compiling the same statement again on every call.
    const raw = new SQLite(join(dataDir, 'ferry.db'), { readonly: true });
    closers.push(() => void raw.close());
    const statements = new Map<string, SQLite.Statement>();
    const cached = new Proxy(raw, {
      get(target, property) {
        if (property === 'prepare') {
          return (sql: string) => statements.get(sql) ?? statements.set(sql, target.prepare(sql)).get(sql)!;
        }
        const value = Reflect.get(target, property, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const cachedDb = new Kysely<Database>({ dialect: new SqliteDialect({ database: cached }) });
    closers.push(() => cachedDb.destroy());
    await time('auth: findPrincipal, statements cached', () =>
      apiKeysRepository(cachedDb, systemClock).findPrincipal(apiKey),
    );
    const sql = [...statements.keys()][0]!;
    const statement = raw.prepare(sql);
    await time('auth: better-sqlite3 prepare() of that SQL alone', () => raw.prepare(sql));
    await time('auth: better-sqlite3 cached statement .get() alone', () => statement.get(hashApiKey(apiKey)));
  }

  await time('entity lookup of a user (entities.lookup)', () =>
    entities.lookup(userId, { kind: 'organization', organizationId }),
  );

  const meBody = (await ferry.app.inject({ method: 'GET', url: '/api/me', headers: { authorization } })).body;
  const entityBody = (
    await ferry.app.inject({ method: 'GET', url: `/api/entities/${userId}`, headers: { authorization } })
  ).body;
  const bare = Fastify();
  bare.get('/api/me', async (_request, reply) => reply.type('application/json; charset=utf-8').send(meBody));
  bare.get('/api/entities/:id', async (_request, reply) =>
    reply.type('application/json; charset=utf-8').send(entityBody),
  );
  closers.push(() => bare.close());
  // Ferry's own pipeline with an auth lookup that costs nothing: the principal is returned from memory.
  const freeAuth = await buildServer({
    ...ferry.context,
    repositories: { ...repositories, apiKeys: { ...repositories.apiKeys, findPrincipal: async () => principal } },
  });
  closers.push(() => freeAuth.close());

  await time('request: bare Fastify GET /api/me (inject)', () => bare.inject({ method: 'GET', url: '/api/me' }));
  await time('request: Ferry GET /api/me, auth from memory (inject)', () =>
    freeAuth.inject({ method: 'GET', url: '/api/me', headers: { authorization } }),
  );
  await time('request: Ferry GET /api/me (inject)', () =>
    ferry.app.inject({ method: 'GET', url: '/api/me', headers: { authorization } }),
  );
  await time('request: bare Fastify GET /api/entities/{id} (inject)', () =>
    bare.inject({ method: 'GET', url: `/api/entities/${userId}` }),
  );
  await time('request: Ferry GET /api/entities/{id} (inject)', () =>
    ferry.app.inject({ method: 'GET', url: `/api/entities/${userId}`, headers: { authorization } }),
  );

  printTable(
    `Ferry request cost breakdown, ${dialect}: lowest of 5 rounds of ${formatCount(iterations)} sequential calls (${new Date().toISOString().slice(0, 10)}, node ${process.version})`,
    [
      { header: 'operation', cell: (row) => row.name },
      // Process CPU includes V8's helper threads (concurrent GC, compilation), so it can exceed wall time; wall
      // time includes waiting for a core on a busy machine. The lowest round of each is shown.
      { header: 'process CPU µs/call', cell: (row) => row.cpuMicros.toFixed(1), align: 'right' },
      { header: 'wall µs/call', cell: (row) => row.wallMicros.toFixed(1), align: 'right' },
    ],
    costs,
  );
} finally {
  for (const close of closers.reverse()) await close();
  await ferry.close();
  await scratch?.drop();
  rmSync(dataDir, { recursive: true, force: true });
}
