// GET of bulk syncs, model syncs and connections (one and lists) answer JSON kept per row and version
// (src/api/wire-json-cache.ts). Three servers share one metadata database (SQLite data dir, or PostgreSQL): two
// with the cache and one without it, the reference. After every kind of write, through either server or straight
// into the database, each server answers byte for byte what the reference answers, in every version, and the
// affected answers changed. The clock is frozen, so updated_at never changes: nothing relies on it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import Database from 'better-sqlite3';
import pg from 'pg';
import { loadConfig } from '../../src/config.ts';
import { createFerry, type Ferry } from '../../src/ferry.ts';
import { createLogger } from '../../src/logger.ts';
import { apiVersions } from '../../src/api/versioning/versions.ts';
import { availableDialects, call, type TestFerry } from '../kit/ferry-server.ts';
import { createFakeClock } from '../kit/fake-clock.ts';
import { createPostgresDatabase, type ScratchDatabase } from '../kit/services.ts';
import { createModelSyncWorld, syncBody, type ModelSyncWorld } from './model-sync-kit.ts';

const secrets = ['api-token-secret', 'key-in-url-secret'];

/** An HTTP API configuration with a secret in its URL and in its auth header, which no answer may show. */
const partnerApi = (path: string, healthcheck: string) => ({
  url: `https://user:key-in-url-secret@api.example.invalid/${path}`,
  auth: { header: { name: 'Authorization', value: 'Bearer api-token-secret' } },
  healthcheck,
});

