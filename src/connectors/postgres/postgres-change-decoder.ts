// pgoutput messages → the contract's Changes. It keeps each relation's columns (pgoutput sends a Relation before the
// first row of a table in a session and again whenever its columns change) and parses text values with the same
// per-type parsers as BulkSource.read, so a streamed row equals the row a table read gives for it.
import type { RunContext } from '../../domain/run-context.ts';
import type { Change } from '../change-capture.ts';
import type { FieldDescription, Row } from '../records.ts';
import type { PostgresClient } from './postgres-client.ts';
import { splitSchemaId } from './postgres-introspector.ts';
import { fieldTypeOf, postgresTypeParsers } from './postgres-types.ts';
import type { PgoutputMessage, RelationColumn, TupleValue } from './pgoutput-messages.ts';

type RelationMessage = Extract<PgoutputMessage, { tag: 'relation' }>;
type RowMessage = Extract<PgoutputMessage, { tag: 'insert' | 'update' | 'delete' | 'truncate' }>;

interface Relation {
  schemaId: string;
  /** In the stream's schemaIds: its changes are emitted. */
  included: boolean;
  columns: (RelationColumn & { parse: (text: string) => unknown })[];
  primaryKey: string[];
  /** Column names, types and modifiers: a Relation with another signature changed the table. */
  signature: string;
}

interface FieldRow {
  name: string;
  remote_type: string;
  type_name: string;
  category: string;
  not_null: boolean;
  is_primary_key: boolean;
}

// The columns as the Relation message gives them, described from the catalog as describePostgresTable does.
const fieldsQuery = `
  select c.name, format_type(c.type_oid, c.type_modifier) as remote_type,
         case when t.typcategory = 'A' then 'array' else t.typname end as type_name,
         t.typcategory as category, coalesce(a.attnotnull, false) as not_null,
         coalesce(a.attnum = any(i.indkey), false) as is_primary_key
  from unnest($2::text[], $3::oid[], $4::int[]) with ordinality as c(name, type_oid, type_modifier, position)
  join pg_type t on t.oid = c.type_oid
  left join pg_attribute a on a.attrelid = $1::oid and a.attname = c.name and a.attnum > 0 and not a.attisdropped
  left join pg_index i on i.indrelid = $1::oid and i.indisprimary
  order by c.position`;

const parserFor = (typeOid: number) =>
  (
    postgresTypeParsers as unknown as { getTypeParser(oid: number, format: string): (text: string) => unknown }
  ).getTypeParser(typeOid, 'text');

export class PostgresChangeDecoder {
  private readonly relations = new Map<number, Relation>();
  private readonly schemaIds: Set<string>;
  private readonly catalog: PostgresClient;

  constructor(catalog: PostgresClient, schemaIds: string[]) {
    this.catalog = catalog;
    this.schemaIds = new Set(schemaIds.map((schemaId) => splitSchemaId(schemaId).join('.')));
  }

  /**
   * Records a relation's columns. The first Relation of an included table in a stream, and any that differs from the
   * one before, yields a `schema` change: the destination may lack columns added while no stream ran.
   */
  async relation(context: RunContext, message: RelationMessage): Promise<Change | undefined> {
    const schemaId = `${message.namespace}.${message.name}`;
    const signature = message.columns.map((column) => `${column.name}:${column.typeOid}:${column.typeModifier}`).join();
    const known = this.relations.get(message.relationOid);
    const included = this.schemaIds.has(schemaId);
    const columns = message.columns.map((column) => ({ ...column, parse: parserFor(column.typeOid) }));
    if (known && known.signature === signature && known.schemaId === schemaId) {
      known.columns = columns;
      return undefined;
    }
    if (!included) {
      this.relations.set(message.relationOid, { schemaId, included, columns, primaryKey: [], signature });
      return undefined;
    }
    const fields = await this.describe(context, message);
    const primaryKey = fields.filter((field) => field.is_primary_key).map((field) => field.id);
    this.relations.set(message.relationOid, { schemaId, included, columns, primaryKey, signature });
    return { kind: 'schema', schemaId, fields };
  }

