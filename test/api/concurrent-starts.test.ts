// Starts of one sync that arrive together (two API calls, two processes, a schedule firing beside a manual start)
// open one execution: the others are 409s, never a second open execution whose job the first one's would replace.
// On PostgreSQL, where READ COMMITTED lets two start transactions both see no open execution without the sync's lock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { call, startFerry } from '../kit/ferry-server.ts';
import { postgresUnavailable } from '../kit/services.ts';
import { createConnection, createPostgresSource, postgresConfiguration } from './connection-data-kit.ts';

test('ten simultaneous starts of one bulk sync open exactly one execution (PostgreSQL)', {
  skip: await postgresUnavailable(),
}, async () => {
  const server = await startFerry('postgres');
  const source = await createPostgresSource(10);
  const destination = await createPostgresSource(0);
  try {
    const sourceId = await createConnection(server, 'postgresql', postgresConfiguration(source));
    const destinationId = await createConnection(server, 'postgresql', postgresConfiguration(destination));
    const sync = await call(server.url, 'POST', '/api/bulk/syncs', {
      key: server.apiKey,
      body: {
        name: 'Together',
        source_connection_id: sourceId,
        destination_connection_id: destinationId,
        destination_configuration: { schema: 'copied' },
        default_schedule: { frequency: 'manual' },
      },
    });
    assert.equal(sync.status, 200, sync.text);
    const syncId = sync.body.data.id;
    const starts = await Promise.all(
      Array.from({ length: 10 }, () =>
        call(server.url, 'POST', `/api/bulk/syncs/${syncId}/executions`, { key: server.apiKey, body: {} }),
      ),
    );
    assert.deepEqual(
      starts.map((start) => start.status).sort(),
      [200, 409, 409, 409, 409, 409, 409, 409, 409, 409],
      'one start wins, the rest are conflicts',
    );
    const executions = await server.ferry.context.database.db
      .selectFrom('bulk_sync_executions')
      .select(['id', 'status'])
      .where('sync_id', '=', syncId)
      .execute();
    assert.equal(executions.length, 1, 'one execution row');
  } finally {
    await server.close();
    await source.drop();
    await destination.drop();
  }
});
