import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { availableDialects, call, startFerry, type TestFerry } from '../kit/ferry-server.ts';
import { postgresUnavailable } from '../kit/services.ts';

const pgReason = await postgresUnavailable();
const postgresConfiguration = {
  hostname: '127.0.0.1',
  port: 5432,
  database: 'test',
  username: 'postgres',
  password: 'not-needed-with-trust',
  ssl: false,
};

for (const dialect of await availableDialects()) {
  describe(`connections (${dialect} metadata)`, { skip: pgReason }, () => {
    let server: TestFerry;
    before(async () => {
      server = await startFerry(dialect);
    });
    after(() => server.close());

    const create = (body: unknown, key = server.apiKey) => call(server.url, 'POST', '/api/connections', { key, body });

    test('connection types list every connector with its configuration schema', async () => {
      const types = await call(server.url, 'GET', '/api/connection_types', { key: server.apiKey });
      const ids = types.body.data.map((type: { id: string }) => type.id);
      for (const id of ['postgresql', 'mysql', 'sqlite', 'api', 'webhook']) assert.ok(ids.includes(id), id);
      const postgres = types.body.data.find((type: { id: string }) => type.id === 'postgresql');
      assert.deepEqual(postgres.capabilities, {
        source: true,
        destination: true,
        enrichment: false,
        orchestration: false,
      });
      assert.equal(postgres.initialConfiguration.port, 5432);
      const schema = await call(server.url, 'GET', '/api/connection_types/postgresql', { key: server.apiKey });
      assert.equal(schema.body.properties.password['x-sensitive'], true);
      assert.deepEqual(schema.body.required, ['hostname', 'database', 'username']);
      assert.equal((await call(server.url, 'GET', '/api/connection_types/nope', { key: server.apiKey })).status, 404);
    });

    test('a PostgreSQL connection is created, tested, read without its password, updated and deleted', async () => {
      const created = await create({
        name: 'Warehouse',
        type: 'postgresql',
        configuration: postgresConfiguration,
        validate: true,
      });
      assert.equal(created.status, 200, created.text);
      const connection = created.body.data;
      assert.equal(connection.status, 'healthy');
      assert.equal(connection.type.id, 'postgresql');
      assert.equal(connection.configuration.password, undefined, 'secrets are never returned');
      assert.equal(connection.configuration.hostname, '127.0.0.1');

      const row = await server.ferry.context.repositories.connections.get(server.organizationId, connection.id);
      assert.ok(
        row?.configuration_sealed && !row.configuration_sealed.includes('not-needed-with-trust'),
        'sealed at rest',
      );

      const fetched = await call(server.url, 'GET', `/api/connections/${connection.id}`, { key: server.apiKey });
      assert.equal(fetched.body.data.name, 'Warehouse');
      assert.equal(fetched.body.data.configuration.password, undefined);
      assert.equal(fetched.body.data.created_by.type, 'user');

      const { password: _omitted, ...withoutPassword } = postgresConfiguration;
      const updated = await call(server.url, 'PUT', `/api/connections/${connection.id}`, {
        key: server.apiKey,
        body: { name: 'Warehouse 2', configuration: withoutPassword },
      });
      assert.equal(updated.status, 200, updated.text);
      assert.equal(updated.body.data.name, 'Warehouse 2');
      const kept = JSON.parse(
        server.ferry.context.secretBox.open(
          (await server.ferry.context.repositories.connections.get(server.organizationId, connection.id))!
            .configuration_sealed!,
        ),
      );
      assert.equal(kept.password, 'not-needed-with-trust', 'a secret left out of an update keeps its stored value');

      const listed = await call(server.url, 'GET', '/api/connections', { key: server.apiKey });
      assert.ok(listed.body.data.some((item: { id: string }) => item.id === connection.id));
      const entity = await call(server.url, 'GET', `/api/entities/${connection.id}`, { key: server.apiKey });
      assert.deepEqual(
        [entity.body.data.type, entity.body.data.canonical_path],
        ['connection', `/api/connections/${connection.id}`],
      );

      assert.equal(
        (await call(server.url, 'DELETE', `/api/connections/${connection.id}`, { key: server.apiKey })).status,
        204,
      );
      assert.equal(
        (await call(server.url, 'GET', `/api/connections/${connection.id}`, { key: server.apiKey })).status,
        404,
      );
    });

    test('invalid configurations are 422 naming the field', async () => {
      // Malformed bodies are 400 (this endpoint documents 400); configurations its type refuses are 422.
      const cases: Array<[unknown, string, number]> = [
        [
          { name: 'x', type: 'postgresql', configuration: { database: 'test', username: 'postgres' } },
          'configuration.hostname',
          422,
        ],
        [
          { name: 'x', type: 'postgresql', configuration: { ...postgresConfiguration, port: 'five' } },
          'configuration.port',
          422,
        ],
        [{ name: 'x', type: 'nosuchtype', configuration: {} }, 'type', 422],
        [{ type: 'postgresql', configuration: postgresConfiguration }, 'name', 400],
        [{ name: 'x', type: 'postgresql' }, 'configuration', 400],
      ];
      for (const [body, field, status] of cases) {
        const response = await create(body);
        assert.equal(response.status, status, JSON.stringify(body));
        assert.equal(response.body.metadata.field, field);
      }
    });

    test('a failed test says why in plain words', async () => {
      const cases: Array<[Record<string, unknown>, string]> = [
        [{ ...postgresConfiguration, port: 1 }, 'host_unreachable'],
        [{ ...postgresConfiguration, database: 'ferry_no_such_database' }, 'database_missing'],
        [{ ...postgresConfiguration, username: 'ferry_no_such_role' }, 'authentication_failed'],
      ];
      for (const [configuration, reason] of cases) {
        const tested = await call(server.url, 'POST', '/api/connections/test', {
          key: server.apiKey,
          body: { type: 'postgresql', configuration },
        });
        assert.equal(tested.status, 400, reason);
        assert.equal(tested.body.key, 'connection_test_failed');
        assert.equal(tested.body.metadata.reason, reason);
        assert.ok(tested.body.message.length > 25, tested.body.message);
        const refused = await create({ name: 'bad', type: 'postgresql', configuration, validate: true });
        assert.equal(refused.status, 422);
        assert.equal(refused.body.metadata.reason, reason);
        const saved = await create({ name: 'saved anyway', type: 'postgresql', configuration });
        assert.equal(saved.status, 200);
        assert.equal(saved.body.data.status, 'unhealthy');
        assert.ok(saved.body.data.status_error);
      }
      const ok = await call(server.url, 'POST', '/api/connections/test', {
        key: server.apiKey,
        body: { type: 'postgresql', configuration: postgresConfiguration },
      });
      assert.equal(ok.status, 200);
    });

    test("a partner shares a connection; the copy works with the parent's settings and never shows them", async () => {
      const parent = (
        await create({ name: 'Shared warehouse', type: 'postgresql', configuration: postgresConfiguration })
      ).body.data;
      const child = (
        await call(server.url, 'POST', '/api/organizations', {
          key: server.partnerKey,
          body: { name: `Share child ${dialect}` },
        })
      ).body.data;
      const childUser = (
        await call(server.url, 'POST', `/api/organizations/${child.id}/users`, {
          key: server.partnerKey,
          body: { email: 'c@share.example' },
        })
      ).body.data;
      const childKey = (
        await call(server.url, 'POST', `/api/organizations/${child.id}/users/${childUser.id}/keys`, {
          key: server.partnerKey,
        })
      ).body.data.value;

      const shared = await call(
        server.url,
        'POST',
        `/api/organizations/${server.organizationId}/connections/${parent.id}/shared`,
        {
          key: server.partnerKey,
          body: { child_organization_id: child.id },
        },
      );
      assert.equal(shared.status, 200, shared.text);
      const copyId = shared.body.data.id;

      const seen = await call(server.url, 'GET', `/api/connections/${copyId}`, { key: childKey });
      assert.equal(seen.body.data.parent_connection_id, parent.id);
      assert.equal(seen.body.data.name, 'Shared warehouse');
      assert.deepEqual(seen.body.data.configuration, {}, 'the parent configuration is not revealed');
      assert.ok(!seen.text.includes('127.0.0.1'));
      const edit = await call(server.url, 'PUT', `/api/connections/${copyId}`, {
        key: childKey,
        body: { name: 'mine', configuration: {} },
      });
      assert.equal(edit.status, 403);

      const { createFerryConnectionsService } = await import('./connections-kit.ts');
      const service = createFerryConnectionsService(server);
      const copyRow = await server.ferry.context.repositories.connections.get(child.id, copyId);
      const live = await service.open(copyRow!);
      try {
        assert.deepEqual(
          await live.test({ signal: new AbortController().signal, log: console as never, heartbeat() {} }),
          { ok: true },
        );
      } finally {
        await live.close();
      }

      const copies = await call(server.url, 'GET', `/api/connections/${parent.id}/shared`, { key: server.apiKey });
      assert.deepEqual(
        copies.body.data.map((copy: { id: string }) => copy.id),
        [copyId],
      );
      const partnerCopies = await call(
        server.url,
        'GET',
        `/api/organizations/${server.organizationId}/connections/${parent.id}/shared`,
        { key: server.partnerKey },
      );
      assert.deepEqual(
        partnerCopies.body.data.map((copy: { id: string }) => copy.id),
        [copyId],
      );

      const legacy = await call(server.url, 'POST', `/api/connections/${parent.id}/share`, {
        key: server.partnerKey,
        version: '2024-02-08',
        body: { child_organization_id: child.id, name: 'Legacy copy' },
      });
      assert.equal(legacy.status, 200, legacy.text);
      assert.equal(
        (
          await call(server.url, 'POST', `/api/connections/${parent.id}/share`, {
            key: server.partnerKey,
            body: { child_organization_id: child.id },
          })
        ).status,
        404,
        'gone in 2025-09-18',
      );
      assert.equal(
        (
          await call(
            server.url,
            'POST',
            `/api/organizations/${server.organizationId}/connections/${parent.id}/shared`,
            { key: server.partnerKey, version: '2024-02-08', body: { child_organization_id: child.id } },
          )
        ).status,
        404,
        'not yet in 2024-02-08',
      );
      assert.equal(
        (await call(server.url, 'GET', `/api/connections/${parent.id}`, { key: childKey })).status,
        404,
        "the child cannot read the parent's connection",
      );
    });

    test('a connect card creates a connection through its hosted form', async () => {
      const card = await call(server.url, 'POST', '/api/connections/connect', {
        key: server.apiKey,
        body: { name: 'Card DB', type: 'postgresql', redirect_url: 'https://app.example/done' },
      });
      assert.equal(card.status, 200, card.text);
      const link = new URL(card.body.data.redirect_url);
      const formPage = await fetch(`${server.url}${link.pathname}`);
      assert.equal(formPage.status, 200);
      const html = await formPage.text();
      assert.match(html, /name="hostname"/);
      assert.match(html, /type="password" name="password"/);

      const form = new URLSearchParams({
        __type: 'postgresql',
        hostname: '127.0.0.1',
        port: '5432',
        database: 'test',
        username: 'postgres',
        password: 'x',
        ssl: 'false',
        change_detection: 'false',
      });
      const posted = await fetch(`${server.url}${link.pathname}`, { method: 'POST', body: form, redirect: 'manual' });
      assert.equal(posted.status, 303, await posted.text());
      const location = new URL(posted.headers.get('location')!);
      assert.equal(location.origin + location.pathname, 'https://app.example/done');
      const connectionId = location.searchParams.get('connection_id')!;
      const created = await call(server.url, 'GET', `/api/connections/${connectionId}`, { key: server.apiKey });
      assert.equal(created.body.data.name, 'Card DB');
      assert.equal(created.body.data.status, 'healthy');

      const badForm = await fetch(`${server.url}${link.pathname}`, {
        method: 'POST',
        body: new URLSearchParams({
          __type: 'postgresql',
          hostname: '127.0.0.1',
          port: '1',
          database: 'test',
          username: 'postgres',
          ssl: 'false',
        }),
      });
      assert.equal(badForm.status, 422);
      assert.match(await badForm.text(), /class="error"/);

      const forged = await fetch(`${server.url}${link.pathname}x`);
      assert.equal(forged.status, 403);
      const expired = server.ferry.context.signer('connect-card').sign({ types: ['postgresql'], name: 'old' }, -1000);
      assert.equal((await fetch(`${server.url}/connect/${expired}`)).status, 403);
      const badRedirect = await call(server.url, 'POST', '/api/connections/connect', {
        key: server.apiKey,
        body: { name: 'x', redirect_url: 'javascript:alert(1)' },
      });
      assert.equal(badRedirect.status, 422);
      assert.equal(badRedirect.body.metadata.field, 'redirect_url');
    });
  });
}
