// The round-trip values for each column kind, in Ferry's value conventions (src/connectors/records.ts).
// `written` is what the harness seeds; `read` is what every connector must give back.
import type { UtilFieldType } from '../../../src/connectors/records.ts';
import type { ColumnKind } from './harness.ts';

export interface TypeCase {
  kind: ColumnKind;
  type: UtilFieldType;
  values: { written: unknown; read: unknown }[];
}

const same = (value: unknown) => ({ written: value, read: value });
const megabyte = 'ünïcødé 🚀 '.repeat(Math.ceil((1024 * 1024) / 12)).slice(0, 1024 * 1024);

export const typeCases: TypeCase[] = [
  { kind: 'integer', type: 'number', values: [same(42), same(-2147483648), same(2147483647)] },
  { kind: 'bigint', type: 'number', values: [same('9007199254740993'), same('-9223372036854775808')] },
  {
    kind: 'decimal',
    type: 'number',
    values: [same('12345678901234567890.123456789'), same('-0.000000001'), same('0.000000000')],
  },
  { kind: 'float', type: 'number', values: [same(1.5), same(-0.25)] },
  { kind: 'text', type: 'string', values: [same(''), same('héllo wörld — 日本語 🚀👩‍👩‍👧'), same(megabyte)] },
  { kind: 'boolean', type: 'boolean', values: [same(true), same(false)] },
  {
    kind: 'timestamptz',
    type: 'datetime',
    values: [
      same('2024-03-04T05:06:07.123456Z'),
      { written: '2024-03-04T07:06:07.5+02:00', read: '2024-03-04T05:06:07.500000Z' },
    ],
  },
  {
    kind: 'timestamp',
    type: 'datetime',
    values: [same('2024-03-04T05:06:07.123456'), same('1999-12-31T23:59:59.000000')],
  },
  { kind: 'date', type: 'datetime', values: [same('2024-02-29'), same('1970-01-01')] },
  {
    kind: 'json',
    type: 'object',
    values: [same({ a: 1, b: [1, 2, 'x'], c: { d: null, e: '🚀' } }), same([1, 'two', { three: 3 }])],
  },
  { kind: 'binary', type: 'binary', values: [same(Buffer.from([0, 1, 2, 127, 128, 255])), same(Buffer.alloc(0))] },
];
