// Model syncs into file targets, end to end through the public API: a model on an SQLite source, synced in create
// mode into a CSV file and a JSON Lines file (the files target appends; it has no keys to update by). A second run
// appends only the rows that are new since the first.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { call, startFerry, type TestFerry } from '../kit/ferry-server.ts';
import { createConnection } from './connection-data-kit.ts';
import { createSync, runToCompletion } from './model-sync-execution-kit.ts';

describe('model sync into CSV and JSON Lines files', () => {
  let server: TestFerry;
  let directory: string;
  let sourcePath: string;
  let modelId: string;

  const addPeople = (from: number, to: number) => {
    const database = new Database(sourcePath);
    const insert = database.prepare('insert into people (id, email, name) values (?, ?, ?)');
    for (let id = from; id <= to; id++)
      insert.run(id, `p${id}@files.example`, id === 2 ? 'Zoë, "the second"' : `Person ${id}`);
    database.close();
  };

  before(async () => {
    server = await startFerry('sqlite');
    directory = mkdtempSync(join(tmpdir(), 'ferry-files-target-'));
    sourcePath = join(directory, 'source.db');
    const database = new Database(sourcePath);
    database.exec('create table people (id integer primary key, email text not null, name text)');
    database.close();
    const sourceId = await createConnection(server, 'sqlite', { path: sourcePath });
    const model = await call(server.url, 'POST', '/api/models', {
      key: server.apiKey,
      body: {
        name: 'People',
        connection_id: sourceId,
        configuration: { query: 'select id, email, name from people' },
        identifier: 'email',
      },
    });
    assert.equal(model.status, 200, model.text);
    modelId = model.body.data.id;
  });
  after(async () => {
    await server?.close();
    rmSync(directory, { recursive: true, force: true });
  });

  for (const format of ['csv', 'jsonl'] as const) {
    test(`${format}: the first run writes every model row, the next appends only the new ones`, async () => {
      const reset = new Database(sourcePath);
      reset.exec('delete from people');
      reset.close();
      addPeople(1, 5);
      const filesPath = mkdtempSync(join(directory, `${format}-`));
      const file = join(filesPath, `contacts.${format}`);
      writeFileSync(file, format === 'csv' ? 'email,full_name\n' : '');
      const connectionId = await createConnection(
        server,
        'files',
        { path: filesPath, format },
        server.apiKey,
        `${format} files`,
      );
      const fields = [
        {
          source: { model_id: modelId, field: 'email' },
          target: 'email',
          ...(format === 'jsonl' ? { new: true } : {}),
        },
        {
          source: { model_id: modelId, field: 'name' },
          target: 'full_name',
          ...(format === 'jsonl' ? { new: true } : {}),
        },
      ];
      const syncId = await createSync(server, {
        name: `People to ${format}`,
        mode: 'create',
        schedule: { frequency: 'manual' },
        target: { connection_id: connectionId, object: 'contacts' },
        identity: { source: { model_id: modelId, field: 'email' }, target: 'email', function: 'Equality' },
        fields,
      });

      const first = await runToCompletion(server, syncId);
      assert.equal(first.counts.insert, 5, JSON.stringify(first.counts));
      addPeople(6, 7);
      const second = await runToCompletion(server, syncId);
      assert.deepEqual(
        [second.counts.insert, second.counts.update, second.counts.total],
        [2, 0, 7],
        JSON.stringify(second.counts),
      );

      const text = readFileSync(file, 'utf8');
      const written =
        format === 'jsonl'
          ? text
              .trimEnd()
              .split('\n')
              .map((line) => JSON.parse(line))
          : text
              .trimEnd()
              .split('\n')
              .slice(1)
              .map((line) => line);
      assert.equal(written.length, 7, text);
      if (format === 'jsonl') {
        assert.deepEqual(
          written.map((row: { email: string }) => row.email).sort(),
          Array.from({ length: 7 }, (_, index) => `p${index + 1}@files.example`).sort(),
        );
        assert.equal(
          written.find((row: { email: string }) => row.email === 'p2@files.example').full_name,
          'Zoë, "the second"',
        );
      } else {
        assert.ok(text.includes('"p2@files.example","Zoë, ""the second"""\n'), JSON.stringify(text));
        assert.ok(text.startsWith('email,full_name\n'), text);
      }
    });
  }
});
