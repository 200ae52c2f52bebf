// The `mysql` connection type (MySQL and MariaDB).
import { Capability, type Connection, type Connector } from '../connector.ts';
import { validateConfiguration } from '../configuration-schema.ts';
import { ConnectorError } from '../connector-error.ts';
import { selectWholeTable } from '../sql/sql-dialect.ts';
import { noDotRule } from '../identifier-rules.ts';
import { createMysqlClient } from './mysql-client.ts';
import { mysqlConfigurationSchema, type MysqlConfiguration } from './mysql-configuration.ts';
import { createMysqlDestination } from './mysql-destination.ts';
import { createMysqlDirectCopy } from './mysql-direct-copy.ts';
import { mysqlDialect } from './mysql-dialect.ts';
import { classifyMysqlError } from './mysql-errors.ts';
import { createMysqlChangeCapture, missingRequirements } from './mysql-change-capture.ts';
import { createMysqlSnapshots } from './mysql-snapshot.ts';
import { createMysqlSource } from './mysql-source.ts';
import { createMysqlTarget } from './mysql-target.ts';

export function createMysqlConnector(): Connector<MysqlConfiguration> {
  const connector: Connector<MysqlConfiguration> = {
    type: 'mysql',
    name: 'MySQL',
    configurationSchema: mysqlConfigurationSchema,
    capabilities: [
      Capability.bulkSource,
      Capability.bulkDestination,
      Capability.modelSource,
      Capability.modelTarget,
      Capability.changeCapture,
    ],
    tableQuery: (tableId) => selectWholeTable(mysqlDialect, tableId),
    // MySQL counts characters (64 at most), refuses a name that ends with a space, and characters past U+FFFF.
    identifierRules: {
      maxCharacters: 64,
      refused: [
        noDotRule,
        { pattern: / $/, reason: 'must not end with a space' },
        { pattern: /[\u{10000}-\u{10FFFF}]/u, reason: 'must not contain characters beyond U+FFFF' },
      ],
    },
    validate: (configuration) => validateConfiguration<MysqlConfiguration>(mysqlConfigurationSchema, configuration),
    open(configuration) {
      const checked = connector.validate(configuration);
      if (!checked.ok)
        throw new ConnectorError(checked.message, { code: 'invalid_configuration', field: checked.field });
      return openMysqlConnection(checked.value);
    },
  };
  return connector;
}

function openMysqlConnection(configuration: MysqlConfiguration): Connection {
  const client = createMysqlClient(configuration);
  const snapshots = createMysqlSnapshots(client);
  const source = createMysqlSource(client, snapshots);
  const changeCapture = configuration.change_detection ? createMysqlChangeCapture(client, snapshots) : undefined;
  return {
    type: 'mysql',
    async test(context) {
      try {
        await client.query(context, 'select 1');
        if (!changeCapture) return { ok: true };
        // With change capture on, a server that cannot stream changes fails the test, naming every missing part.
        const problem = missingRequirements(await changeCapture.check(context));
        return problem ? { ok: false, code: 'unsupported', message: problem } : { ok: true };
      } catch (error: unknown) {
        const classified = classifyMysqlError(error);
        const where = `${configuration.hostname}:${configuration.port}`;
        const messages: Partial<Record<string, string>> = {
          host_unreachable: `Cannot reach ${where}: ${classified.message}`,
          authentication_failed: `Authentication failed for account "${configuration.account}": ${classified.message}`,
          database_missing: `Database "${configuration.dbname}" does not exist on ${where}`,
        };
        return { ok: false, code: classified.code, message: messages[classified.code] ?? classified.message };
      }
    },
    async close() {
      await snapshots.releaseAll();
      await client.close();
    },
    bulkSource: source,
    bulkDestination: createMysqlDestination(client, source),
    modelSource: source,
    modelTarget: createMysqlTarget(client),
    ...(changeCapture ? { changeCapture } : {}),
    // Into a destination that loads COPY text (PostgreSQL), rows go as the text the protocol sent, not as records.
    directCopy: {
      to: ({ copyTextDestination }) =>
        copyTextDestination ? createMysqlDirectCopy(client, snapshots, copyTextDestination) : undefined,
    },
  };
}
