// An insert appends in place (no copy of the file): a crash at any step of the append must leave the table, when it
// is next opened, exactly as before the append (the engine has not checkpointed a write that did not return, and its
// resume writes the batch again) or, once the write returned, with the batch. Each step's on-disk state is built
// from the bytes of a real append, then a new connector (a restarted process) opens the directory.
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Connection } from '../../src/connectors/connector.ts';
import { createFilesConnector } from '../../src/connectors/files/files-connector.ts';
import { silentLogger } from '../../src/domain/run-context.ts';

const context = { signal: new AbortController().signal, log: silentLogger, heartbeat() {} };
let root: string;

before(() => {
  root = mkdtempSync(join(tmpdir(), 'ferry-append-interrupted-'));
});
after(() => rmSync(root, { recursive: true, force: true }));

function batch(from: number, count: number) {
  return Array.from({ length: count }, (_, index) => ({
    id: from + index,
    name: `name ${from + index}`,
    at: `2026-01-01T00:00:${String((from + index) % 60).padStart(2, '0')}.123456Z`,
  }));
}

const open = (directory: string, format: 'parquet' | 'csv' | 'jsonl'): Connection =>
  createFilesConnector().open({ path: directory, format });

const createEvents = (connection: Connection) =>
  connection.bulkDestination!.apply(context, {
    kind: 'create_table',
    schemaId: 'events',
    fields: [
      { id: 'id', type: 'number', remote_type: 'bigint' },
      { id: 'name', type: 'string' },
      { id: 'at', type: 'datetime' },
    ],
    primaryKey: ['id'],
  });

async function ids(connection: Connection): Promise<number[]> {
  const read: number[] = [];
  for await (const records of connection.bulkSource!.read(context, { schemaId: 'events' }))
    read.push(...records.map((record) => Number(record.id)));
  return read;
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, index) => from + index);

for (const format of ['parquet', 'csv', 'jsonl'] as const) {
  test(`${format}: an append interrupted at each step leaves the table as before it; a finished one keeps the batch`, async () => {
    // The state before the append (300 rows) and after it (500), from one real run.
    const source = join(root, `${format}-source`);
    mkdirSync(source);
    const first = open(source, format);
    await createEvents(first);
    await first.bulkDestination!.write(context, { schemaId: 'events', mode: 'insert', records: batch(1, 300) });
    const file = `events.${format}`;
    const beforeBytes = readFileSync(join(source, file));
    await first.bulkDestination!.write(context, { schemaId: 'events', mode: 'insert', records: batch(301, 200) });
    const afterBytes = readFileSync(join(source, file));
    // Nothing of the append is left behind once the write returned.
    assert.deepEqual(readdirSync(join(source, '.ferry')), [`${file}.json`]);

    // What the append changes: a Parquet footer is replaced (its length and the magic number end the file); text
    // formats only add bytes.
    const offset =
      format === 'parquet'
        ? beforeBytes.length - 8 - beforeBytes.readUInt32LE(beforeBytes.length - 8)
        : beforeBytes.length;
    assert.deepEqual(afterBytes.subarray(0, offset), beforeBytes.subarray(0, offset));
    const journal = JSON.stringify({ version: 1, offset, tail: beforeBytes.subarray(offset).toString('base64') });

    const added = afterBytes.length - offset;
    const states: { step: string; data: Buffer; journal?: boolean; partialJournal?: boolean }[] = [
      { step: 'while writing the journal', data: beforeBytes, partialJournal: true },
      { step: 'after the journal, before any change', data: beforeBytes, journal: true },
      { step: 'after cutting the old footer off', data: beforeBytes.subarray(0, offset), journal: true },
      ...[1, Math.floor(added / 4), Math.floor(added / 2), added - 1].map((written) => ({
        step: `with ${written} of the ${added} new bytes written`,
        data: afterBytes.subarray(0, offset + written),
        journal: true,
      })),
      { step: 'after the whole append, before the journal was removed', data: afterBytes, journal: true },
    ];
    for (const [index, state] of states.entries()) {
      const directory = join(root, `${format}-${index}`);
      cpSync(source, directory, { recursive: true });
      writeFileSync(join(directory, file), state.data);
      // The journal's place and form are the table store's (append-journal.ts).
      if (state.journal) writeFileSync(join(directory, '.ferry', `${file}.append.json`), journal);
      if (state.partialJournal) writeFileSync(join(directory, '.ferry', 'tmp-interrupted.json'), journal.slice(0, 20));

      const restarted = open(directory, format);
      assert.deepEqual(await ids(restarted), range(1, 300), state.step);
      assert.deepEqual(readFileSync(join(directory, file)), beforeBytes, state.step);
      assert.equal(existsSync(join(directory, '.ferry', `${file}.append.json`)), false, state.step);
      // The resume writes the batch again: every row once, in order.
      await restarted.bulkDestination!.write(context, { schemaId: 'events', mode: 'insert', records: batch(301, 200) });
      assert.deepEqual(await ids(restarted), range(1, 500), state.step);
    }

    // A write interrupted after the journal was removed had returned: the batch is there.
    assert.deepEqual(await ids(open(source, format)), range(1, 500));
  });
}

test('a write (not only a read) first undoes an interrupted append', async () => {
  const directory = join(root, 'write-first');
  mkdirSync(directory);
  const first = open(directory, 'parquet');
  await createEvents(first);
  await first.bulkDestination!.write(context, { schemaId: 'events', mode: 'insert', records: batch(1, 10) });
  const path = join(directory, 'events.parquet');
  const bytes = readFileSync(path);
  const offset = bytes.length - 8 - bytes.readUInt32LE(bytes.length - 8);
  writeFileSync(
    join(directory, '.ferry', 'events.parquet.append.json'),
    JSON.stringify({ version: 1, offset, tail: bytes.subarray(offset).toString('base64') }),
  );
  // A torn append: the footer cut off and half a row group's worth of bytes after it.
  writeFileSync(path, Buffer.concat([bytes.subarray(0, offset), Buffer.alloc(700, 7)]));
  const restarted = open(directory, 'parquet');
  await restarted.bulkDestination!.write(context, {
    schemaId: 'events',
    mode: 'upsert',
    primaryKey: ['id'],
    records: batch(11, 5),
  });
  assert.deepEqual(await ids(restarted), range(1, 15));
});
