// The `postgresql` connection type. Its directCopy facet (postgres-direct-copy.ts) is the bulk engine's COPY fast
// path when the destination is PostgreSQL too; its changeCapture facet (postgres-change-capture.ts) is there when the
// configuration turns change_detection on. The connection also exposes its client, for tests and tools.
import { Capability, type Connection, type Connector } from '../connector.ts';
import { validateConfiguration } from '../configuration-schema.ts';
import { ConnectorError } from '../connector-error.ts';
import { noDotRule } from '../identifier-rules.ts';
import { createPostgresClient, type PostgresClient } from './postgres-client.ts';
import { selectWholeTable } from '../sql/sql-dialect.ts';
import { postgresConfigurationSchema, type PostgresConfiguration } from './postgres-configuration.ts';
import { createPostgresChangeCapture } from './postgres-change-capture.ts';
import { createPostgresDestination } from './postgres-destination.ts';
import { postgresDialect } from './postgres-dialect.ts';
import { createPostgresCopyTextDestination } from './postgres-copy-text-destination.ts';
import { createPostgresDirectCopy } from './postgres-direct-copy.ts';
import { classifyPostgresError } from './postgres-errors.ts';
import { createPostgresSource } from './postgres-source.ts';
import { createPostgresTarget } from './postgres-target.ts';

export interface PostgresConnection extends Connection {
  readonly type: 'postgresql';
  readonly client: PostgresClient;
  readonly configuration: PostgresConfiguration;
}

function isPostgresConnection(connection: Connection): connection is PostgresConnection {
  return connection.type === 'postgresql' && 'client' in connection;
}

export function createPostgresConnector(): Connector<PostgresConfiguration> {
  const connector: Connector<PostgresConfiguration> = {
    type: 'postgresql',
    name: 'PostgreSQL',
    configurationSchema: postgresConfigurationSchema,
    capabilities: [
      Capability.bulkSource,
      Capability.bulkDestination,
      Capability.modelSource,
      Capability.modelTarget,
      Capability.changeCapture,
    ],
    tableQuery: (tableId) => selectWholeTable(postgresDialect, tableId),
    // NAMEDATALEN - 1: PostgreSQL cuts a longer name (with a notice) instead of refusing it.
    identifierRules: { maxBytes: 63, refused: [noDotRule] },
    validate: (configuration) =>
      validateConfiguration<PostgresConfiguration>(postgresConfigurationSchema, configuration),
    open(configuration) {
      const checked = connector.validate(configuration);
      if (!checked.ok)
        throw new ConnectorError(checked.message, { code: 'invalid_configuration', field: checked.field });
      return openPostgresConnection(checked.value);
    },
  };
  return connector;
}

function openPostgresConnection(configuration: PostgresConfiguration): PostgresConnection {
  const client = createPostgresClient(configuration);
  const source = createPostgresSource(client);
  const changeCapture = configuration.change_detection ? createPostgresChangeCapture(client, configuration) : undefined;
  return {
    type: 'postgresql',
    client,
    configuration,
    async test(context) {
      try {
        await client.query(context, 'select 1');
        if (!changeCapture) return { ok: true };
        // A warning alone (wal_sender_timeout off) leaves the connection usable; with a real failure it is named too.
        const missing = (await changeCapture.check(context)).filter((requirement) => !requirement.ok);
        if (missing.every((requirement) => requirement.warning)) return { ok: true };
        return {
          ok: false,
          code: 'unsupported',
          message: `Change capture (change_detection) needs: ${missing.map((requirement) => requirement.message).join('; ')}`,
        };
      } catch (error: unknown) {
        const classified = classifyPostgresError(error);
        const where = `${configuration.hostname}:${configuration.port}`;
        const messages: Partial<Record<string, string>> = {
          host_unreachable: `Cannot reach ${where}: ${classified.message}`,
          authentication_failed: `Authentication failed for user "${configuration.username}": ${classified.message}`,
          database_missing: `Database "${configuration.database}" does not exist on ${where}`,
        };
        return { ok: false, code: classified.code, message: messages[classified.code] ?? classified.message };
      }
    },
    close: () => client.close(),
    bulkSource: source,
    bulkDestination: createPostgresDestination(client, source),
    modelSource: source,
    modelTarget: createPostgresTarget(client),
    changeCapture,
    copyTextDestination: createPostgresCopyTextDestination(client),
    directCopy: {
      to: (destination) =>
        isPostgresConnection(destination) ? createPostgresDirectCopy(client, destination.client) : undefined,
    },
  };
}
