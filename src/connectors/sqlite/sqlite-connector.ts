// The `sqlite` connection type: one database file, given by `path`. The file must exist (a typo
// in the path should fail the test, not create an empty database somewhere).
import { Capability, type Connection, type Connector } from '../connector.ts';
import type { ConfigurationSchema } from '../configuration-schema.ts';
import { validateConfiguration } from '../configuration-schema.ts';
import { ConnectorError } from '../connector-error.ts';
import { selectWholeTable } from '../sql/sql-dialect.ts';
import { noDotRule } from '../identifier-rules.ts';
import { createSqliteClient } from './sqlite-client.ts';
import { createSqliteDestination } from './sqlite-destination.ts';
import { sqliteDialect } from './sqlite-dialect.ts';
import { classifySqliteError } from './sqlite-errors.ts';
import { createSqliteSource } from './sqlite-source.ts';
import { createSqliteTarget } from './sqlite-target.ts';

export interface SqliteConfiguration {
  path: string;
}

const sqliteConfigurationSchema: ConfigurationSchema = {
  type: 'object',
  properties: {
    path: { type: 'string', title: 'Database file', description: 'Path to an existing SQLite database file' },
  },
  required: ['path'],
};

export function createSqliteConnector(): Connector<SqliteConfiguration> {
  const connector: Connector<SqliteConfiguration> = {
    type: 'sqlite',
    name: 'SQLite',
    configurationSchema: sqliteConfigurationSchema,
    capabilities: [Capability.bulkSource, Capability.bulkDestination, Capability.modelSource, Capability.modelTarget],
    tableQuery: (tableId) => selectWholeTable(sqliteDialect, tableId),
    // SQLite sets no limit of its own; 1 KiB is far past any name a person means, and keeps statements sane.
    identifierRules: { maxBytes: 1024, refused: [noDotRule] },
    validate: (configuration) => validateConfiguration<SqliteConfiguration>(sqliteConfigurationSchema, configuration),
    open(configuration) {
      const checked = connector.validate(configuration);
      if (!checked.ok)
        throw new ConnectorError(checked.message, { code: 'invalid_configuration', field: checked.field });
      return openSqliteConnection(checked.value);
    },
  };
  return connector;
}

function openSqliteConnection(configuration: SqliteConfiguration): Connection {
  const client = createSqliteClient(configuration.path);
  const source = createSqliteSource(client);
  return {
    type: 'sqlite',
    async test() {
      try {
        client.writer().prepare('SELECT count(*) FROM sqlite_schema').get();
        return { ok: true };
      } catch (error: unknown) {
        const classified = classifySqliteError(error);
        return { ok: false, code: classified.code, message: classified.message };
      }
    },
    async close() {
      client.close();
    },
    bulkSource: source,
    bulkDestination: createSqliteDestination(client, source),
    modelSource: source,
    modelTarget: createSqliteTarget(client),
  };
}
