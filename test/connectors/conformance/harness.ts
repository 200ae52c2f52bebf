// What the conformance suite needs from one connector's test file. Seeding and reading back go
// through the real system's own client (not through the connector under test), so a bug in the
// connector cannot hide itself.
import type { Connector } from '../../../src/connectors/connector.ts';
import type { Row, UtilFieldType } from '../../../src/connectors/records.ts';
import type { ConnectorErrorCode } from '../../../src/connectors/connector-error.ts';

/** Dialect-neutral column kinds; each harness names its native type for each. */
export const ColumnKind = {
  integer: 'integer',
  bigint: 'bigint',
  decimal: 'decimal',
  float: 'float',
  text: 'text',
  boolean: 'boolean',
  timestamptz: 'timestamptz',
  timestamp: 'timestamp',
  date: 'date',
  json: 'json',
  binary: 'binary',
} as const;
export type ColumnKind = (typeof ColumnKind)[keyof typeof ColumnKind];

export interface ColumnSpec {
  name: string;
  kind: ColumnKind;
  /** NOT NULL; primary-key columns are always not null. */
  required?: boolean;
}

interface FailingConfiguration {
  name: string;
  configuration: Record<string, unknown>;
  code: ConnectorErrorCode;
}

export interface HarnessSession {
  connector: Connector;
  configuration: Record<string, unknown>;
  /** The schema id of a table this session seeds, e.g. `public.t` or `t`. */
  schemaId(table: string): string;
  /** Native type for a column kind; undefined means the connector does not support it (skipped). */
  nativeType(kind: ColumnKind): string | undefined;
  /** Creates `table` with `columns` and inserts `rows` (canonical JS values) with the native client. */
  seed(table: string, columns: ColumnSpec[], primaryKey: string[], rows: Row[]): Promise<void>;
  /** Reads a table with the native client, ordered by `orderBy`, values in the connector's conventions. */
  readTable(table: string, orderBy: string): Promise<Row[]>;
  /**
   * For destinations with namespaces (PostgreSQL schemas, MySQL databases): table ids in a namespace that does not
   * exist yet, which the destination must create with the first table, and a native read of them. The harness
   * removes the namespace on close. Absent: `noNamespaces` says why the destination has none.
   */
  newNamespace?: { schemaId(table: string): string; readTable(table: string, orderBy: string): Promise<Row[]> };
  noNamespaces?: string;
  /** Configurations that must fail `test()` with the given code. */
  failingConfigurations: FailingConfiguration[];
  /** Failure codes this harness cannot provoke, with the reason (reported as explicit skips). */
  untestableFailures?: Partial<Record<ConnectorErrorCode, string>>;
  /** Where a connector reads a kind differently from the canonical value (documented per dialect). */
  expectedType?: Partial<Record<ColumnKind, UtilFieldType>>;
  close(): Promise<void>;
}

export interface ConformanceHarness {
  name: string;
  /** Resolves to a reason when the system is unavailable (the whole suite is skipped with it). */
  unavailable(): Promise<string | undefined>;
  open(): Promise<HarnessSession>;
}
