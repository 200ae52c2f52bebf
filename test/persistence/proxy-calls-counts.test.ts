// The proxy-call counts a connection list shows: one statement per id-list size rounded up to a power of two (the
// ids padded with a repeated one), 512 ids a statement at most. Every size must count exactly what it was asked.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { migrateToLatest } from '../../src/persistence/migrate.ts';
import { proxyCallsRepository } from '../../src/persistence/repositories/proxy-calls-repository.ts';
import { availableDialects } from '../kit/ferry-server.ts';
import { freshDatabase } from './dialects.ts';

for (const dialect of await availableDialects()) {
  describe(`proxy-call counts (${dialect})`, () => {
    test('count each asked connection’s calls since the time, for any number of ids', async () => {
      const fresh = await freshDatabase(dialect);
      try {
        await migrateToLatest(fresh.database);
        const calls = proxyCallsRepository(fresh.database.db);
        const record = (id: string, connectionId: string, at: string) =>
          calls.record({
            proxyCallId: id,
            connectionId,
            organizationId: 'org',
            method: 'GET',
            path: '/',
            status: 200,
            upstream: true,
            durationMs: 1,
            requestBytes: 0,
            responseBytes: 0,
            truncated: false,
            at,
          });
        // Connection c<i> has i % 4 calls since the cut-off, and one before it.
        const ids = Array.from({ length: 700 }, (_, index) => `c${index}`);
        for (const [index, id] of ids.entries()) {
          await record(`${id}-old`, id, '2026-01-01T00:00:00.000Z');
          for (let call = 0; call < index % 4; call++) await record(`${id}-${call}`, id, '2026-01-02T00:00:00.000Z');
        }
        const since = new Date('2026-01-01T12:00:00.000Z');
        for (const count of [1, 3, 5, 512, 513, 700]) {
          const asked = ids.slice(0, count);
          const counts = await calls.callsSince(asked, since);
          const expected = new Map(
            asked.filter((_, index) => index % 4 > 0).map((id, _) => [id, Number(id.slice(1)) % 4]),
          );
          assert.deepEqual(counts, expected, `${count} ids`);
        }
        assert.deepEqual(await calls.callsSince(['c3', 'unknown'], since), new Map([['c3', 3]]));
      } finally {
        await fresh.dispose();
      }
    });
  });
}
