import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../../src/config.ts';
import { createFerry } from '../../src/ferry.ts';
import { createLogger } from '../../src/logger.ts';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { migrations } from '../../src/persistence/migrations/index.ts';
import { availableDialects, call } from '../kit/ferry-server.ts';
import { freshDatabase } from './dialects.ts';

const silent = createLogger('silent');
const execFileAsync = promisify(execFile);

for (const dialect of await availableDialects()) {
  describe(`first start and restarts (${dialect})`, () => {
    test('two processes starting at once on an empty database migrate and bootstrap exactly once', async () => {
      const fresh = await freshDatabase(dialect);
      try {
        const env = { ...process.env, FERRY_DATA_DIR: fresh.dataDir, DATABASE_URL: fresh.databaseUrl ?? '' };
        const start = () =>
          execFileAsync(process.execPath, ['--import', 'tsx', 'test/persistence/start-process.ts'], { env }).then(
            ({ stdout }) => JSON.parse(stdout) as { applied: string[]; bootstrapped: boolean },
          );
        const results = await Promise.all([start(), start(), start()]);
        assert.equal(results.filter((result) => result.bootstrapped).length, 1);
        assert.deepEqual(results.flatMap((result) => result.applied).sort(), Object.keys(migrations).sort());
        const partners = await fresh.database.db.selectFrom('partners').selectAll().execute();
        assert.equal(partners.length, 1);
      } finally {
        await fresh.dispose();
      }
    });

    test('restarting on the same data keeps the data and the keys, and bootstraps nothing', async () => {
      const fresh = await freshDatabase(dialect);
      const env = {
        FERRY_DATA_DIR: fresh.dataDir,
        PORT: '0',
        HOST: '127.0.0.1',
        FERRY_BOOTSTRAP_PARTNER_KEY: 'restart-partner-key',
        FERRY_BOOTSTRAP_API_KEY: 'restart-api-key',
        ...(fresh.databaseUrl ? { DATABASE_URL: fresh.databaseUrl } : {}),
      };
      try {
        const first = await createFerry(loadConfig(env), { log: silent });
        assert.ok(first.bootstrap);
        assert.equal(first.bootstrap.keysFromEnvironment, true);
        const url = await first.listen();
        await call(url, 'POST', '/api/organization/users', {
          key: 'restart-api-key',
          body: { email: 'kept@example.com' },
        });
        await first.close();

        const second = await createFerry(loadConfig(env), { log: silent });
        try {
          assert.equal(second.bootstrap, undefined);
          const url2 = await second.listen();
          const users = await call(url2, 'GET', '/api/organization/users', { key: 'restart-api-key' });
          assert.deepEqual(users.body.data.map((user: { email: string }) => user.email).sort(), [
            'admin@localhost',
            'kept@example.com',
          ]);
        } finally {
          await second.close();
        }
      } finally {
        await fresh.dispose();
      }
    });

    test('a different secret key than the data was sealed with refuses to start', async () => {
      const fresh = await freshDatabase(dialect);
      const env = { FERRY_DATA_DIR: fresh.dataDir, ...(fresh.databaseUrl ? { DATABASE_URL: fresh.databaseUrl } : {}) };
      try {
        const first = await createFerry(loadConfig({ ...env, FERRY_SECRET_KEY: randomBytes(32).toString('hex') }), {
          log: silent,
        });
        await first.close();
        await assert.rejects(
          createFerry(loadConfig({ ...env, FERRY_SECRET_KEY: randomBytes(32).toString('hex') }), { log: silent }),
          /not the one this database/,
        );
      } finally {
        await fresh.dispose();
      }
    });
  });
}
