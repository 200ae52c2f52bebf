// File-specific cases of the files connector beyond the shared conformance suite (registered by files.test.ts).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Connection } from '../../../src/connectors/connector.ts';
import { createFilesConnector } from '../../../src/connectors/files/files-connector.ts';
import { createMockRunContext } from '../../kit/mock-run-context.ts';
import { peakRetainedHeap } from '../../kit/retained-heap.ts';
import { collect } from '../conformance/bulk-source-cases.ts';
import { readFileTable } from './files-harness.ts';

const connector = createFilesConnector();
let directory: string;
before(() => {
  directory = mkdtempSync(join(tmpdir(), 'ferry-files-specific-'));
});
after(() => rmSync(directory, { recursive: true, force: true }));

function open(subdirectory: string, settings: Record<string, unknown> = {}): Connection {
  const path = join(directory, subdirectory);
  rmSync(path, { recursive: true, force: true });
  mkdirSync(path);
  return connector.open({ path: join(directory, subdirectory), ...settings });
}

describe('configuration', () => {
  test('names the offending field and applies defaults', () => {
    assert.deepEqual(connector.validate({ path: '/tmp' }), {
      ok: true,
      value: { path: '/tmp', format: 'csv', has_headers: true, delimiter: ',' },
    });
    assert.equal((connector.validate({ path: '/tmp', format: 'xlsx' }) as { field: string }).field, 'format');
    assert.equal((connector.validate({ path: '/tmp', delimiter: ';;' }) as { field: string }).field, 'delimiter');
    assert.equal((connector.validate({ path: '/tmp', has_headers: 'yes' }) as { field: string }).field, 'has_headers');
    assert.throws(() => connector.open({}), { code: 'invalid_configuration', field: 'path' });
  });

  test('test() says in plain words when the path is a file', async () => {
    const file = join(directory, 'plain.txt');
    writeFileSync(file, 'x');
    const result = await connector.open({ path: file }).test(createMockRunContext());
    assert.equal(result.ok, false);
    assert.match(!result.ok ? result.message : '', /is a file, not a directory/);
  });

  test('schema ids cannot leave the directory', async () => {
    const connection = open('traversal');
    writeFileSync(join(directory, 'secret.csv'), 'a\n1\n');
    assert.equal(await connection.bulkSource!.describeSchema(createMockRunContext(), '../secret'), undefined);
    await assert.rejects(
      connection.bulkDestination!.apply(createMockRunContext(), {
        kind: 'create_table',
        schemaId: '../escape',
        fields: [],
        primaryKey: [],
      }),
      { code: 'invalid_query' },
    );
  });
});

describe('csv', () => {
  test('keeps quotes, line breaks, delimiters, unicode, empty strings and nulls', async () => {
    const connection = open('csv-text');
    const context = createMockRunContext();
    const destination = connection.bulkDestination!;
    await destination.apply(context, {
      kind: 'create_table',
      schemaId: 'notes',
      fields: [
        { id: 'id', type: 'number', remote_type: 'integer' },
        { id: 'body', type: 'string' },
      ],
      primaryKey: ['id'],
    });
    const bodies = ['say "hi", then\nleave', '日本語 🚀👩‍👩‍👧', '', null, 'a;b,c\r\nd'];
    await destination.write(context, {
      schemaId: 'notes',
      mode: 'insert',
      records: bodies.map((body, index) => ({ id: index + 1, body })),
    });
    const { rows } = await collect(connection.bulkSource!.read(context, { schemaId: 'notes' }));
    assert.deepEqual(
      rows.map((row) => row.body),
      bodies,
    );
    // Any CSV reader sees the same text.
    assert.deepEqual(
      readFileTable(join(directory, 'csv-text'), 'csv', 'notes').map((row) => row.body),
      bodies,
    );
  });

  test('reads files without a header and with another delimiter, inferring types', async () => {
    const connection = open('csv-plain', { has_headers: false, delimiter: ';' });
    writeFileSync(
      join(directory, 'csv-plain', 'sales.csv'),
      '1;12.50;true;2024-01-02T03:04:05Z;007\n2;;false;2024-01-03T00:00:00+01:00;010\n',
    );
    const context = createMockRunContext();
    const schema = await connection.bulkSource!.describeSchema(context, 'sales');
    assert.deepEqual(
      schema?.fields.map((field) => [field.id, field.remote_type, field.type]),
      [
        ['column_1', 'integer', 'number'],
        ['column_2', 'decimal', 'number'],
        ['column_3', 'boolean', 'boolean'],
        ['column_4', 'timestamp', 'datetime'],
        ['column_5', 'string', 'string'],
      ],
    );
    assert.deepEqual(
      schema?.fields.map((field) => field.is_primary_key),
      [false, false, false, false, false],
    );
    const { rows } = await collect(connection.bulkSource!.read(context, { schemaId: 'sales' }));
    assert.deepEqual(rows, [
      { column_1: 1, column_2: '12.50', column_3: true, column_4: '2024-01-02T03:04:05.000000Z', column_5: '007' },
      { column_1: 2, column_2: null, column_3: false, column_4: '2024-01-02T23:00:00.000000Z', column_5: '010' },
    ]);
  });

  test('appends to a file written elsewhere that lacks its final line break', async () => {
    const connection = open('csv-append');
    writeFileSync(join(directory, 'csv-append', 'people.csv'), 'id,name\n1,a');
    const context = createMockRunContext();
    await connection.bulkDestination!.write(context, {
      schemaId: 'people',
      mode: 'insert',
      records: [{ id: 2, name: 'b' }],
    });
    const { rows } = await collect(connection.bulkSource!.read(context, { schemaId: 'people' }));
    assert.deepEqual(rows, [
      { id: 1, name: 'a' },
      { id: 2, name: 'b' },
    ]);
  });

  test('incremental reads of an unordered file come back in cursor order', async () => {
    const connection = open('csv-cursor');
    writeFileSync(join(directory, 'csv-cursor', 'events.csv'), 'id,at\n3,c\n10,d\n1,a\n9,b\n');
    const { rows } = await collect(
      connection.bulkSource!.read(createMockRunContext(), { schemaId: 'events', cursor: { field: 'id', after: 2 } }),
    );
    assert.deepEqual(
      rows.map((row) => row.id),
      [3, 9, 10],
    );
  });
});

