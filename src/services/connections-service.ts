// Connection use cases: validate a configuration against its type, seal it, test it, share it, and open it for
// the engines. A shared copy (parent_connection_id set) has no configuration of its own: it always uses its
// parent's, so changing the parent changes what the copy uses, and the copy never reveals it.
import { randomUUID } from 'node:crypto';
import type { AppContext } from '../app-context.ts';
import type { Principal } from './principal.ts';
import { DomainError, notFound, unprocessableField } from '../domain/domain-error.ts';
import type { Connection, ConnectionTestResult, Connector } from '../connectors/connector.ts';
import { ConnectorError } from '../connectors/connector-error.ts';
import { silentLogger } from '../domain/run-context.ts';
import type { ConnectionRow } from '../persistence/repositories/connections-repository.ts';
import { nowIso } from '../persistence/repositories/clock.ts';
import { actorOf } from './actor.ts';
import { createRedactedConfigurationCache } from './connection-redaction-cache.ts';
import { keepOmittedSecrets, MaskedSecretError, redactConfiguration } from './connection-secrets.ts';

type Configuration = Record<string, unknown>;

export interface ConnectionInput {
  name: string;
  type: string;
  configuration: Configuration;
  policies?: string[];
  healthcheck_interval?: string;
  validate?: boolean;
}

/** Connector test failures, in plain words, and the configuration field each most likely points at. */
const fieldForFailure: Record<string, string | undefined> = {
  host_unreachable: 'hostname',
  authentication_failed: 'password',
  database_missing: 'database',
  ssl_unsupported: 'ssl',
};

