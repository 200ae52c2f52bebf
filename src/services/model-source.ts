// The SQL a model stands for, on its opened source connection: what the model-sync engine reads and what the
// models API samples. Query models run their query; table models read the whole table, quoted for the dialect.
import type { AppContext } from '../app-context.ts';
import type { Connection } from '../connectors/connector.ts';
import { mysqlDialect } from '../connectors/mysql/mysql-dialect.ts';
import { postgresDialect } from '../connectors/postgres/postgres-dialect.ts';
import type { SqlDialect } from '../connectors/sql/sql-dialect.ts';
import { sqliteDialect } from '../connectors/sqlite/sqlite-dialect.ts';
import { ApiError } from '../api/errors.ts';
import { connectionsService } from './connections-service.ts';
import { type Model, type ModelConfiguration, modelFromRow } from './model-record.ts';

/** Connection type id → how it quotes a table id; a table model needs its source's dialect. */
const dialects: Record<string, SqlDialect> = {
  postgresql: postgresDialect,
  mysql: mysqlDialect,
  sqlite: sqliteDialect,
};

/** The SQL of a model's configuration on a connection of type `connectionType`. */
export function modelQuery(connectionType: string, configuration: ModelConfiguration): string {
  if (typeof configuration.query === 'string') return configuration.query;
  const dialect = dialects[connectionType];
  if (!dialect) {
    throw new ApiError(
      'unprocessable',
      `configuration.table: connections of type ${connectionType} have no tables; use configuration.query`,
      {
        metadata: { field: 'configuration.table' },
      },
    );
  }
  return `SELECT * FROM ${dialect.quoteTable(configuration.table)}`;
}

/**
 * The model, its source connection (opened: the caller closes it) and the SQL to read. Undefined when the model
 * or its connection is not this organization's.
 */
export async function openModelSource(
  context: AppContext,
  organizationId: string,
  modelId: string,
): Promise<{ model: Model; connection: Connection; query: string } | undefined> {
  const row = await context.repositories.models.get(organizationId, modelId);
  if (!row) return undefined;
  const connectionRow = await context.repositories.connections.get(organizationId, row.connection_id);
  if (!connectionRow) return undefined;
  const model = modelFromRow(row);
  const query = modelQuery(connectionRow.type, model.configuration);
  const connection = await connectionsService(context).open(connectionRow);
  return { model, connection, query };
}