describe('jsonl', () => {
  test('reads nested objects and arrays, and infers fields across lines', async () => {
    const connection = open('jsonl-nested', { format: 'jsonl' });
    const lines = [
      { id: 1, profile: { name: 'Ada', tags: ['x', { deep: [1, 2] }] }, seen: '2024-01-01T00:00:00+02:00' },
      { id: 2, profile: { name: 'Bo', tags: [] }, extra: [1, 2] },
    ];
    writeFileSync(join(directory, 'jsonl-nested', 'users.jsonl'), lines.map((line) => JSON.stringify(line)).join('\n'));
    const context = createMockRunContext();
    const schema = await connection.bulkSource!.describeSchema(context, 'users');
    assert.deepEqual(
      schema?.fields.map((field) => [field.id, field.type, field.nullable, field.is_primary_key]),
      [
        ['id', 'number', false, true],
        ['profile', 'object', false, false],
        ['seen', 'datetime', true, false],
        ['extra', 'array', true, false],
      ],
    );
    const { rows } = await collect(connection.bulkSource!.read(context, { schemaId: 'users' }));
    assert.deepEqual(rows[0].profile, lines[0].profile);
    assert.equal(rows[0].seen, '2023-12-31T22:00:00.000000Z');
    assert.equal(rows[1].seen, null);
    await connection.bulkDestination!.write(context, {
      schemaId: 'users',
      mode: 'insert',
      records: [{ id: 3, profile: { nested: { ok: true } } }],
    });
    const last = readFileSync(join(directory, 'jsonl-nested', 'users.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .at(-1);
    assert.deepEqual(JSON.parse(last!), { id: 3, profile: { nested: { ok: true } } });
  });
});

describe('parquet', () => {
  test('round-trips ints, 64-bit ints, decimals as strings, doubles, booleans, timestamps, dates, JSON, nulls and binary', async () => {
    const connection = open('parquet-types', { format: 'parquet' });
    const context = createMockRunContext();
    const fields = [
      { id: 'id', type: 'number', remote_type: 'integer' },
      { id: 'big', type: 'number', remote_type: 'bigint' },
      { id: 'amount', type: 'number', remote_type: 'numeric(38,9)' },
      { id: 'ratio', type: 'number', remote_type: 'double precision' },
      { id: 'active', type: 'boolean' },
      { id: 'at', type: 'datetime', remote_type: 'timestamp with time zone' },
      { id: 'local', type: 'datetime', remote_type: 'timestamp without time zone' },
      { id: 'day', type: 'datetime', remote_type: 'date' },
      { id: 'doc', type: 'object' },
      { id: 'bytes', type: 'binary' },
    ] as const;
    await connection.bulkDestination!.apply(context, {
      kind: 'create_table',
      schemaId: 'typed',
      fields: [...fields],
      primaryKey: ['id'],
    });
    const rows = [
      {
        id: 1,
        big: '9223372036854775807',
        amount: '12345678901234567890.123456789',
        ratio: 0.1,
        active: true,
        at: '2024-03-04T05:06:07.123456Z',
        local: '2024-03-04T05:06:07.000001',
        day: '2024-02-29',
        doc: { a: [1, 'b'] },
        bytes: Buffer.from([0, 255, 7]),
      },
      {
        id: 2,
        big: null,
        amount: null,
        ratio: null,
        active: null,
        at: null,
        local: null,
        day: null,
        doc: null,
        bytes: null,
      },
    ];
    await connection.bulkDestination!.write(context, { schemaId: 'typed', mode: 'insert', records: rows });
    const schema = await connection.bulkSource!.describeSchema(context, 'typed');
    assert.deepEqual(
      schema?.fields.map((field) => field.remote_type),
      ['integer', 'bigint', 'decimal', 'double', 'boolean', 'timestamp', 'timestamp_naive', 'date', 'json', 'binary'],
    );
    const { rows: read } = await collect(connection.bulkSource!.read(context, { schemaId: 'typed' }));
    assert.deepEqual(read, rows);
    // Upsert and delete rewrite the file.
    await connection.bulkDestination!.write(context, {
      schemaId: 'typed',
      mode: 'upsert',
      primaryKey: ['id'],
      records: [{ id: 2, amount: '1.5' }],
    });
    await connection.bulkDestination!.write(context, {
      schemaId: 'typed',
      mode: 'delete',
      primaryKey: ['id'],
      records: [{ id: 1 }],
    });
    const { rows: after } = await collect(
      connection.bulkSource!.read(context, { schemaId: 'typed', fields: ['id', 'amount'] }),
    );
    assert.deepEqual(after, [{ id: 2, amount: '1.5' }]);
  });
});

describe('model target', () => {
  test('lists files, creates a field and appends, rejecting bad records alone; other operations are unsupported', async () => {
    const connection = open('target');
    writeFileSync(join(directory, 'target', 'contacts.csv'), 'email,score\na@example.com,1\n');
    const context = createMockRunContext();
    const target = connection.modelTarget!;
    assert.deepEqual(await target.listObjects(context), [{ id: 'contacts', name: 'contacts', modes: ['create'] }]);
    await target.createField(context, 'contacts', { id: 'nickname', type: 'string' });
    assert.deepEqual(
      (await target.describeObject(context, 'contacts')).map((field) => field.id),
      ['email', 'score', 'nickname'],
    );
    const result = await target.write(context, {
      objectId: 'contacts',
      operation: 'insert',
      identity: [],
      records: [
        { email: 'b@example.com', score: 2, nickname: 'bee' },
        { email: 'c@example.com', score: 'lots' },
      ],
    });
    assert.equal(result.inserted, 1);
    assert.deepEqual(
      result.rejected.map((rejection) => [rejection.index, rejection.code]),
      [[1, 'invalid_data']],
    );
    assert.deepEqual(readFileTable(join(directory, 'target'), 'csv', 'contacts'), [
      { email: 'a@example.com', score: 1, nickname: null },
      { email: 'b@example.com', score: 2, nickname: 'bee' },
    ]);
    await assert.rejects(
      target.write(context, {
        objectId: 'contacts',
        operation: 'update',
        identity: ['email'],
        records: [{ email: 'a@example.com' }],
      }),
      { code: 'unsupported' },
    );
    await assert.rejects(
      target.write(context, { objectId: 'nothing', operation: 'insert', identity: [], records: [{}] }),
      { code: 'object_missing' },
    );
  });
});

describe('large files', () => {
  const count = 100_000;
  for (const format of ['csv', 'jsonl', 'parquet'] as const) {
    test(`${format}: reads ${count} rows in bounded memory, and aborts mid-read`, async () => {
      const connection = open(`large-${format}`, { format });
      const context = createMockRunContext();
      const destination = connection.bulkDestination!;
      await destination.apply(context, {
        kind: 'create_table',
        schemaId: 'big',
        fields: [
          { id: 'id', type: 'number', remote_type: 'integer' },
          { id: 'text', type: 'string' },
        ],
        primaryKey: ['id'],
      });
      const padding = 'x'.repeat(200);
      for (let start = 0; start < count; start += 50_000) {
        const records = Array.from({ length: 50_000 }, (_, index) => ({
          id: start + index + 1,
          text: `${padding}${start + index}`,
        }));
        await destination.write(context, { schemaId: 'big', mode: 'insert', records });
      }
      const { seen, peak } = await peakRetainedHeap(
        connection.bulkSource!.read(context, { schemaId: 'big', batchSize: 1000 }),
        { every: 20 },
      );
      assert.equal(seen, count);
      // The whole table is about 100k × 220 bytes of text (~45 MB as JS strings); one batch is ~0.5 MB.
      // Parquet holds one row group (10k rows) at a time.
      assert.ok(peak < 30 * 1024 * 1024, `retained ${Math.round(peak / 1024 / 1024)} MB while reading`);

      const abortable = createMockRunContext();
      let read = 0;
      const started = performance.now();
      await assert.rejects(
        (async () => {
          for await (const batch of connection.bulkSource!.read(abortable, { schemaId: 'big', batchSize: 500 })) {
            read += batch.length;
            if (read >= 1000) abortable.abort();
          }
        })(),
        { code: 'canceled' },
      );
      assert.equal(read, 1000);
      assert.ok(performance.now() - started < 2000, 'stopped promptly');
    });
  }
});