for (const dialect of await availableDialects()) {
  describe(`cached resource reads (${dialect} metadata)`, () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ferry-cached-reads-'));
    const apiKey = `cached-reads-${randomUUID()}`;
    const partnerKey = `${apiKey}-partner`;
    const clock = createFakeClock('2026-03-01T00:00:00.000Z');
    let metadata: ScratchDatabase | undefined;
    const servers: Record<'a' | 'b' | 'reference', { ferry: Ferry; url: string }> = {} as never;
    let world: ModelSyncWorld;
    const ids = { bulkSync: '', modelSync: '', otherModelSync: '', connection: '', schedule: '' };

    const start = async (cacheMb?: string) => {
      const config = loadConfig(
        {
          FERRY_DATA_DIR: dataDir,
          DATABASE_URL: metadata?.url ?? '',
          PORT: '0',
          HOST: '127.0.0.1',
          FERRY_BOOTSTRAP_PARTNER_KEY: partnerKey,
          FERRY_BOOTSTRAP_API_KEY: apiKey,
          FERRY_SCHEDULER: 'false',
          // The entity and credential caches are not what this test is about.
          ...(cacheMb === undefined ? {} : { FERRY_WIRE_CACHE_MB: cacheMb }),
        },
        { worker: false },
      );
      const ferry = await createFerry(config, { log: createLogger('silent'), clock });
      return { ferry, url: await ferry.listen() };
    };

    const paths = () => [
      `/api/bulk/syncs/${ids.bulkSync}`,
      `/api/syncs/${ids.modelSync}`,
      `/api/connections/${ids.connection}`,
      '/api/bulk/syncs',
      '/api/syncs',
      '/api/syncs?limit=1',
      '/api/connections',
    ];

    /** Every path in every version: `<version> <path>` → status and body text. */
    async function readAll(url: string, key = apiKey): Promise<Map<string, string>> {
      const texts = new Map<string, string>();
      for (const version of apiVersions)
        for (const path of paths()) {
          const response = await call(url, 'GET', path, { key, version });
          texts.set(
            `${version} ${path}`,
            `${response.status} ${response.headers.get('content-type')} ${response.text}`,
          );
        }
      return texts;
    }

    /** What the reference answers; both cached servers answer the same twice over (a miss, then a hit). */
    async function agreed(): Promise<Map<string, string>> {
      const reference = await readAll(servers.reference.url);
      for (const name of ['a', 'b'] as const)
        for (let round = 0; round < 2; round++) {
          const answered = await readAll(servers[name].url);
          for (const [key, text] of reference) assert.equal(answered.get(key), text, `${name}, round ${round}: ${key}`);
        }
      for (const text of reference.values()) for (const secret of secrets) assert.ok(!text.includes(secret), secret);
      return reference;
    }

    /** The keys (version and path) whose answer differs between two readings. */
    const changed = (before: Map<string, string>, after: Map<string, string>) =>
      [...before.keys()].filter((key) => before.get(key) !== after.get(key));

    /**
     * Every version's answers for these paths changed, and nothing else did but the one-sync page: with the clock
     * frozen the two model syncs tie on updated_at, so which one it shows depends on their ids.
     */
    function assertChanged(before: Map<string, string>, after: Map<string, string>, changedPaths: string[]) {
      const mayChange = (key: string) => key === '2025-09-18 /api/syncs?limit=1';
      const expected = apiVersions
        .flatMap((version) => changedPaths.map((path) => `${version} ${path}`))
        .filter((key) => !mayChange(key));
      assert.deepEqual(
        changed(before, after)
          .filter((key) => !mayChange(key))
          .sort(),
        expected.sort(),
      );
    }

    before(async () => {
      if (dialect === 'postgres') metadata = await createPostgresDatabase('ferry_cached_reads');
      servers.a = await start();
      servers.b = await start();
      servers.reference = await start('0');
      const server = {
        ferry: servers.a.ferry,
        url: servers.a.url,
        apiKey,
        partnerKey,
        organizationId: servers.a.ferry.bootstrap!.organizationId,
      } as TestFerry;
      world = await createModelSyncWorld(server);
      const post = async (path: string, body: unknown) => {
        const response = await call(servers.a.url, 'POST', path, { key: apiKey, body });
        assert.equal(response.status, 200, response.text);
        return response.body.data;
      };
      const bulkSync = await post('/api/bulk/syncs', {
        name: 'Nightly copy',
        source_connection_id: world.sourceConnectionId,
        destination_connection_id: world.targetConnectionId,
        destination_configuration: {},
        default_schedule: { frequency: 'daily', hour: '01', minute: '00' },
        additional_schedules: [
          { frequency: 'weekly', day_of_week: 'sunday', hour: '03', minute: '00', resync_mode: 'rebuild' },
        ],
      });
      ids.bulkSync = bulkSync.id;
      // The default schedule: older versions show it (as `schedule`), not the additional ones.
      ids.schedule = bulkSync.default_schedule.id;
      ids.modelSync = (await post('/api/syncs', syncBody(world))).id;
      ids.otherModelSync = (await post('/api/syncs', syncBody(world, { name: 'Second sync' }))).id;
      ids.connection = (
        await post('/api/connections', {
          name: 'Partner API',
          type: 'api',
          configuration: partnerApi('v1', '/health'),
        })
      ).id;
    });
    after(async () => {
      for (const server of Object.values(servers)) await server.ferry.close();
      world?.remove();
      await metadata?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    });

    const put = async (server: 'a' | 'b', path: string, body: unknown, version?: string) => {
      const response = await call(servers[server].url, 'PUT', path, { key: apiKey, body, version });
      assert.equal(response.status, 200, response.text);
      return response.body.data;
    };
    const bulkPath = () => `/api/bulk/syncs/${ids.bulkSync}`;
    const bulkPaths = () => [bulkPath(), '/api/bulk/syncs'];
    const modelPaths = () => [`/api/syncs/${ids.modelSync}`, '/api/syncs', '/api/syncs?limit=1'];

    test('every version answers as it did without the cache; versions differ where they should', async () => {
      const answers = await agreed();
      const bulk = (version: string) =>
        JSON.parse(answers.get(`${version} ${bulkPath()}`)!.split(' ').slice(3).join(' '));
      assert.ok(bulk('2025-09-18').data.default_schedule);
      assert.equal(bulk('2025-09-18').data.schedule, undefined);
      assert.ok(bulk('2024-02-08').data.schedule);
      assert.equal(bulk('2024-02-08').data.default_schedule, undefined);
    });

    test('a PUT of a bulk sync through the other server shows in the one and the list', async () => {
      const before = await agreed();
      const current = await call(servers.a.url, 'GET', bulkPath(), { key: apiKey });
      const {
        id: _id,
        organization_id: _o,
        created_at: _c,
        created_by: _cb,
        updated_at: _u,
        updated_by: _ub,
        ...body
      } = current.body.data;
      await put('b', bulkPath(), { ...body, name: 'Renamed copy' });
      assertChanged(before, await agreed(), bulkPaths());
    });

    test('a schedule changed through the schedules sub-resource shows in the sync', async () => {
      const before = await agreed();
      await put('a', `${bulkPath()}/schedules/${ids.schedule}`, {
        schedule: { frequency: 'daily', hour: '06', minute: '15' },
      });
      assertChanged(before, await agreed(), bulkPaths());
    });

    test('activating a bulk sync and a model sync shows in both', async () => {
      let before = await agreed();
      const off = await call(servers.b.url, 'POST', `${bulkPath()}/activate`, { key: apiKey, body: { active: false } });
      assert.equal(off.status, 200, off.text);
      assertChanged(before, await agreed(), bulkPaths());
      before = await agreed();
      const modelOff = await call(servers.a.url, 'POST', `/api/syncs/${ids.modelSync}/activate`, {
        key: apiKey,
        body: { active: false },
      });
      assert.equal(modelOff.status, 200, modelOff.text);
      assertChanged(before, await agreed(), modelPaths());
    });

    test('a PUT of a model sync (2024-02-08 body) shows in every version', async () => {
      const before = await agreed();
      await put('b', `/api/syncs/${ids.modelSync}`, syncBody(world, { name: 'Renamed sync' }), '2024-02-08');
      assertChanged(before, await agreed(), modelPaths());
    });

    test('a connection renamed and reconfigured shows, its secrets never do', async () => {
      const path = `/api/connections/${ids.connection}`;
      let before = await agreed();
      await put('a', path, { name: 'Partner API, renamed', configuration: partnerApi('v1', '/health') });
      assertChanged(before, await agreed(), [path, '/api/connections']);
      before = await agreed();
      await put('b', path, { name: 'Partner API, renamed', configuration: partnerApi('v2', '/status') });
      assertChanged(before, await agreed(), [path, '/api/connections']);
    });

    test('a proxy call recorded by another server changes the count of calls both show (not in the revision)', async () => {
      const path = `/api/connections/${ids.connection}`;
      const before = await agreed();
      await servers.reference.ferry.context.repositories.proxyCalls.record({
        proxyCallId: randomUUID(),
        connectionId: ids.connection,
        organizationId: servers.a.ferry.bootstrap!.organizationId,
        method: 'GET',
        path: '/v1/things',
        status: 200,
        upstream: true,
        durationMs: 3,
        requestBytes: 0,
        responseBytes: 2,
        truncated: false,
        at: clock.now().toISOString(),
      });
      const after = await agreed();
      assertChanged(before, after, [path, '/api/connections']);
      assert.match(after.get(`2025-09-18 ${path}`)!, /"api_calls_last_24_hours":1\b/);
    });

    test('a write straight into the database (another process, no updated_at change) shows at once', async () => {
      const before = await agreed();
      const statement = "update bulk_syncs set name = 'Changed by hand' where id = $1";
      if (metadata) {
        const client = new pg.Client({ connectionString: metadata.url });
        await client.connect();
        await client.query(statement, [ids.bulkSync]);
        await client.end();
      } else {
        const database = new Database(join(dataDir, 'ferry.db'));
        database.prepare(statement.replace('$1', '?')).run(ids.bulkSync);
        database.close();
      }
      assertChanged(before, await agreed(), bulkPaths());
    });

    test('a write by another process, of a model sync and a connection, shows at once', async () => {
      const before = await agreed();
      const statements = [
        "update model_syncs set name = 'Renamed by another process' where id = ?",
        "update connections set name = 'Renamed by another process' where id = ?",
      ];
      const params = [ids.modelSync, ids.connection];
      // Another OS process: on SQLite nothing of this one's connection sees it coming but the database itself.
      const script = metadata
        ? `import pg from 'pg';
           const client = new pg.Client(${JSON.stringify(metadata.url)});
           await client.connect();
           const statements = ${JSON.stringify(statements.map((text) => text.replace('?', '$1')))};
           const params = ${JSON.stringify(params)};
           for (let index = 0; index < statements.length; index++) await client.query(statements[index], [params[index]]);
           await client.end();`
        : `import Database from 'better-sqlite3';
           const db = new Database(${JSON.stringify(join(dataDir, 'ferry.db'))});
           const statements = ${JSON.stringify(statements)};
           const params = ${JSON.stringify(params)};
           for (let index = 0; index < statements.length; index++) db.prepare(statements[index]).run(params[index]);
           db.close();`;
      const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
      assert.equal(child.status, 0, child.stderr);
      const after = await agreed();
      assertChanged(before, after, [
        `/api/syncs/${ids.modelSync}`,
        '/api/syncs',
        '/api/syncs?limit=1',
        `/api/connections/${ids.connection}`,
        '/api/connections',
      ]);
      assert.match(after.get(`2025-09-18 /api/syncs/${ids.modelSync}`)!, /Renamed by another process/);
    });

    test('another organization asking for ids whose answers are kept gets 404', async () => {
      await agreed();
      const organizationId = (
        await call(servers.a.url, 'POST', '/api/organizations', { key: partnerKey, body: { name: 'Elsewhere' } })
      ).body.data.id;
      const userId = (
        await call(servers.a.url, 'POST', `/api/organizations/${organizationId}/users`, {
          key: partnerKey,
          body: { email: `elsewhere-${randomUUID()}@cached.example` },
        })
      ).body.data.id;
      const key = (
        await call(servers.a.url, 'POST', `/api/organizations/${organizationId}/users/${userId}/keys`, {
          key: partnerKey,
        })
      ).body.data.value;
      for (const name of ['a', 'b'] as const)
        for (const path of paths().slice(0, 3))
          for (const version of apiVersions) {
            const response = await call(servers[name].url, 'GET', path, { key, version });
            assert.equal(response.status, 404, `${name} ${version} ${path}: ${response.text}`);
          }
    });

    test('a user who may read nothing sees none of what the cache holds', async () => {
      await agreed();
      // A custom role that no policy grants anything.
      const role = await call(servers.a.url, 'POST', '/api/permissions/roles', {
        key: apiKey,
        body: { name: `Nothing ${randomUUID()}` },
      });
      assert.equal(role.status, 200, role.text);
      const user = await call(
        servers.a.url,
        'POST',
        `/api/organizations/${servers.a.ferry.bootstrap!.organizationId}/users`,
        {
          key: partnerKey,
          body: { email: `nobody-${randomUUID()}@cached.example`, role_ids: [role.body.data.id] },
        },
      );
      assert.equal(user.status, 200, user.text);
      const key = await call(
        servers.a.url,
        'POST',
        `/api/organizations/${servers.a.ferry.bootstrap!.organizationId}/users/${user.body.data.id}/keys`,
        { key: partnerKey },
      );
      assert.equal(key.status, 200, key.text);
      for (const name of ['a', 'b'] as const) {
        const answers = await readAll(servers[name].url, key.body.data.value);
        for (const [where, text] of answers) {
          const [status] = text.split(' ');
          if (
            where.includes('/api/bulk/syncs/') ||
            where.includes('/api/syncs/') ||
            where.includes('/api/connections/')
          )
            assert.notEqual(status, '200', `${name} ${where}: ${text}`);
          else if (status === '200') assert.match(text, /"data":\[\]/, `${name} ${where}`);
        }
      }
    });

    test('a deleted sync is gone from both servers at once', async () => {
      const before = await agreed();
      const removed = await call(servers.b.url, 'DELETE', `/api/syncs/${ids.otherModelSync}`, { key: apiKey });
      assert.ok(removed.status < 300, removed.text);
      const after = await agreed();
      assertChanged(before, after, ['/api/syncs', '/api/syncs?limit=1']);
      assert.ok(!after.get(`2025-09-18 /api/syncs`)!.includes(ids.otherModelSync));
    });
  });
}
