// The SQL a model stands for, on its opened source connection: what the model-sync engine reads and what the
// models API samples. Query models run their query; table models read the whole table, quoted for the dialect.
import type { AppContext } from '../app-context.ts';
import type { Connection } from '../connectors/connector.ts';
import type { ConnectorRegistry } from '../connectors/registry.ts';
import { DomainError } from '../domain/domain-error.ts';
import { connectionsService } from './connections-service.ts';
import { type Model, type ModelConfiguration, modelFromRow } from './model-record.ts';

/**
 * The SQL of a model's configuration on a connection of type `connectionType`. A table model asks the type's
 * connector for its table query, so a connector that has tables brings its own.
 */
export function modelQuery(
  connectors: ConnectorRegistry,
  connectionType: string,
  configuration: ModelConfiguration,
): string {
  if (typeof configuration.query === 'string') return configuration.query;
  const tableQuery = connectors.get(connectionType)?.tableQuery;
  if (!tableQuery) {
    throw new DomainError(
      'unprocessable',
      `configuration.table: connections of type ${connectionType} have no tables; use configuration.query`,
      {
        details: { field: 'configuration.table' },
      },
    );
  }
  return tableQuery(configuration.table);
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
  const query = modelQuery(context.connectors, connectionRow.type, model.configuration);
  const connection = await connectionsService(context).open(connectionRow);
  return { model, connection, query };
}
