// Global error subscribers: stored through the API, and emailed through a real SMTP receiver (smtp-server on
// 127.0.0.1) when a real model sync fails; a second failure within the hour is not emailed, one after it is.
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { SMTPServer } from 'smtp-server';
import { availableDialects, call, startFerry, type TestFerry } from '../kit/ferry-server.ts';
import { createFakeClock } from '../kit/fake-clock.ts';
import { createModelSyncWorld, syncBody, type ModelSyncWorld } from './model-sync-kit.ts';
import { waitForExecution } from './model-sync-execution-kit.ts';

interface Mail {
  to: string[];
  text: string;
}

for (const dialect of await availableDialects()) {
  describe(`global error subscribers and failure emails (${dialect} metadata)`, () => {
    const clock = createFakeClock(new Date());
    const mails: Mail[] = [];
    let smtp: SMTPServer;
    let server: TestFerry;
    let world: ModelSyncWorld;

    before(async () => {
      smtp = new SMTPServer({
        authOptional: true,
        disabledCommands: ['STARTTLS'],
        onData(stream, session, callback) {
          const chunks: Buffer[] = [];
          stream.on('data', (chunk: Buffer) => chunks.push(chunk));
          stream.on('end', () => {
            mails.push({
              to: session.envelope.rcptTo.map((address) => address.address),
              text: Buffer.concat(chunks).toString('utf8'),
            });
            callback();
          });
        },
      });
      await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
      const port = (smtp.server.address() as AddressInfo).port;
      server = await startFerry(
        dialect,
        { FERRY_SMTP_URL: `smtp://127.0.0.1:${port}`, FERRY_PUBLIC_URL: 'https://ferry.example.com' },
        { clock },
      );
      world = await createModelSyncWorld(server);
    });
    after(async () => {
      await server.close();
      await new Promise<void>((resolve) => smtp.close(() => resolve()));
      world.remove();
    });

    test('GET and PUT store the subscribers, in both versions; a malformed address is a 400 naming it', async () => {
      for (const version of ['2025-09-18', '2024-02-08']) {
        const empty = await call(server.url, 'GET', '/api/notifications/global-error-subscribers', {
          key: server.apiKey,
          version,
        });
        assert.equal(empty.status, 200, empty.text);
        assert.ok(Array.isArray(empty.body.emails));
      }
      const set = await call(server.url, 'PUT', '/api/notifications/global-error-subscribers', {
        key: server.apiKey,
        body: { emails: ['ops@example.com', 'data@example.com'] },
      });
      assert.equal(set.status, 200, set.text);
      assert.deepEqual(set.body.emails, ['ops@example.com', 'data@example.com']);
      const got = await call(server.url, 'GET', '/api/notifications/global-error-subscribers', {
        key: server.apiKey,
        version: '2024-02-08',
      });
      assert.deepEqual(got.body.emails, ['ops@example.com', 'data@example.com']);
      const bad = await call(server.url, 'PUT', '/api/notifications/global-error-subscribers', {
        key: server.apiKey,
        body: { emails: ['ops@example.com', 'not an address'] },
      });
      assert.equal(bad.status, 400, bad.text);
      assert.equal(bad.body.metadata.field, 'emails[1]');
      const wrongType = await call(server.url, 'PUT', '/api/notifications/global-error-subscribers', {
        key: server.apiKey,
        body: { emails: 'ops@example.com' },
      });
      assert.equal(wrongType.status, 400, wrongType.text);
    });

    test('a failed model sync emails the subscribers once an hour, naming the sync, the error and the execution', async () => {
      const created = await call(server.url, 'POST', '/api/syncs', { key: server.apiKey, body: syncBody(world) });
      assert.equal(created.status, 200, created.text);
      const syncId = created.body.data.id;
      const target = new Database(world.targetPath);
      target.exec('drop table contacts');
      target.close();
      const fail = async () => {
        const started = await call(server.url, 'POST', `/api/syncs/${syncId}/executions`, {
          key: server.apiKey,
          body: {},
        });
        assert.equal(started.status, 200, started.text);
        const execution = await waitForExecution(server.url, server.apiKey, syncId, started.body.data.id);
        assert.equal(execution.status, 'failed');
        return execution.id as string;
      };
      const waitForMails = async (count: number) => {
        const deadline = Date.now() + 20_000;
        while (mails.length < count && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
        assert.equal(mails.length, count);
      };

      const first = await fail();
      await waitForMails(1);
      assert.deepEqual(mails[0].to.sort(), ['data@example.com', 'ops@example.com']);
      const text = mails[0].text.replace(/=\r?\n/g, '');
      assert.match(text, /Users to contacts/);
      assert.match(text, /contacts/i);
      assert.ok(text.includes(`https://ferry.example.com/api/syncs/${syncId}/executions/${first}`), text);

      await fail();
      await new Promise((resolve) => setTimeout(resolve, 1000));
      assert.equal(mails.length, 1, 'a second failure within the hour is not emailed');

      await clock.advance(61 * 60 * 1000);
      const third = await fail();
      await waitForMails(2);
      assert.ok(mails[1].text.replace(/=\r?\n/g, '').includes(third));
    });
  });
}
