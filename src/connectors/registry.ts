// Type id → connector. Built by a factory from the connectors a process wants (no module-level
// list), so tests and embedders choose exactly which connection types exist.
import type { Connector } from './connector.ts';
import { ConnectorError } from './connector-error.ts';

export interface ConnectorRegistry {
  get(type: string): Connector | undefined;
  /** Like get, but an unknown type is an invalid_configuration error naming `type`. */
  require(type: string): Connector;
  list(): Connector[];
}

export function createConnectorRegistry(connectors: readonly Connector[]): ConnectorRegistry {
  const byType = new Map<string, Connector>();
  for (const connector of connectors) {
    if (byType.has(connector.type)) throw new Error(`connector type ${connector.type} registered twice`);
    byType.set(connector.type, connector);
  }
  return {
    get: (type) => byType.get(type),
    require(type) {
      const connector = byType.get(type);
      if (!connector) {
        throw new ConnectorError(`Unknown connection type ${type}`, { code: 'invalid_configuration', field: 'type' });
      }
      return connector;
    },
    list: () => [...byType.values()],
  };
}
