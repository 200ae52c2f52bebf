// pgoutput and replication-protocol framing, on hand-built messages (the byte layouts of the PostgreSQL docs), so
// message kinds the live tests rarely meet are covered too.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodePgoutputMessage } from '../../../src/connectors/postgres/pgoutput-messages.ts';
import { formatLsn, parseLsn } from '../../../src/connectors/postgres/postgres-lsn.ts';
import {
  parseServerMessage,
  postgresTimestampToDate,
  standbyStatusUpdate,
} from '../../../src/connectors/postgres/postgres-replication-messages.ts';

const byte = (value: number) => Buffer.from([value]);
const int16 = (value: number) => Buffer.from([(value >> 8) & 0xff, value & 0xff]);
const int32 = (value: number) => {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32BE(value);
  return buffer;
};
const int64 = (value: bigint) => {
  const buffer = Buffer.alloc(8);
  buffer.writeBigUInt64BE(value);
  return buffer;
};
const text = (value: string) => Buffer.concat([Buffer.from(value, 'utf8'), byte(0)]);
const char = (value: string) => byte(value.charCodeAt(0));
const tuple = (...values: (string | null | 'UNCHANGED')[]) =>
  Buffer.concat([
    int16(values.length),
    ...values.map((value) =>
      value === null
        ? char('n')
        : value === 'UNCHANGED'
          ? char('u')
          : Buffer.concat([char('t'), int32(Buffer.byteLength(value)), Buffer.from(value)]),
    ),
  ]);

describe('pgoutput messages', () => {
  test('Begin, Commit and Relation', () => {
    assert.deepEqual(decodePgoutputMessage(Buffer.concat([char('B'), int64(0x1_0000_0020n), int64(5n), int32(77)])), {
      tag: 'begin',
      finalLsn: 0x1_0000_0020n,
      commitTime: 5n,
      xid: 77,
    });
    assert.deepEqual(decodePgoutputMessage(Buffer.concat([char('C'), byte(0), int64(10n), int64(20n), int64(30n)])), {
      tag: 'commit',
      commitLsn: 10n,
      endLsn: 20n,
      commitTime: 30n,
    });
    const relation = Buffer.concat([
      char('R'),
      int32(16384),
      text('public'),
      text('users'),
      char('d'),
      int16(2),
      byte(1),
      text('id'),
      int32(23),
      int32(0xffffffff),
      byte(0),
      text('naïve'),
      int32(25),
      int32(0xffffffff),
    ]);
    assert.deepEqual(decodePgoutputMessage(relation), {
      tag: 'relation',
      relationOid: 16384,
      namespace: 'public',
      name: 'users',
      replicaIdentity: 'd',
      columns: [
        { isKey: true, name: 'id', typeOid: 23, typeModifier: -1 },
        { isKey: false, name: 'naïve', typeOid: 25, typeModifier: -1 },
      ],
    });
  });

  test('Insert, Update with and without old values, Delete, Truncate', () => {
    assert.deepEqual(decodePgoutputMessage(Buffer.concat([char('I'), int32(9), char('N'), tuple('1', null, 'ü')])), {
      tag: 'insert',
      relationOid: 9,
      newTuple: ['1', null, 'ü'],
    });
    assert.deepEqual(decodePgoutputMessage(Buffer.concat([char('U'), int32(9), char('N'), tuple('1', 'UNCHANGED')])), {
      tag: 'update',
      relationOid: 9,
      oldKey: undefined,
      oldTuple: undefined,
      newTuple: ['1', { unchanged: true }],
    });
    assert.deepEqual(
      decodePgoutputMessage(
        Buffer.concat([char('U'), int32(9), char('K'), tuple('1', null), char('N'), tuple('2', 'x')]),
      ),
      { tag: 'update', relationOid: 9, oldKey: ['1', null], oldTuple: undefined, newTuple: ['2', 'x'] },
    );
    assert.deepEqual(
      decodePgoutputMessage(
        Buffer.concat([char('U'), int32(9), char('O'), tuple('1', 'a'), char('N'), tuple('1', 'b')]),
      ),
      { tag: 'update', relationOid: 9, oldKey: undefined, oldTuple: ['1', 'a'], newTuple: ['1', 'b'] },
    );
    assert.deepEqual(decodePgoutputMessage(Buffer.concat([char('D'), int32(9), char('O'), tuple('1', 'a')])), {
      tag: 'delete',
      relationOid: 9,
      oldKey: undefined,
      oldTuple: ['1', 'a'],
    });
    assert.deepEqual(decodePgoutputMessage(Buffer.concat([char('T'), int32(2), byte(1), int32(9), int32(10)])), {
      tag: 'truncate',
      relationOids: [9, 10],
    });
    assert.deepEqual(decodePgoutputMessage(Buffer.concat([char('O'), int64(1n), text('origin')])), { tag: 'ignored' });
    assert.throws(() => decodePgoutputMessage(char('Z')), /unexpected message type/);
  });
});

describe('replication protocol messages', () => {
  test('XLogData and keepalives', () => {
    const data = Buffer.concat([char('w'), int64(100n), int64(200n), int64(0n), Buffer.from('payload')]);
    assert.deepEqual(parseServerMessage(data), {
      kind: 'xlogData',
      walStart: 100n,
      walEnd: 200n,
      data: Buffer.from('payload'),
    });
    assert.deepEqual(parseServerMessage(Buffer.concat([char('k'), int64(300n), int64(0n), byte(1)])), {
      kind: 'keepalive',
      walEnd: 300n,
      replyRequested: true,
    });
  });

  test('a standby status update reports the position as written, flushed and applied, with a PostgreSQL clock', () => {
    const at = Date.UTC(2026, 0, 2, 3, 4, 5, 600);
    const update = standbyStatusUpdate(parseLsn('16/B374D848'), at, true);
    assert.equal(update.length, 34);
    assert.equal(String.fromCharCode(update[0] ?? 0), 'r');
    for (const offset of [1, 9, 17]) assert.equal(formatLsn(update.readBigUInt64BE(offset)), '16/B374D848');
    assert.equal(postgresTimestampToDate(update.readBigInt64BE(25)).getTime(), at);
    assert.equal(update[33], 1);
  });

  test('LSNs round-trip and order as numbers', () => {
    assert.equal(formatLsn(parseLsn('0/16B3748')), '0/16B3748');
    assert.ok(parseLsn('1/0') > parseLsn('0/FFFFFFFF'));
    assert.throws(() => parseLsn('not an lsn'));
  });
});
