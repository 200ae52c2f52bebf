// Binlog positions and the statements the binlog carries as text: pure functions, no server.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  bytesAfter,
  compareBinlogPlaces,
  decodeBinlogPosition,
  encodeBinlogPosition,
} from '../../../src/connectors/mysql/mysql-binlog-position.ts';
import { parseBinlogStatement } from '../../../src/connectors/mysql/mysql-binlog-statements.ts';

test('a position round-trips, and text that is not one is refused naming it', () => {
  for (const position of [
    { file: 'mariadb-bin.000007', offset: 1207, gtids: '0-1-318,2-5-9' },
    { file: 'binlog.000001', offset: 4 },
  ])
    assert.deepEqual(decodeBinlogPosition(encodeBinlogPosition(position)), position);
  for (const text of ['16/B374D848', '{"file":"a.1"}', '{"file":"","offset":4}', '{"file":"a.1","offset":-1}', 'null'])
    assert.throws(() => decodeBinlogPosition(text), /Not a MySQL binlog position/);
});

test('places order by file sequence (past its zero padding), then offset', () => {
  assert.ok(compareBinlogPlaces({ file: 'b.000009', offset: 900 }, { file: 'b.000010', offset: 4 }) < 0);
  assert.ok(compareBinlogPlaces({ file: 'b.999999', offset: 4 }, { file: 'b.1000000', offset: 4 }) < 0);
  assert.ok(compareBinlogPlaces({ file: 'b.000010', offset: 500 }, { file: 'b.000010', offset: 400 }) > 0);
  assert.equal(compareBinlogPlaces({ file: 'b.000010', offset: 400 }, { file: 'b.000010', offset: 400 }), 0);
});

test('bytes after a place sum the rest of its file and every later one; a purged file is unknown', () => {
  const files = [
    { name: 'b.000001', size: 1000 },
    { name: 'b.000002', size: 300 },
    { name: 'b.000003', size: 50 },
  ];
  assert.equal(bytesAfter({ file: 'b.000001', offset: 800 }, files), 200 + 300 + 50);
  assert.equal(bytesAfter({ file: 'b.000003', offset: 50 }, files), 0);
  assert.equal(bytesAfter({ file: 'b.000000', offset: 4 }, files), undefined);
});

test('statements: transaction control, and the table a TRUNCATE or ALTER TABLE names', () => {
  assert.deepEqual(parseBinlogStatement('BEGIN', 'shop'), { kind: 'begin' });
  assert.deepEqual(parseBinlogStatement('COMMIT', 'shop'), { kind: 'commit' });
  assert.deepEqual(parseBinlogStatement('ROLLBACK', 'shop'), { kind: 'rollback' });
  assert.deepEqual(parseBinlogStatement('ROLLBACK TO SAVEPOINT a', 'shop'), { kind: 'other' });
  assert.deepEqual(parseBinlogStatement('truncate orders', 'shop'), { kind: 'truncate', table: 'shop.orders' });
  assert.deepEqual(parseBinlogStatement('TRUNCATE TABLE `my``db`.`or ders`', 'shop'), {
    kind: 'truncate',
    table: 'my`db.or ders',
  });
  assert.deepEqual(parseBinlogStatement('/* app */ ALTER ONLINE TABLE IF EXISTS orders ADD COLUMN x int', 'shop'), {
    kind: 'alter',
    table: 'shop.orders',
  });
  assert.deepEqual(parseBinlogStatement('alter table crm . people add y int', 'shop'), {
    kind: 'alter',
    table: 'crm.people',
  });
  assert.deepEqual(parseBinlogStatement('create table orders (id int)', 'shop'), { kind: 'other' });
});
