// Connection rows and connectors → wire objects. Secrets never leave: configurations are redacted here.
import type { Connector } from '../../../connectors/connector.ts';
import type { ConnectionRow } from '../../../persistence/repositories/connections-repository.ts';
import { redactConfiguration } from '../../../services/connection-secrets.ts';

const operationNames: Record<string, string> = {
  bulkSource: 'bulksync_source',
  bulkDestination: 'bulksync_target',
  modelSource: 'modelsync_source',
  modelTarget: 'modelsync_target',
  proxyUpstream: 'proxy',
  changeCapture: 'change_capture',
};

function connectionTypeSummary(connector: Connector | undefined, type: string) {
  return {
    id: type,
    name: connector?.name ?? type,
    logo_url: '',
    operations: (connector?.capabilities ?? []).map((capability) => operationNames[capability] ?? capability),
  };
}

export function connectionTypeToWire(connector: Connector) {
  const has = (capability: string) => (connector.capabilities as readonly string[]).includes(capability);
  const defaults = Object.fromEntries(
    Object.entries(connector.configurationSchema.properties)
      .filter(([, property]) => property.default !== undefined)
      .map(([key, property]) => [key, property.default]),
  );
  return {
    id: connector.type,
    name: connector.name,
    capabilities: {
      source: has('bulkSource') || has('modelSource'),
      destination: has('bulkDestination') || has('modelTarget'),
      enrichment: false,
      orchestration: false,
    },
    configurationForm: { jsonschema: connector.configurationSchema, uischema: {} },
    envConfig: {},
    initialConfiguration: defaults,
    logo_url: '',
    use_oauth: false,
  };
}

function parseActor(text: string | null) {
  return text ? (JSON.parse(text) as Record<string, string>) : undefined;
}

export function connectionToWire(
  row: ConnectionRow,
  connector: Connector | undefined,
  configuration: Record<string, unknown>,
  apiCallsLast24Hours = 0,
) {
  return {
    id: row.id,
    name: row.name,
    organization_id: row.organization_id,
    type: connectionTypeSummary(connector, row.type),
    configuration: row.parent_connection_id ? {} : redactConfiguration(configuration, connector?.configurationSchema),
    status: row.status,
    ...(row.status_error ? { status_error: row.status_error } : {}),
    saved: true,
    policies: JSON.parse(row.policies) as string[],
    ...(row.parent_connection_id ? { parent_connection_id: row.parent_connection_id } : {}),
    api_calls_last_24_hours: apiCallsLast24Hours,
    created_at: row.created_at,
    created_by: parseActor(row.created_by),
    updated_at: row.updated_at,
    updated_by: parseActor(row.updated_by),
  };
}

export function createdConnectionToWire(
  row: ConnectionRow,
  connector: Connector | undefined,
  configuration: Record<string, unknown>,
) {
  return {
    id: row.id,
    name: row.name,
    organization_id: row.organization_id,
    type: connectionTypeSummary(connector, row.type),
    configuration: redactConfiguration(configuration, connector?.configurationSchema),
    status: row.status,
    ...(row.status_error ? { status_error: row.status_error } : {}),
    saved: true,
    policies: JSON.parse(row.policies) as string[],
    ...(row.healthcheck_interval ? { healthcheck_interval: row.healthcheck_interval } : {}),
  };
}
