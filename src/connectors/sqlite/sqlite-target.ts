// Model-sync target: tables are objects, columns are fields; writes go through the shared
// per-record SQL target writer inside one transaction per batch.
import type { ModelTarget } from '../connector.ts';
import { ConnectorError, throwIfAborted } from '../connector-error.ts';
import { writeTargetRecords } from '../sql/sql-target-writer.ts';
import type { SqliteClient } from './sqlite-client.ts';
import { sqliteDialect } from './sqlite-dialect.ts';
import { classifySqliteError } from './sqlite-errors.ts';
import { describeSqliteTable, listSqliteTables, sqliteColumnKinds } from './sqlite-introspector.ts';
import { declaredTypeFor, encodeSqliteValue } from './sqlite-types.ts';
import { tableColumnAsTargetField } from '../sql/table-target-field.ts';

const sqlTargetModes = ['create', 'update', 'updateOrCreate', 'remove'];

export function createSqliteTarget(client: SqliteClient): ModelTarget {
  const describe = (objectId: string) => {
    const schema = describeSqliteTable(client.writer(), objectId);
    if (!schema) throw new ConnectorError(`Table ${objectId} does not exist`, { code: 'object_missing' });
    return schema;
  };
  return {
    async listObjects() {
      return listSqliteTables(client.writer()).map((id) => ({ id, name: id, modes: sqlTargetModes }));
    },
    async describeObject(_context, objectId) {
      return describe(objectId).fields.map(tableColumnAsTargetField);
    },
    async createField(context, objectId, field) {
      throwIfAborted(context.signal);
      if (describe(objectId).fields.some((known) => known.id === field.id)) return;
      client
        .writer()
        .exec(
          `ALTER TABLE ${sqliteDialect.quoteTable(objectId)} ADD COLUMN ${sqliteDialect.quoteIdentifier(field.id)} ${declaredTypeFor(field)}`,
        );
    },
    async write(context, request) {
      const database = client.writer();
      const kinds = sqliteColumnKinds(describe(request.objectId));
      database.exec('BEGIN');
      try {
        const result = await writeTargetRecords(
          context,
          {
            dialect: sqliteDialect,
            async run(statement) {
              return database.prepare(statement.text).run(...statement.values).changes;
            },
            async rows(statement) {
              return database.prepare(statement.text).all(...statement.values) as Record<string, unknown>[];
            },
            classify: (error) => classifySqliteError(error),
            encode: (column, value) => encodeSqliteValue(kinds.get(column) ?? 'unknown', value),
          },
          request,
        );
        database.exec('COMMIT');
        return result;
      } catch (error: unknown) {
        database.exec('ROLLBACK');
        throw classifySqliteError(error, `writing ${request.objectId}`);
      }
    },
  };
}