export function connectionsService(
  context: Pick<AppContext, 'repositories' | 'secretBox' | 'connectors' | 'config' | 'clock'>,
) {
  const { repositories, secretBox, connectors } = context;
  const redacted = createRedactedConfigurationCache();

  function connectorFor(type: string): Connector {
    const connector = connectors.get(type);
    if (!connector)
      throw unprocessableField('type', `unknown connection type "${type}"; GET /api/connection_types lists them`);
    return connector;
  }

  function checkConfiguration(connector: Connector, configuration: Configuration): Configuration {
    const checked = connector.validate(configuration);
    if (!checked.ok) {
      const field = checked.field ? `configuration.${checked.field}` : 'configuration';
      throw new DomainError('unprocessable', `${field}: ${checked.message}`, { details: { field } });
    }
    return configuration;
  }

  function sealedConfiguration(row: ConnectionRow): Configuration {
    return row.configuration_sealed ? (JSON.parse(secretBox.open(row.configuration_sealed)) as Configuration) : {};
  }

  /** What responses show of a connection's own configuration; a shared copy shows none. */
  function redactedConfiguration(row: ConnectionRow): Configuration {
    if (row.parent_connection_id || !row.configuration_sealed) return {};
    return redacted.get(row.id, row.configuration_sealed, row.type, () =>
      redactConfiguration(sealedConfiguration(row), connectors.get(row.type)?.configurationSchema),
    );
  }

  /** The incoming configuration with what responses hid taken from the stored one. */
  function withStoredSecrets(connector: Connector, incoming: Configuration, stored: Configuration): Configuration {
    try {
      return keepOmittedSecrets(incoming, stored, connector.configurationSchema);
    } catch (error: unknown) {
      if (error instanceof MaskedSecretError) throw unprocessableField(error.field, error.reason);
      throw error;
    }
  }

  /** The configuration a connection works with: its own, or its parent's for a shared copy. */
  async function effectiveConfiguration(row: ConnectionRow): Promise<Configuration> {
    if (!row.parent_connection_id) return sealedConfiguration(row);
    const parent = await repositories.connections.getAnywhere(row.parent_connection_id);
    if (!parent) throw new DomainError('conflict', 'The connection this copy was shared from no longer exists.');
    return effectiveConfiguration(parent);
  }

  async function runTest(connector: Connector, configuration: Configuration): Promise<ConnectionTestResult> {
    let connection: Connection | undefined;
    const signal = AbortSignal.timeout(context.config.connectionTestTimeoutMs);
    try {
      connection = connector.open(configuration);
      return await connection.test({ signal, log: silentLogger, heartbeat() {} });
    } catch (error) {
      if (error instanceof ConnectorError) return { ok: false, code: error.code, message: error.message };
      if (signal.aborted)
        return {
          ok: false,
          code: 'host_unreachable',
          message: `No answer within ${context.config.connectionTestTimeoutMs / 1000} s.`,
        };
      throw error;
    } finally {
      await connection?.close().catch(() => {});
    }
  }

  async function requireConnection(caller: Principal, id: string): Promise<ConnectionRow> {
    const row = await repositories.connections.get(caller.organizationId, id);
    if (!row) throw notFound('connection');
    return row;
  }

  function testFailure(result: Extract<ConnectionTestResult, { ok: false }>): DomainError {
    const field = fieldForFailure[result.code];
    return new DomainError('unprocessable', `Connection test failed: ${result.message}`, {
      details: { reason: result.code, ...(field ? { field: `configuration.${field}` } : {}) },
    });
  }

  return {
    connectorFor,
    requireConnection,
    /** Its id, revision and type alone (404 as requireConnection): what a reader checks its kept JSON against. */
    async requireConnectionRevision(caller: Principal, id: string) {
      const found = await repositories.connections.revision(caller.organizationId, id);
      if (!found) throw notFound('connection');
      return found;
    },
    effectiveConfiguration,
    sealedConfiguration,
    redactedConfiguration,

    /** Opens a live connection for engines and metadata endpoints; the caller closes it. */
    async open(row: ConnectionRow): Promise<Connection> {
      return connectorFor(row.type).open(await effectiveConfiguration(row));
    },

    async test(type: string, configuration: Configuration, existing?: ConnectionRow): Promise<ConnectionTestResult> {
      const connector = connectorFor(type);
      const merged = existing
        ? withStoredSecrets(connector, configuration, await effectiveConfiguration(existing))
        : configuration;
      checkConfiguration(connector, merged);
      return runTest(connector, merged);
    },

    async create(caller: Principal, organizationId: string, input: ConnectionInput): Promise<ConnectionRow> {
      const connector = connectorFor(input.type);
      const configuration = checkConfiguration(connector, input.configuration);
      const result = await runTest(connector, configuration);
      if (!result.ok && input.validate) throw testFailure(result);
      const actor = JSON.stringify(actorOf(caller));
      const now = nowIso(context.clock);
      const row: ConnectionRow = {
        id: randomUUID(),
        organization_id: organizationId,
        name: input.name,
        type: input.type,
        configuration_sealed: secretBox.seal(JSON.stringify(configuration)),
        parent_connection_id: null,
        policies: JSON.stringify(input.policies ?? []),
        healthcheck_interval: input.healthcheck_interval ?? null,
        status: result.ok ? 'healthy' : 'unhealthy',
        status_error: result.ok ? null : result.message,
        created_at: now,
        created_by: actor,
        updated_at: now,
        updated_by: actor,
      };
      await repositories.connections.insert(row);
      return row;
    },

    async update(
      caller: Principal,
      id: string,
      input: Omit<ConnectionInput, 'type'> & { type?: string },
    ): Promise<ConnectionRow> {
      const row = await requireConnection(caller, id);
      if (row.parent_connection_id)
        throw new DomainError('forbidden', 'A shared connection is configured by its parent organization.');
      if (input.type && input.type !== row.type)
        throw unprocessableField('type', `a connection's type cannot change (it is ${row.type})`);
      const connector = connectorFor(row.type);
      const configuration = checkConfiguration(
        connector,
        withStoredSecrets(connector, input.configuration, sealedConfiguration(row)),
      );
      const result = await runTest(connector, configuration);
      if (!result.ok && input.validate) throw testFailure(result);
      await repositories.connections.update(caller.organizationId, id, {
        name: input.name,
        configuration_sealed: secretBox.seal(JSON.stringify(configuration)),
        policies: JSON.stringify(input.policies ?? JSON.parse(row.policies)),
        healthcheck_interval: input.healthcheck_interval ?? row.healthcheck_interval,
        status: result.ok ? 'healthy' : 'unhealthy',
        status_error: result.ok ? null : result.message,
        updated_at: nowIso(context.clock),
        updated_by: JSON.stringify(actorOf(caller)),
      });
      return requireConnection(caller, id);
    },

    async delete(caller: Principal, id: string): Promise<void> {
      await requireConnection(caller, id);
      await repositories.connections.delete(caller.organizationId, id);
    },

    /** A copy of `parent` in a child organization of the same partner. */
    async share(
      caller: Principal,
      parent: ConnectionRow,
      childOrganizationId: string,
      name: string | undefined,
    ): Promise<ConnectionRow> {
      const child = await repositories.organizations.getForPartner(caller.partnerId, childOrganizationId);
      if (!child)
        throw new DomainError('not_found', 'child organization not found', {
          details: { field: 'child_organization_id' },
        });
      if (child.id === parent.organization_id)
        throw unprocessableField('child_organization_id', 'a connection cannot be shared with its own organization');
      if (parent.parent_connection_id)
        throw new DomainError('unprocessable', 'A shared copy cannot be shared again; share its parent.');
      const actor = JSON.stringify(actorOf(caller));
      const now = nowIso(context.clock);
      const row: ConnectionRow = {
        ...parent,
        id: randomUUID(),
        organization_id: child.id,
        name: name ?? parent.name,
        configuration_sealed: null,
        parent_connection_id: parent.id,
        created_at: now,
        created_by: actor,
        updated_at: now,
        updated_by: actor,
      };
      await repositories.connections.insert(row);
      return row;
    },
  };
}

export type ConnectionsService = ReturnType<typeof connectionsService>;
