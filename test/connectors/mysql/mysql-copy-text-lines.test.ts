// The COPY text printer on hand-built text-protocol row packets: every length encoding (1, 2, 3 and 8 byte), NULL,
// values long enough to take the bulk copy, booleans other than 0 and 1, lines split over buffers, a row larger than
// a buffer, and the cursor of the order column. The value test (test/engine/bulk) pins the types end to end.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CopyTextLines, printableInto } from '../../../src/connectors/mysql/mysql-copy-text-lines.ts';
import type { MysqlValueKind } from '../../../src/connectors/mysql/mysql-types.ts';

/** A row packet's payload: each value length-coded as MySQL's text protocol sends it; null as 0xfb. */
function packet(values: (string | Buffer | null)[]): Buffer {
  const parts: Buffer[] = [];
  for (const value of values) {
    if (value === null) {
      parts.push(Buffer.from([0xfb]));
      continue;
    }
    const bytes = typeof value === 'string' ? Buffer.from(value) : value;
    const length = bytes.length;
    if (length < 251) parts.push(Buffer.from([length]));
    else if (length < 2 ** 16) parts.push(Buffer.from([0xfc, length & 255, length >> 8]));
    else if (length < 2 ** 24) parts.push(Buffer.from([0xfd, length & 255, (length >> 8) & 255, length >> 16]));
    else {
      const header = Buffer.alloc(9);
      header[0] = 0xfe;
      header.writeBigUInt64LE(BigInt(length), 1);
      parts.push(header);
    }
    parts.push(bytes);
  }
  return Buffer.concat(parts);
}

function print(kinds: MysqlValueKind[], rows: (string | Buffer | null)[][], orderColumn?: number, suffix = '') {
  const buffers: Buffer[] = [];
  const lines = new CopyTextLines({ kinds, orderColumn, suffix }, (buffer) => buffers.push(Buffer.from(buffer)));
  // Each packet sits inside a larger buffer, as mysql2's are slices of what the socket read.
  for (const row of rows) {
    const payload = packet(row);
    const framed = Buffer.concat([Buffer.from('head'), payload, Buffer.from('tail')]);
    lines.row(framed, 4, 4 + payload.length);
  }
  lines.flush();
  return { text: Buffer.concat(buffers).toString(), buffers, cursor: lines.cursor() };
}

test('each kind is printed as COPY text reads it, NULLs as \\N', () => {
  const kinds: MysqlValueKind[] = [
    'bigint',
    'boolean',
    'boolean',
    'text',
    'binary',
    'timestamptz',
    'timestamp',
    'json',
  ];
  const { text } = print(kinds, [
    [
      '-9',
      '0',
      '2',
      'a\tb\nc\rd\\e é',
      Buffer.from([0, 0xab, 0x5c]),
      '2024-03-04 05:06:07.5',
      '2024-03-04 05:06:07',
      '{"a": "x\\ty"}',
    ],
    [null, null, null, null, null, null, null, null],
  ]);
  assert.equal(
    text,
    '-9\tf\tt\ta\\tb\\nc\\rd\\\\e é\t\\\\x00ab5c\t2024-03-04 05:06:07.5+00\t2024-03-04 05:06:07\t{"a": "x\\\\ty"}\n' +
      '\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\n',
  );
});

test('long values of every length encoding are printed whole, and lines continue across buffers', () => {
  const decimal = `${'9'.repeat(65)}.${'1'.repeat(30)}`;
  const medium = 'm'.repeat(300);
  const large = `${'l'.repeat(70_000)}\t`;
  const huge = 'h'.repeat(2 ** 24 + 5);
  const rows = Array.from({ length: 3000 }, (_, index) => [String(index), decimal, medium]);
  const { text, buffers } = print(
    ['integer', 'decimal', 'text'],
    [...rows, ['1', decimal, large], ['2', decimal, huge]],
  );
  const lines = text.split('\n');
  assert.equal(lines.length, 3003);
  assert.equal(lines[2999], `2999\t${decimal}\t${medium}`);
  assert.equal(lines[3000], `1\t${decimal}\t${'l'.repeat(70_000)}\\t`);
  assert.equal(lines[3001], `2\t${decimal}\t${huge}`);
  assert.ok(buffers.length > 3, `${buffers.length} buffers`);
});

test('the cursor is the order column’s last value, decoded as the record path decodes it, and a suffix ends each line', () => {
  const rows = [
    ['1', '2024-01-01 00:00:00'],
    ['2', '2024-01-01 00:00:01.25'],
  ];
  const printed = print(['integer', 'timestamp'], rows, 1, '\t2025-01-01T00:00:00.000Z');
  assert.equal(printed.cursor, '2024-01-01T00:00:01.250000');
  assert.equal(printed.text.split('\n')[0], '1\t2024-01-01 00:00:00\t2025-01-01T00:00:00.000Z');
  assert.equal(print(['integer', 'timestamp'], rows, 0).cursor, 2);
  assert.equal(print(['bigint'], [[null]], 0).cursor, undefined);
});

test('a kind is printed only into column types where its text means what the record path writes', () => {
  assert.ok(printableInto('float', 'float8'));
  assert.ok(!printableInto('float', 'text'), 'a float’s digits are not the text JavaScript prints');
  assert.ok(printableInto('json', 'jsonb'));
  assert.ok(!printableInto('json', 'json'), 'json keeps the text as written');
  assert.ok(!printableInto('text', 'jsonb'), 'a string into jsonb is a JSON string');
  assert.ok(printableInto('timestamp', 'timestamptz'));
  assert.ok(!printableInto('timestamp', 'text'));
  assert.ok(!printableInto('other', 'text'));
  assert.ok(!printableInto('integer', undefined), 'a column the table lacks');
});
