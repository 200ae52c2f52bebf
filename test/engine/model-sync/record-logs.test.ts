// Record logs: gzip JSON Lines per type, readable with zlib and JSON.parse, with an index.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { createGzipRecordLogWriter } from '../../../src/engine/record-logs/gzip-record-log-writer.ts';
import { readRecordLogFile, readRecordLogIndex } from '../../../src/engine/record-logs/record-log-reader.ts';

test('one file per type that has entries, rolled over at the limit; index lists files and counts', async (t) => {
  const directory = mkdtempSync(join(tmpdir(), 'ferry-record-logs-'));
  t.after(() => rmSync(directory, { recursive: true, force: true }));
  const writer = createGzipRecordLogWriter({ directory: join(directory, 'execution-1'), maxRecordsPerFile: 4 });
  for (let index = 0; index < 10; index += 1) await writer.write('records', { index, text: 'é ✓ "quoted"\nline' });
  await writer.write('errors', { code: 'constraint_violation', record: { id: 1 } });
  const index = await writer.close();
  assert.deepEqual(await writer.close(), index, 'close is idempotent');
  assert.deepEqual(index, {
    records: { files: ['records-0001.jsonl.gz', 'records-0002.jsonl.gz', 'records-0003.jsonl.gz'], records: 10 },
    errors: { files: ['errors-0001.jsonl.gz'], records: 1 },
  });
  assert.deepEqual(await readRecordLogIndex(join(directory, 'execution-1')), index);
  assert.deepEqual(readdirSync(join(directory, 'execution-1')).sort(), [
    'errors-0001.jsonl.gz',
    'index.json',
    'records-0001.jsonl.gz',
    'records-0002.jsonl.gz',
    'records-0003.jsonl.gz',
  ]);
  // Plain zlib + JSON.parse, as any consumer would read them.
  const lines = index.records!.files.flatMap((name) =>
    gunzipSync(readFileSync(join(directory, 'execution-1', name)))
      .toString('utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line)),
  );
  assert.deepEqual(
    lines.map((line) => line.index),
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  );
  assert.equal(lines[0].text, 'é ✓ "quoted"\nline');
  const errors: unknown[] = [];
  for await (const entry of readRecordLogFile(join(directory, 'execution-1'), '../execution-1/errors-0001.jsonl.gz'))
    errors.push(entry);
  assert.deepEqual(errors, [{ code: 'constraint_violation', record: { id: 1 } }]);
  await assert.rejects(writer.write('records', {}), /closed/);
});

test('an execution that logs nothing leaves no directory and an empty index', async (t) => {
  const directory = join(mkdtempSync(join(tmpdir(), 'ferry-record-logs-')), 'never');
  t.after(() => rmSync(join(directory, '..'), { recursive: true, force: true }));
  assert.deepEqual(await createGzipRecordLogWriter({ directory }).close(), {});
  assert.deepEqual(await readRecordLogIndex(directory), {});
});

test('100,000 entries stream with bounded buffering', async (t) => {
  const directory = mkdtempSync(join(tmpdir(), 'ferry-record-logs-'));
  t.after(() => rmSync(directory, { recursive: true, force: true }));
  const writer = createGzipRecordLogWriter({ directory });
  for (let index = 0; index < 100_000; index += 1)
    await writer.write('inserts', { id: index, email: `user${index}@example.com` });
  const index = await writer.close();
  assert.equal(index.inserts?.records, 100_000);
  let count = 0;
  for await (const _entry of readRecordLogFile(directory, index.inserts!.files[0])) count += 1;
  assert.equal(count, 100_000);
});
