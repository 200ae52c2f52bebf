// Conformance harnesses for the files connector, one per format. Seeding and reading back use the
// format's own libraries (csv-stringify / csv-parse, JSON, hyparquet-writer / hyparquet), never the
// connector, so a bug in the connector cannot hide itself.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { parquetReadObjects } from 'hyparquet';
import { parquetWriteBuffer } from 'hyparquet-writer';
import type { SchemaElement } from 'hyparquet';
import type { Connection, Connector } from '../../../src/connectors/connector.ts';
import { createFilesConnector } from '../../../src/connectors/files/files-connector.ts';
import type { Row } from '../../../src/connectors/records.ts';
import type { ColumnKind, ColumnSpec, ConformanceHarness } from '../conformance/harness.ts';

export type FormatName = 'csv' | 'jsonl' | 'parquet';

/** Kinds a format cannot carry through a foreign file, and why (reported as skips by the suite). */
const lossyKinds: Record<FormatName, Partial<Record<ColumnKind, string>>> = {
  csv: {
    float: 'CSV has no types: 1.5 is inferred as an exact decimal string, like any number with a fraction',
    binary: 'CSV has no binary: bytes can only be text, and text is inferred as a string',
  },
  jsonl: {
    bigint: 'JSON numbers are doubles, so 64-bit integers travel as strings, which read back as type string',
    decimal: 'JSON numbers are doubles, so exact decimals travel as strings, which read back as type string',
    binary: 'JSON has no bytes: binary travels as base64 text, which reads back as type string',
  },
  parquet: {},
};

const parquetElements: Record<ColumnKind, Omit<SchemaElement, 'name'>> = {
  integer: { type: 'INT32' },
  bigint: { type: 'INT64' },
  decimal: { type: 'FIXED_LEN_BYTE_ARRAY', type_length: 16, converted_type: 'DECIMAL', precision: 38, scale: 9 },
  float: { type: 'DOUBLE' },
  text: { type: 'BYTE_ARRAY', converted_type: 'UTF8' },
  boolean: { type: 'BOOLEAN' },
  timestamptz: { type: 'INT64', logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MICROS' } },
  timestamp: { type: 'INT64', logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: false, unit: 'MICROS' } },
  date: { type: 'INT32', converted_type: 'DATE' },
  json: { type: 'BYTE_ARRAY', converted_type: 'JSON' },
  binary: { type: 'BYTE_ARRAY' },
};

function micros(iso: string): bigint {
  const utc = new Date(iso.endsWith('Z') || /[+-]\d\d:\d\d$/.test(iso) ? iso : `${iso}Z`);
  const fraction = /\.(\d+)/.exec(iso)?.[1] ?? '';
  return BigInt(Math.floor(utc.getTime() / 1000)) * 1_000_000n + BigInt(fraction.padEnd(6, '0').slice(0, 6));
}

function parquetValue(kind: ColumnKind, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (kind) {
    case 'bigint':
      return BigInt(value as string);
    case 'decimal': {
      const [whole, fraction = ''] = String(value).split('.');
      return BigInt(`${whole}${fraction.padEnd(9, '0')}`);
    }
    case 'timestamptz':
    case 'timestamp':
      return micros(value as string);
    case 'date':
      return Math.round(Date.parse(`${value as string}T00:00:00Z`) / 86_400_000);
    default:
      return value;
  }
}

/** Zoned microseconds as Ferry's ISO text (the harness's own, not the connector's, conversion). */
function isoOfMicros(micros: bigint): string {
  const millis = Number(micros / 1000n);
  return new Date(millis).toISOString().replace(/\.\d{3}Z$/, `.${(micros % 1_000_000n).toString().padStart(6, '0')}Z`);
}

