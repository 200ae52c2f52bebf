// The connection types a Ferry process serves. Built per process (no module-level list) so that tests and
// embedders can choose; `allowPrivateUpstreams` lets HTTP connectors reach private and loopback addresses.
import type { Connector } from './connector.ts';
import { createApiConnector } from './api/api-connector.ts';
import { createFilesConnector } from './files/files-connector.ts';
import { createSqlConnectors } from './sql-connectors.ts';
import { createWebhookConnector } from './webhook/webhook-connector.ts';

export interface DefaultConnectorOptions {
  allowPrivateUpstreams: boolean;
}

export function createDefaultConnectors(options: DefaultConnectorOptions): Connector[] {
  return [
    ...createSqlConnectors(),
    createApiConnector({ allowPrivateUpstreams: options.allowPrivateUpstreams }) as Connector,
    createWebhookConnector({ allowPrivateUpstreams: options.allowPrivateUpstreams }) as Connector,
    createFilesConnector() as Connector,
  ];
}
