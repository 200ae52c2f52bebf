// Model-sync target on PostgreSQL: tables are objects; writes use the shared SQL target writer, whose batches travel
// as COPY into a staging table (postgres-staged-batch.ts) and whose bad batches fall back to one record at a time.
import type pg from 'pg';
import type { ModelTarget } from '../connector.ts';
import { ConnectorError } from '../connector-error.ts';
import { writeBatch } from '../sql/sql-batch-writer.ts';
import { writeTargetRecords } from '../sql/sql-target-writer.ts';
import type { PostgresClient } from './postgres-client.ts';
import { postgresDialect } from './postgres-dialect.ts';
import { classifyPostgresError } from './postgres-errors.ts';
import { describePostgresTable, listPostgresSchemas } from './postgres-introspector.ts';
import { ensureStaging, writeStagedBatch, type StagedTable } from './postgres-staged-batch.ts';
import { encodePostgresValue, postgresTypeFor } from './postgres-types.ts';
import { tableColumnAsTargetField } from '../sql/table-target-field.ts';

const modes = ['create', 'update', 'updateOrCreate', 'remove'];

// What a write needs from the catalog, in one round trip (bench/model-sync/writer-probe.ts: the introspector's query
// plus this one cost 2.2 ms a batch together, hence read once a run):
// - whether the table exists;
// - each column's type name for encoding values (as the introspector names it: 'array' for arrays);
// - each column's type for the staging table, schema-qualified and without its modifier (`varchar(20)` there would
//   refuse a long value at the COPY, or a cast to it truncate silently, where assigning to the column raises the
//   error the per-record path reports);
// - the unique keys an ON CONFLICT can name: immediate, whole-table indexes on plain columns.
const writeCatalogQuery = `
  select
    target.oid is not null as exists,
    (select json_agg(json_build_object('name', a.attname, 'type', quote_ident(n.nspname) || '.' || quote_ident(t.typname),
                                       'type_name', case when t.typcategory = 'A' then 'array' else t.typname end))
     from pg_attribute a
     join pg_type t on t.oid = a.atttypid
     join pg_namespace n on n.oid = t.typnamespace
     where a.attrelid = target.oid and a.attnum > 0 and not a.attisdropped) as columns,
    (select json_agg(array(select a.attname from unnest(i.indkey) as k(attnum) join pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.attnum))
     from pg_index i
     where i.indrelid = target.oid and i.indisunique and i.indimmediate and i.indpred is null and i.indexprs is null) as unique_keys
  from (select to_regclass($1) as oid) as target`;

interface WriteCatalog {
  exists: boolean;
  columns: { name: string; type: string; type_name: string }[] | null;
  unique_keys: string[][] | null;
}

/** A target table's catalog, as the writes use it for the connection's life (see createPostgresTarget). */
interface KnownTable {
  columns: Map<string, { name: string; type: string; type_name: string }>;
  uniqueKeys: string[][];
  staged: StagedTable;
}

function knownTable(objectId: string, catalog: WriteCatalog): KnownTable {
  const columns = new Map((catalog.columns ?? []).map((column) => [column.name, column]));
  const uniqueKeys = catalog.unique_keys ?? [];
  const encode = (column: string, value: unknown) => encodePostgresValue(columns.get(column)?.type_name, value);
  return {
    columns,
    uniqueKeys,
    staged: {
      objectId,
      columns: [...columns.values()],
      upsertsOnIdentity: (identity) =>
        uniqueKeys.some((key) => key.length === identity.length && key.every((column) => identity.includes(column))),
      encode,
    },
  };
}

export function createPostgresTarget(client: PostgresClient): ModelTarget {
  const describe = async (context: Parameters<ModelTarget['listObjects']>[0], objectId: string) => {
    const described = await describePostgresTable(context, client, objectId);
    if (!described) throw new ConnectorError(`Table ${objectId} does not exist`, { code: 'object_missing' });
    return described;
  };
  // The write catalog per table, read by the first write and kept: a connection lives for one execution, and a
  // run's writes would otherwise read it once a batch. It is forgotten when this target adds a column and when a
  // write fails for any reason but a bad record, so a table changed by someone else is read again by the next write.
  const catalogs = new Map<string, KnownTable>();
  const catalogOf = async (connection: pg.PoolClient, objectId: string) => {
    const known = catalogs.get(objectId);
    if (known) return known;
    const [catalog] = (await connection.query<WriteCatalog>(writeCatalogQuery, [postgresDialect.quoteTable(objectId)]))
      .rows;
    if (!catalog.exists) throw new ConnectorError(`Table ${objectId} does not exist`, { code: 'object_missing' });
    const table = knownTable(objectId, catalog);
    catalogs.set(objectId, table);
    return table;
  };
  return {
    // 5,000 records a write during a backfill: one COPY and one transaction for five engine batches.
    backfillWriteSize: 5000,
    async listObjects(context) {
      return (await listPostgresSchemas(context, client)).map((schema) => ({
        id: schema.id,
        name: schema.name,
        modes,
      }));
    },
    async describeObject(context, objectId) {
      return (await describe(context, objectId)).fields.map(tableColumnAsTargetField);
    },
    async createField(context, objectId, field) {
      catalogs.delete(objectId);
      await client.query(
        context,
        `alter table ${postgresDialect.quoteTable(objectId)} add column if not exists ${postgresDialect.quoteIdentifier(field.id)} ${postgresTypeFor(field)}`,
      );
    },
    async write(context, request) {
      return client.withClient(context, async (connection) => {
        let table: KnownTable;
        let staging: Awaited<ReturnType<typeof ensureStaging>>;
        try {
          table = await catalogOf(connection, request.objectId);
          staging = await ensureStaging(connection, table.staged);
        } catch (error: unknown) {
          catalogs.delete(request.objectId);
          throw error;
        }
        await connection.query('begin');
        try {
          const result = await writeTargetRecords(
            context,
            {
              dialect: postgresDialect,
              async run(statement) {
                return (await connection.query(statement.text, statement.values)).rowCount ?? 0;
              },
              async rows(statement) {
                return (await connection.query(statement.text, statement.values)).rows;
              },
              // For the shared statements' VALUES lists (see writeBatch below).
              castType: (column) => table.columns.get(column)?.type,
              uniqueKeys: table.uniqueKeys,
              classify: (error) => classifyPostgresError(error),
              encode: table.staged.encode,
              async restartTransaction() {
                await connection.query('rollback');
                await connection.query('begin');
              },
              // A column the kept catalog does not know (added since by someone else) has no place in the staging
              // table: that batch takes the shared statements, and the next write reads the catalog again.
              writeBatch(batchRequest, columns, records) {
                if (columns.every((column) => table.columns.has(column)))
                  return writeStagedBatch(connection, staging, batchRequest, columns, records);
                catalogs.delete(request.objectId);
                return writeBatch(this, batchRequest, columns, records, table.uniqueKeys);
              },
            },
            request,
          );
          await connection.query('commit');
          return result;
        } catch (error: unknown) {
          catalogs.delete(request.objectId);
          await connection.query('rollback').catch(() => {});
          throw error;
        }
      });
    },
  };
}
