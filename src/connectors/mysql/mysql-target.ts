// Model-sync target on MySQL/MariaDB: tables are objects; the shared per-record writer does the rest.
import type { ModelTarget } from '../connector.ts';
import { ConnectorError } from '../connector-error.ts';
import { writeTargetRecords } from '../sql/sql-target-writer.ts';
import type { RunContext } from '../../domain/run-context.ts';
import type { MysqlClient } from './mysql-client.ts';
import { mysqlDialect } from './mysql-dialect.ts';
import { classifyMysqlError } from './mysql-errors.ts';
import { describeMysqlTables } from './mysql-introspector.ts';
import { encodeMysqlValue, mysqlTypeFor } from './mysql-types.ts';
import { tableColumnAsTargetField } from '../sql/table-target-field.ts';

const modes = ['create', 'update', 'updateOrCreate', 'remove'];

export function createMysqlTarget(client: MysqlClient): ModelTarget {
  const describe = async (context: RunContext, objectId: string) => {
    const [schema] = await describeMysqlTables(context, client, objectId);
    if (!schema) throw new ConnectorError(`Table ${objectId} does not exist`, { code: 'object_missing' });
    return schema;
  };
  return {
    async listObjects(context) {
      return (await describeMysqlTables(context, client)).map((schema) => ({
        id: schema.id,
        name: schema.name,
        modes,
      }));
    },
    async describeObject(context, objectId) {
      return (await describe(context, objectId)).fields.map(tableColumnAsTargetField);
    },
    async createField(context, objectId, field) {
      const schema = await describe(context, objectId);
      if (schema.fields.some((known) => known.id === field.id)) return;
      await client.query(
        context,
        `alter table ${mysqlDialect.quoteTable(objectId)} add column ${mysqlDialect.quoteIdentifier(field.id)} ${mysqlTypeFor(field)}`,
      );
    },
    async write(context, request) {
      const { kinds } = await describe(context, request.objectId);
      const connection = await client.promise.getConnection();
      try {
        await connection.beginTransaction();
        const result = await writeTargetRecords(
          context,
          {
            dialect: mysqlDialect,
            async run(statement) {
              const [outcome] = await connection.query(statement.text, statement.values);
              return (outcome as { affectedRows?: number }).affectedRows ?? 0;
            },
            async rows(statement) {
              const [rows] = await connection.query(statement.text, statement.values);
              return rows as Record<string, unknown>[];
            },
            classify: (error) => classifyMysqlError(error),
            encode: (column, value) => encodeMysqlValue(kinds.get(column), value),
            async restartTransaction() {
              await connection.rollback();
              await connection.beginTransaction();
            },
          },
          request,
        );
        await connection.commit();
        return result;
      } catch (error: unknown) {
        await connection.rollback().catch(() => {});
        throw classifyMysqlError(error, `writing ${request.objectId}`);
      } finally {
        connection.release();
      }
    },
  };
}