  /** The changes one row message makes (an update that moves a key is a delete and an upsert). */
  rows(message: RowMessage): Change[] {
    if (message.tag === 'truncate') {
      return message.relationOids
        .map((oid) => this.known(oid))
        .filter((relation) => relation.included)
        .map((relation) => ({ kind: 'truncate', schemaId: relation.schemaId }));
    }
    const relation = this.known(message.relationOid);
    if (!relation.included) return [];
    const { schemaId } = relation;
    if (message.tag === 'insert') return [upsert(schemaId, readRow(relation, message.newTuple))];
    if (message.tag === 'delete') {
      const key = message.oldKey ? readKey(relation, message.oldKey) : readRow(relation, message.oldTuple ?? []).row;
      return [{ kind: 'delete', schemaId, key }];
    }
    const changed = readRow(relation, message.newTuple);
    if (message.oldTuple) fillUnchanged(relation, changed, message.oldTuple);
    const moved = message.oldKey
      ? readKey(relation, message.oldKey)
      : message.oldTuple && keyMoved(relation, message.oldTuple, message.newTuple)
        ? readRow(relation, message.oldTuple).row
        : undefined;
    const upserted = upsert(schemaId, changed);
    return moved ? [{ kind: 'delete', schemaId, key: moved }, upserted] : [upserted];
  }

  private known(relationOid: number): Relation {
    const relation = this.relations.get(relationOid);
    if (!relation) throw new Error(`pgoutput: a row of relation ${relationOid} came before its Relation message`);
    return relation;
  }

  private async describe(context: RunContext, message: RelationMessage): Promise<FieldDescription[]> {
    const { rows } = await this.catalog.query<FieldRow>(context, fieldsQuery, [
      message.relationOid,
      message.columns.map((column) => column.name),
      message.columns.map((column) => column.typeOid),
      message.columns.map((column) => column.typeModifier),
    ]);
    return rows.map((row) => ({
      id: row.name,
      name: row.name,
      type: fieldTypeOf(row.type_name, row.category),
      remote_type: row.remote_type,
      is_primary_key: row.is_primary_key,
      nullable: !row.not_null,
    }));
  }
}

interface ReadRow {
  row: Row;
  unchanged: string[];
}

function upsert(schemaId: string, { row, unchanged }: ReadRow): Change {
  return unchanged.length > 0 ? { kind: 'upsert', schemaId, row, unchanged } : { kind: 'upsert', schemaId, row };
}

function readRow(relation: Relation, tuple: TupleValue[]): ReadRow {
  const row: Row = {};
  const unchanged: string[] = [];
  for (let index = 0; index < tuple.length; index++) {
    const column = relation.columns[index];
    const value = tuple[index];
    if (!column) break;
    if (value === null) row[column.name] = null;
    else if (typeof value === 'string') row[column.name] = column.parse(value);
    else unchanged.push(column.name);
  }
  return { row, unchanged };
}

/** The old key tuple (K) carries the identity's columns; the others are null placeholders. */
function readKey(relation: Relation, tuple: TupleValue[]): Row {
  const key: Row = {};
  relation.columns.forEach((column, index) => {
    const value = tuple[index];
    if (column.isKey && typeof value === 'string') key[column.name] = column.parse(value);
  });
  return key;
}

/** Under REPLICA IDENTITY FULL the old row may carry what the new one left as unchanged TOAST. */
function fillUnchanged(relation: Relation, changed: ReadRow, oldTuple: TupleValue[]): void {
  changed.unchanged = changed.unchanged.filter((name) => {
    const index = relation.columns.findIndex((column) => column.name === name);
    const value = oldTuple[index];
    if (typeof value !== 'string') return true;
    changed.row[name] = relation.columns[index]?.parse(value);
    return false;
  });
}

/** Whether an update under REPLICA IDENTITY FULL changed the row's primary key (always, for a keyless table). */
function keyMoved(relation: Relation, oldTuple: TupleValue[], newTuple: TupleValue[]): boolean {
  if (relation.primaryKey.length === 0) return true;
  return relation.primaryKey.some((name) => {
    const index = relation.columns.findIndex((column) => column.name === name);
    return oldTuple[index] !== newTuple[index];
  });
}
