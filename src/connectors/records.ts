// The shapes data travels in between connectors and engines.
// Value conventions (docs/connectors.md has the full table):
// - decimals and 64-bit integers are strings, so no precision is lost in a JS number;
// - timestamps with a zone are ISO 8601 strings in UTC ending in `Z`; without a zone, ISO without
//   an offset; dates are `YYYY-MM-DD`; sub-second digits are kept as the source gives them;
// - JSON is parsed (object, array or scalar); binary is a Buffer; null is null.

/** The API's UtilFieldType. */
export const UtilFieldType = {
  unknown: 'unknown',
  string: 'string',
  number: 'number',
  boolean: 'boolean',
  datetime: 'datetime',
  array: 'array',
  object: 'object',
  binary: 'binary',
} as const;
export type UtilFieldType = (typeof UtilFieldType)[keyof typeof UtilFieldType];

/** One record: plain object keyed by field id. */
export type Row = Record<string, unknown>;
/** Reads yield batches so that per-record overhead (await, heartbeat) is paid once per batch. */
export type RecordBatch = Row[];

export interface FieldDescription {
  /** Stable id: the column name as the source spells it. */
  id: string;
  name: string;
  type: UtilFieldType;
  /** The source's own type name, e.g. `numeric(38,9)`, `timestamp with time zone`, `TEXT`. */
  remote_type: string;
  is_primary_key: boolean;
  nullable: boolean;
}

export interface SchemaDescription {
  /** `public.users` (postgresql), `test.users` (mysql: database.table), `users` (sqlite). */
  id: string;
  name: string;
  fields: FieldDescription[];
}

/** A field as a destination is asked to create it. */
export interface FieldSpec {
  id: string;
  type: UtilFieldType;
  /** The source's type; used verbatim only when `remote_dialect` is the destination's own type id. */
  remote_type?: string;
  remote_dialect?: string;
}
