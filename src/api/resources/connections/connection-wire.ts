// Connection rows and connectors → wire objects. Secrets never leave: configurations arrive redacted by the
// connections service (src/services/connection-secrets.ts).
import type { Connector } from '../../../connectors/connector.ts';
import type { ConnectionRow } from '../../../persistence/repositories/connections-repository.ts';

const operationNames: Record<string, string> = {
  bulkSource: 'bulksync_source',
  bulkDestination: 'bulksync_target',
  modelSource: 'modelsync_source',
  modelTarget: 'modelsync_target',
  proxyUpstream: 'proxy',
  changeCapture: 'change_capture',
};

type ConnectionTypeSummary = { id: string; name: string; logo_url: string; operations: string[] };
// One per connector, shared by every row of a list (wire objects are never changed in place).
const summaries = new WeakMap<Connector, ConnectionTypeSummary>();

function connectionTypeSummary(connector: Connector | undefined, type: string): ConnectionTypeSummary {
  const known = connector && summaries.get(connector);
  if (known) return known;
  const summary = {
    id: type,
    name: connector?.name ?? type,
    logo_url: '',
    operations: (connector?.capabilities ?? []).map((capability) => operationNames[capability] ?? capability),
  };
  if (connector) summaries.set(connector, summary);
  return summary;
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

// A list's rows are mostly created and updated by the same few actors: each distinct text is parsed once. The parsed
// objects are shared between responses, so they are frozen.
const actors = new Map<string, Readonly<Record<string, string>>>();

function parseActor(text: string | null) {
  if (!text) return undefined;
  let actor = actors.get(text);
  if (!actor) {
    actor = Object.freeze(JSON.parse(text) as Record<string, string>);
    if (actors.size >= 1000) actors.clear();
    actors.set(text, actor);
  }
  return actor;
}

// The wire objects are built by assignment rather than with spreads of conditional literals, which take V8's slow
// path (a list builds one per connection).

/** `configuration` is what responses may show: connectionsService.redactedConfiguration's. */
export function connectionToWire(
  row: ConnectionRow,
  connector: Connector | undefined,
  configuration: Record<string, unknown>,
  apiCallsLast24Hours = 0,
) {
  const wire: Record<string, unknown> = {
    id: row.id,
    name: row.name,
    organization_id: row.organization_id,
    type: connectionTypeSummary(connector, row.type),
    configuration: row.parent_connection_id ? {} : configuration,
    status: row.status,
  };
  if (row.status_error) wire.status_error = row.status_error;
  wire.saved = true;
  wire.policies = JSON.parse(row.policies) as string[];
  if (row.parent_connection_id) wire.parent_connection_id = row.parent_connection_id;
  wire.api_calls_last_24_hours = apiCallsLast24Hours;
  wire.created_at = row.created_at;
  wire.created_by = parseActor(row.created_by);
  wire.updated_at = row.updated_at;
  wire.updated_by = parseActor(row.updated_by);
  return wire;
}

/** `configuration` is what responses may show: connectionsService.redactedConfiguration's. */
export function createdConnectionToWire(
  row: ConnectionRow,
  connector: Connector | undefined,
  configuration: Record<string, unknown>,
) {
  const wire: Record<string, unknown> = {
    id: row.id,
    name: row.name,
    organization_id: row.organization_id,
    type: connectionTypeSummary(connector, row.type),
    configuration,
    status: row.status,
  };
  if (row.status_error) wire.status_error = row.status_error;
  wire.saved = true;
  wire.policies = JSON.parse(row.policies) as string[];
  if (row.healthcheck_interval) wire.healthcheck_interval = row.healthcheck_interval;
  return wire;
}
