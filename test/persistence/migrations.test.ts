import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { migrateToLatest } from '../../src/persistence/migrate.ts';
import { migrations } from '../../src/persistence/migrations/index.ts';
import { availableDialects } from '../kit/ferry-server.ts';
import { freshDatabase } from './dialects.ts';

for (const dialect of await availableDialects()) {
  describe(`migrations (${dialect})`, () => {
    test('apply every migration once, then nothing', async () => {
      const fresh = await freshDatabase(dialect);
      try {
        const first = await migrateToLatest(fresh.database);
        assert.deepEqual(first.applied, Object.keys(migrations));
        const second = await migrateToLatest(fresh.database);
        assert.deepEqual(second.applied, []);
        const tables = (await fresh.database.db.introspection.getTables()).map((table) => table.name);
        for (const table of ['partners', 'organizations', 'users', 'api_keys', 'idempotency_keys', 'settings'])
          assert.ok(tables.includes(table), table);
      } finally {
        await fresh.dispose();
      }
    });
  });
}
