// Bulk syncs over HTTP: CRUD in both schedule shapes, schemas, the schedules sub-resource, tenancy.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { call, startFerry, type TestFerry } from '../kit/ferry-server.ts';
import { createPostgresDatabase, postgresUnavailable, type ScratchDatabase } from '../kit/services.ts';

describe('bulk syncs', { skip: await postgresUnavailable() }, () => {
  let server: TestFerry;
  let source: ScratchDatabase;
  let sourceId: string;
  let destinationId: string;

  before(async () => {
    source = await createPostgresDatabase('ferry_bulk_api');
    const client = new pg.Client({ connectionString: source.url });
    await client.connect();
    await client.query(
      'create table users (id int primary key, email text, updated_at timestamptz); create table orders (id int primary key, total numeric)',
    );
    await client.end();
    server = await startFerry('sqlite');
    const connection = (database: string) => ({
      hostname: '127.0.0.1',
      port: 5432,
      database,
      username: 'postgres',
      ssl: false,
    });
    sourceId = (
      await call(server.url, 'POST', '/api/connections', {
        key: server.apiKey,
        body: { name: 'Source', type: 'postgresql', configuration: connection(source.name) },
      })
    ).body.data.id;
    destinationId = (
      await call(server.url, 'POST', '/api/connections', {
        key: server.apiKey,
        body: { name: 'Destination', type: 'postgresql', configuration: connection('test') },
      })
    ).body.data.id;
  });
  after(async () => {
    await server.close();
    await source.drop();
  });

  const base = () => ({
    name: 'Nightly copy',
    source_connection_id: sourceId,
    destination_connection_id: destinationId,
    destination_configuration: { schema: 'ferry_copy' },
  });

  test('2025-09-18: create with default and additional schedules, read, update, activate, delete', async () => {
    const created = await call(server.url, 'POST', '/api/bulk/syncs', {
      key: server.apiKey,
      body: {
        ...base(),
        default_schedule: { frequency: 'continuous' },
        additional_schedules: [
          { frequency: 'weekly', day_of_week: 'sunday', hour: '03', minute: '00', resync_mode: 'rebuild' },
        ],
      },
    });
    assert.equal(created.status, 200, created.text);
    const sync = created.body.data;
    assert.equal(sync.mode, 'replicate');
    assert.equal(sync.active, true);
    assert.equal(sync.default_schedule.frequency, 'continuous');
    assert.ok(
      sync.default_schedule.id && sync.default_schedule.created_at && sync.default_schedule.created_by.type === 'user',
    );
    assert.equal(sync.additional_schedules[0].resync_mode, 'rebuild');
    assert.equal(sync.schedule, undefined);

    const fetched = await call(server.url, 'GET', `/api/bulk/syncs/${sync.id}`, { key: server.apiKey });
    assert.deepEqual(fetched.body.data, sync);

    const updated = await call(server.url, 'PUT', `/api/bulk/syncs/${sync.id}`, {
      key: server.apiKey,
      body: {
        ...base(),
        name: 'Renamed',
        default_schedule: { frequency: 'daily', hour: '05', minute: '00' },
        additional_schedules: sync.additional_schedules.map(
          ({ id, frequency, day_of_week, hour, minute, resync_mode }: Record<string, string>) => ({
            id,
            frequency,
            day_of_week,
            hour,
            minute,
            resync_mode,
          }),
        ),
      },
    });
    assert.equal(updated.status, 200, updated.text);
    assert.equal(updated.body.data.name, 'Renamed');
    assert.equal(updated.body.data.default_schedule.id, sync.default_schedule.id, 'the default schedule keeps its id');
    assert.equal(updated.body.data.additional_schedules[0].id, sync.additional_schedules[0].id);
    assert.equal(updated.body.data.additional_schedules[0].created_at, sync.additional_schedules[0].created_at);

    const status = await call(server.url, 'GET', `/api/bulk/syncs/${sync.id}/status`, { key: server.apiKey });
    // The earlier of the daily 05:00 and the weekly Sunday 03:00 schedules, in UTC.
    const now = new Date();
    const daily = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), 5, 0));
    if (daily <= now) daily.setUTCDate(daily.getUTCDate() + 1);
    const weekly = new Date(
      Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + ((7 - now.getUTCDay()) % 7), 3, 0),
    );
    if (weekly <= now) weekly.setUTCDate(weekly.getUTCDate() + 7);
    assert.equal(
      status.body.data.next_execution_time,
      new Date(Math.min(daily.getTime(), weekly.getTime())).toISOString(),
    );

    const deactivated = await call(server.url, 'POST', `/api/bulk/syncs/${sync.id}/activate`, {
      key: server.apiKey,
      body: { active: false },
    });
    assert.deepEqual(deactivated.body.data, { id: sync.id, active: false });
    assert.equal(
      (await call(server.url, 'GET', `/api/bulk/syncs/${sync.id}/status`, { key: server.apiKey })).body.data
        .next_execution_time,
      undefined,
      'an inactive sync is not scheduled',
    );
    const listed = await call(server.url, 'GET', '/api/bulk/syncs?active=false', { key: server.apiKey });
    assert.deepEqual(
      listed.body.data.map((item: { id: string }) => item.id),
      [sync.id],
    );
    const entity = await call(server.url, 'GET', `/api/entities/${sync.id}`, { key: server.apiKey });
    assert.equal(entity.body.data.type, 'bulk_sync');
    assert.equal(entity.body.data.canonical_path, `/api/bulk/syncs/${sync.id}`);

    assert.equal((await call(server.url, 'DELETE', `/api/bulk/syncs/${sync.id}`, { key: server.apiKey })).status, 204);
    assert.equal((await call(server.url, 'GET', `/api/bulk/syncs/${sync.id}`, { key: server.apiKey })).status, 404);
  });

  test('2025-09-18 refuses a default schedule with a scope, naming the field', async () => {
    for (const [schedule, field] of [
      [
        { frequency: 'daily', hour: '05', minute: '00', selective_mode: 'incrementalFields' },
        'default_schedule.selective_mode',
      ],
      [{ frequency: 'manual', schemas: ['public.users'] }, 'default_schedule.schemas'],
      [{ frequency: 'manual', resync_mode: 'rebuild' }, 'default_schedule.resync_mode'],
      [{ frequency: 'multi' }, 'default_schedule.frequency'],
    ] as const) {
      const response = await call(server.url, 'POST', '/api/bulk/syncs', {
        key: server.apiKey,
        body: { ...base(), default_schedule: schedule },
      });
      assert.equal(response.status, 422, JSON.stringify(schedule));
      assert.equal(response.body.metadata.field, field);
    }
    const hour = await call(server.url, 'POST', '/api/bulk/syncs', {
      key: server.apiKey,
      body: {
        ...base(),
        default_schedule: { frequency: 'manual' },
        additional_schedules: [{ frequency: 'daily', hour: '25', minute: '00' }],
      },
    });
    assert.equal(hour.status, 422);
    assert.equal(hour.body.metadata.field, 'additional_schedules[0].hour');
    const missing = await call(server.url, 'POST', '/api/bulk/syncs', { key: server.apiKey, body: base() });
    assert.equal(missing.status, 400);
    assert.equal(missing.body.metadata.field, 'default_schedule');
    const badConnection = await call(server.url, 'POST', '/api/bulk/syncs', {
      key: server.apiKey,
      body: {
        ...base(),
        source_connection_id: '00000000-0000-4000-8000-000000000000',
        default_schedule: { frequency: 'manual' },
      },
    });
    assert.equal(badConnection.status, 422);
    assert.equal(badConnection.body.metadata.field, 'source_connection_id');
  });

  test('2024-02-08 writes `schedule` (multi included) and a sync written in one version reads correctly in the other', async () => {
    const legacy = await call(server.url, 'POST', '/api/bulk/syncs', {
      key: server.apiKey,
      version: '2024-02-08',
      body: {
        ...base(),
        schedule: {
          frequency: 'multi',
          multi: {
            schedules: [
              { item: 'incrementalFields', schedule: { frequency: 'continuous' } },
              { item: 'nonincrementalFields', schedule: { frequency: 'daily', hour: '05', minute: '00' } },
            ],
          },
        },
      },
    });
    assert.equal(legacy.status, 200, legacy.text);
    assert.equal(legacy.body.data.default_schedule, undefined);
    assert.deepEqual(legacy.body.data.schedule, {
      frequency: 'multi',
      multi: {
        schedules: [
          { item: 'incrementalFields', schedule: { frequency: 'continuous' } },
          { item: 'nonincrementalFields', schedule: { frequency: 'daily', hour: '05', minute: '00' } },
        ],
      },
    });
    // The migration guide's worked example (docs/schedules.md): the same configuration in 2025-09-18.
    const newest = await call(server.url, 'GET', `/api/bulk/syncs/${legacy.body.data.id}`, { key: server.apiKey });
    assert.equal(newest.body.data.default_schedule.frequency, 'continuous');
    assert.deepEqual(
      newest.body.data.additional_schedules.map(
        ({ selective_mode, frequency, hour, minute }: Record<string, string>) => ({
          selective_mode,
          frequency,
          hour,
          minute,
        }),
      ),
      [{ selective_mode: 'nonincrementalFields', frequency: 'daily', hour: '05', minute: '00' }],
    );

    const written2025 = await call(server.url, 'POST', '/api/bulk/syncs', {
      key: server.apiKey,
      body: {
        ...base(),
        default_schedule: { frequency: 'hourly', minute: '15' },
        additional_schedules: [
          { frequency: 'weekly', day_of_week: 'monday', hour: '01', minute: '00', resync_mode: 'rebuild' },
        ],
      },
    });
    const read2024 = await call(server.url, 'GET', `/api/bulk/syncs/${written2025.body.data.id}`, {
      key: server.apiKey,
      version: '2024-02-08',
    });
    assert.deepEqual(
      read2024.body.data.schedule,
      { frequency: 'hourly', minute: '15' },
      'a rebuild schedule has no 2024 form and is not invented',
    );

    const badLegacy = await call(server.url, 'POST', '/api/bulk/syncs', {
      key: server.apiKey,
      version: '2024-02-08',
      body: { ...base(), schedule: { frequency: 'daily', hour: '99', minute: '00' } },
    });
    assert.equal(badLegacy.status, 422);
    assert.equal(badLegacy.body.metadata.field, 'schedule.hour');
  });

  test('2022-12-12 speaks booleans for automatically_add_new_*', async () => {
    const created = await call(server.url, 'POST', '/api/bulk/syncs', {
      key: server.apiKey,
      version: '2022-12-12',
      body: {
        ...base(),
        schedule: { frequency: 'manual' },
        automatically_add_new_objects: false,
        automatically_add_new_fields: true,
      },
    });
    assert.equal(created.status, 200, created.text);
    assert.equal(created.body.data.automatically_add_new_objects, false);
    const newest = await call(server.url, 'GET', `/api/bulk/syncs/${created.body.data.id}`, { key: server.apiKey });
    assert.equal(newest.body.data.automatically_add_new_objects, 'none');
    assert.equal(newest.body.data.automatically_add_new_fields, 'all');
  });

  test('schemas: every source schema when none are named; light list in 2025, full in 2024; get, put and patch', async () => {
    const sync = (
      await call(server.url, 'POST', '/api/bulk/syncs', {
        key: server.apiKey,
        body: { ...base(), default_schedule: { frequency: 'manual' } },
      })
    ).body.data;
    const listed = await call(server.url, 'GET', `/api/bulk/syncs/${sync.id}/schemas`, { key: server.apiKey });
    assert.equal(listed.status, 200, listed.text);
    assert.deepEqual(
      listed.body.data.map((schema: { id: string }) => schema.id),
      ['public.orders', 'public.users'],
    );
    assert.deepEqual(listed.body.data[1], { id: 'public.users', enabled: true, output_name: 'users' });
    const legacy = await call(server.url, 'GET', `/api/bulk/syncs/${sync.id}/schemas`, {
      key: server.apiKey,
      version: '2024-02-08',
    });
    assert.deepEqual(legacy.body.data[1].fields, []);
    assert.deepEqual(legacy.body.data[1].filters, []);

    const put = await call(server.url, 'PUT', `/api/bulk/syncs/${sync.id}/schemas/public.users`, {
      key: server.apiKey,
      body: { tracking_field: 'updated_at', user_output_name: 'app_users', fields: [{ id: 'email', enabled: false }] },
    });
    assert.equal(put.status, 200, put.text);
    assert.equal(put.body.data.output_name, 'app_users');
    assert.equal(put.body.data.tracking_field, 'updated_at');
    assert.deepEqual(put.body.data.fields, [{ id: 'email', enabled: false, output_name: 'email' }]);
    const patched = await call(server.url, 'PATCH', `/api/bulk/syncs/${sync.id}/schemas`, {
      key: server.apiKey,
      body: { schemas: [{ id: 'public.orders', enabled: false }] },
    });
    assert.deepEqual(
      patched.body.data.map((schema: { id: string; enabled: boolean }) => [schema.id, schema.enabled]),
      [['public.orders', false]],
    );
    const users = await call(server.url, 'GET', `/api/bulk/syncs/${sync.id}/schemas/public.users`, {
      key: server.apiKey,
    });
    assert.equal(users.body.data.tracking_field, 'updated_at', 'patching another schema leaves this one alone');
    assert.equal(
      (await call(server.url, 'GET', `/api/bulk/syncs/${sync.id}/schemas/public.nope`, { key: server.apiKey })).status,
      404,
    );
    assert.equal(
      (
        await call(server.url, 'PATCH', `/api/bulk/syncs/${sync.id}/schemas`, {
          key: server.apiKey,
          body: { schemas: [{ id: 'public.nope' }] },
        })
      ).status,
      404,
    );
  });

  test('the schedules sub-resource speaks camelCase and edits the same schedules', async () => {
    const sync = (
      await call(server.url, 'POST', '/api/bulk/syncs', {
        key: server.apiKey,
        body: { ...base(), default_schedule: { frequency: 'manual' } },
      })
    ).body.data;
    const created = await call(server.url, 'POST', `/api/bulk/syncs/${sync.id}/schedules`, {
      key: server.apiKey,
      body: {
        schedule: {
          frequency: 'weekly',
          dayOfWeek: 'friday',
          hour: '22',
          minute: '30',
          selectiveMode: 'nonincrementalFields',
        },
      },
    });
    assert.equal(created.status, 200, created.text);
    assert.equal(created.body.data.dayOfWeek, 'friday');
    assert.equal(created.body.data.isDefault, false);
    assert.equal(created.body.data.syncId, sync.id);
    const scheduleId = created.body.data.id;
    const all = await call(server.url, 'GET', `/api/bulk/syncs/${sync.id}/schedules`, { key: server.apiKey });
    assert.deepEqual(
      all.body.data.map((schedule: { isDefault: boolean }) => schedule.isDefault),
      [true, false],
    );
    const viaSync = await call(server.url, 'GET', `/api/bulk/syncs/${sync.id}`, { key: server.apiKey });
    assert.equal(viaSync.body.data.additional_schedules[0].day_of_week, 'friday');
    const updated = await call(server.url, 'PUT', `/api/bulk/syncs/${sync.id}/schedules/${scheduleId}`, {
      key: server.apiKey,
      body: { schedule: { frequency: 'daily', hour: '01', minute: '00' } },
    });
    assert.equal(updated.body.data.frequency, 'daily');
    const bad = await call(server.url, 'PUT', `/api/bulk/syncs/${sync.id}/schedules/${scheduleId}`, {
      key: server.apiKey,
      body: { schedule: { frequency: 'daily', hour: '01' } },
    });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.metadata.field, 'schedule.minute');
    const defaultId = all.body.data[0].id;
    assert.equal(
      (await call(server.url, 'DELETE', `/api/bulk/syncs/${sync.id}/schedules/${defaultId}`, { key: server.apiKey }))
        .status,
      403,
    );
    assert.equal(
      (await call(server.url, 'DELETE', `/api/bulk/syncs/${sync.id}/schedules/${scheduleId}`, { key: server.apiKey }))
        .status,
      204,
    );
    assert.equal(
      (await call(server.url, 'GET', `/api/bulk/syncs/${sync.id}/schedules/${scheduleId}`, { key: server.apiKey }))
        .status,
      404,
    );
  });

  test("another organization's key sees none of it", async () => {
    const sync = (
      await call(server.url, 'POST', '/api/bulk/syncs', {
        key: server.apiKey,
        body: { ...base(), default_schedule: { frequency: 'manual' } },
      })
    ).body.data;
    const child = (
      await call(server.url, 'POST', '/api/organizations', { key: server.partnerKey, body: { name: 'Bulk outsider' } })
    ).body.data;
    const user = (
      await call(server.url, 'POST', `/api/organizations/${child.id}/users`, {
        key: server.partnerKey,
        body: { email: 'o@bulk.example' },
      })
    ).body.data;
    const key = (
      await call(server.url, 'POST', `/api/organizations/${child.id}/users/${user.id}/keys`, { key: server.partnerKey })
    ).body.data.value;
    for (const [method, path] of [
      ['GET', `/api/bulk/syncs/${sync.id}`],
      ['DELETE', `/api/bulk/syncs/${sync.id}`],
      ['GET', `/api/bulk/syncs/${sync.id}/schemas`],
      ['GET', `/api/bulk/syncs/${sync.id}/schedules`],
    ]) {
      assert.equal((await call(server.url, method!, path!, { key })).status, 404, `${method} ${path}`);
    }
    assert.deepEqual((await call(server.url, 'GET', '/api/bulk/syncs', { key })).body.data, []);
    const theirs = await call(server.url, 'POST', '/api/bulk/syncs', {
      key,
      body: { ...base(), default_schedule: { frequency: 'manual' } },
    });
    assert.equal(theirs.status, 422, 'connections of another organization cannot be used');
  });

  test('the list has every sync of the organization, each as its own read shows it, in both schedule shapes', async () => {
    // Varied on purpose: settings present on some syncs only, zero to two additional schedules, scoped and not, so
    // that each item's keys come from its own row and not from its neighbours'.
    const created: string[] = [];
    for (let index = 0; index < 12; index += 1) {
      const additional = [
        { frequency: 'weekly', day_of_week: 'sunday', hour: '03', minute: '00', resync_mode: 'rebuild' },
        { frequency: 'daily', hour: String(index).padStart(2, '0'), minute: '15', schemas: ['public.users'] },
      ].slice(0, index % 3);
      const response = await call(server.url, 'POST', '/api/bulk/syncs', {
        key: server.apiKey,
        body: {
          ...base(),
          name: `Listed copy ${index}`,
          ...(index % 2 ? { concurrency_limit: index } : {}),
          default_schedule: index % 4 ? { frequency: 'manual' } : { frequency: 'daily', hour: '01', minute: '00' },
          additional_schedules: additional,
        },
      });
      assert.equal(response.status, 200, response.text);
      created.push(response.body.data.id);
    }
    try {
      for (const version of ['2025-09-18', '2024-02-08']) {
        const listed = await call(server.url, 'GET', '/api/bulk/syncs', { key: server.apiKey, version });
        assert.equal(listed.status, 200, listed.text);
        const items: Array<{ id: string }> = listed.body.data;
        const ids = items.map((item) => item.id);
        for (const id of created) assert.ok(ids.includes(id), `${version}: the list has ${id}`);
        for (const item of items) {
          const single = await call(server.url, 'GET', `/api/bulk/syncs/${item.id}`, { key: server.apiKey, version });
          assert.equal(JSON.stringify(item), JSON.stringify(single.body.data), `${version}: ${item.id} as its read`);
        }
        const withLimit = items.find((item) => item.id === created[1]) as { concurrency_limit?: number };
        assert.equal(withLimit.concurrency_limit, 1, `${version}: a sync's own settings are on its item`);
        assert.equal(
          (items.find((item) => item.id === created[2]) as { concurrency_limit?: number }).concurrency_limit,
          undefined,
        );
      }
    } finally {
      for (const id of created) await call(server.url, 'DELETE', `/api/bulk/syncs/${id}`, { key: server.apiKey });
    }
  });
});