function csvText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** Reads a table file as the format's own library gives it; CSV integers become numbers for comparison. */
export function readFileTable(directory: string, format: FormatName, table: string): Row[] {
  const path = join(directory, `${table}.${format}`);
  if (format === 'csv') {
    const records = parse(readFileSync(path), {
      cast: (value, context) =>
        value === '' && !context.quoting ? null : /^-?\d+$/.test(value) ? Number(value) : value,
    }) as unknown[][];
    const [header, ...rows] = records;
    return rows.map((row) => Object.fromEntries((header as string[]).map((name, index) => [name, row[index] ?? null])));
  }
  if (format === 'jsonl') {
    return readFileSync(path, 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as Row);
  }
  return [];
}

export function fileHarness(format: FormatName, connector: Connector = createFilesConnector()): ConformanceHarness {
  return {
    name: `files (${format})`,
    unavailable: async () => undefined,
    async open() {
      const directory = mkdtempSync(join(tmpdir(), `ferry-files-${format}-`));
      const path = (table: string) => join(directory, `${table}.${format}`);
      return {
        // The model-sync cases need update, upsert, delete and NOT NULL constraints, which files do
        // not have; files.test.ts reports that skip with its reason and tests the insert-only target.
        connector: withoutModelTarget(connector),
        configuration: { path: directory, format },
        schemaId: (table) => table,
        noNamespaces: 'a files destination is one directory of files: a dotted id is one file name',
        nativeType: (kind) => (lossyKinds[format][kind] ? undefined : kind),
        async seed(table, columns: ColumnSpec[], _primaryKey, rows) {
          if (format === 'csv') {
            const records = [
              columns.map((column) => column.name),
              ...rows.map((row) => columns.map((column) => csvText(row[column.name]))),
            ];
            writeFileSync(path(table), stringify(records, { quoted_string: true }));
          } else if (format === 'jsonl') {
            writeFileSync(path(table), rows.map((row) => `${JSON.stringify(row)}\n`).join(''));
          } else {
            const schema: SchemaElement[] = [
              { name: 'root', num_children: columns.length },
              ...columns.map((column) => ({
                name: column.name,
                repetition_type:
                  column.required || _primaryKey.includes(column.name) ? ('REQUIRED' as const) : ('OPTIONAL' as const),
                ...parquetElements[column.kind],
              })),
            ];
            const columnData = columns.map((column) => ({
              name: column.name,
              data: rows.map((row) => parquetValue(column.kind, row[column.name])),
            }));
            writeFileSync(path(table), Buffer.from(parquetWriteBuffer({ columnData, schema })));
          }
        },
        async readTable(table, orderBy) {
          const rows =
            format === 'parquet'
              ? (
                  (await parquetReadObjects({
                    file: new Uint8Array(readFileSync(path(table))).buffer,
                    parsers: { timestampFromMicroseconds: isoOfMicros },
                  })) as Row[]
                ).map((row) =>
                  Object.fromEntries(
                    Object.entries(row).map(([key, value]) => [
                      key,
                      typeof value === 'bigint' ? Number(value) : (value ?? null),
                    ]),
                  ),
                )
              : readFileTable(directory, format, table);
          return rows.sort((left, right) => ((left[orderBy] as number) < (right[orderBy] as number) ? -1 : 1));
        },
        expectedType: format === 'jsonl' ? { decimal: 'string' } : undefined,
        failingConfigurations: [
          {
            name: 'directory missing',
            configuration: { path: join(directory, 'nowhere'), format },
            code: 'database_missing',
          },
        ],
        untestableFailures: {
          host_unreachable: 'files are on a local disk: there is no host',
          authentication_failed: 'a local directory has no authentication (permissions are permission_denied)',
        },
        async close() {
          rmSync(directory, { recursive: true, force: true });
        },
      };
    },
  };
}

function withoutModelTarget(connector: Connector): Connector {
  return {
    ...connector,
    validate: (configuration) => connector.validate(configuration),
    open(configuration): Connection {
      const connection = connector.open(configuration);
      return {
        type: connection.type,
        test: (context) => connection.test(context),
        close: () => connection.close(),
        bulkSource: connection.bulkSource,
        bulkDestination: connection.bulkDestination,
      };
    },
  };
}
