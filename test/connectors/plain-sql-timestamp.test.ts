// The character-by-character reading of MySQL's DATETIME/TIMESTAMP text must give exactly what the regular
// expression of toNaiveIso/toUtcIso gives, and leave every other shape to them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeMysqlValue } from '../../src/connectors/mysql/mysql-types.ts';
import { plainSqlTimestampToIso, toNaiveIso, toUtcIso } from '../../src/connectors/temporal-values.ts';

const plain = [
  '2024-03-04 05:06:07',
  '2024-03-04 05:06:07.1',
  '2024-03-04 05:06:07.12345',
  '2024-03-04 05:06:07.123456',
  '1970-01-01 00:00:00.000001',
  '9999-12-31 23:59:59.999999',
  '0000-00-00 00:00:00',
];

test('MySQL text timestamps read as toNaiveIso reads them', () => {
  for (const text of plain) assert.equal(plainSqlTimestampToIso(text), toNaiveIso(text), text);
});

test('other shapes are left to the regular expression', () => {
  for (const text of [
    '2024-03-04T05:06:07',
    '2024-03-04 05:06:07.',
    '2024-03-04 05:06:07.1234567',
    '2024-03-04 05:06:07Z',
    '2024-03-04 05:06:07+02:00',
    ' 2024-03-04 05:06:07',
    '2024-3-04 05:06:07.1',
    '2024-03-04 05:06:0x',
    '2024-03-04',
    '',
  ])
    assert.equal(plainSqlTimestampToIso(text), undefined, text);
});

test('MySQL DATETIME and TIMESTAMP decode as before', () => {
  for (const text of [...plain, '2024-03-04 05:06:07+02:00', '0000-00-00 00:00:00.000000', '0099-01-01 00:00:00']) {
    assert.equal(decodeMysqlValue('timestamp', text), toNaiveIso(text), text);
    assert.equal(decodeMysqlValue('timestamptz', text), toUtcIso(text), text);
  }
});
