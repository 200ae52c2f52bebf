// The `api` connection type: a generic HTTP JSON API. It is the Connection Proxy's upstream (the
// REST layer builds the proxy from the same configuration with src/proxy/connection-proxy.ts) and
// a simple bulk source over one paginated resource. test() GETs `healthcheck` (or `path`).
import { Capability, type Connection, type Connector } from '../connector.ts';
import { ConnectorError } from '../connector-error.ts';
import { createGuardedAgent } from '../../http/guarded-dispatcher.ts';
import { ProxyFailureError } from '../../proxy/proxy-error.ts';
import { deriveUpstreamContract, type UpstreamContract } from '../../proxy/upstream-contract.ts';
import { apiConfigurationSchema, validateApiConfiguration, type ApiConfiguration } from './api-configuration.ts';
import { createApiClient, createApiSource, statusError } from './api-source.ts';

export interface ApiConnectorOptions {
  /** Reach APIs on private, loopback and link-local addresses (self-hosted, tests). Default false. */
  allowPrivateUpstreams?: boolean;
}

export function createApiConnector(options: ApiConnectorOptions = {}): Connector<ApiConfiguration> {
  const connector: Connector<ApiConfiguration> = {
    type: 'api',
    name: 'HTTP API',
    configurationSchema: apiConfigurationSchema,
    capabilities: [Capability.bulkSource, Capability.proxyUpstream],
    validate: validateApiConfiguration,
    open(configuration) {
      const checked = validateApiConfiguration(configuration);
      if (!checked.ok)
        throw new ConnectorError(checked.message, { code: 'invalid_configuration', field: checked.field });
      let contract: UpstreamContract;
      try {
        contract = deriveUpstreamContract(checked.value);
      } catch (error: unknown) {
        const failure = error instanceof ProxyFailureError ? error.failure : undefined;
        throw new ConnectorError(failure?.message ?? String(error), {
          code: 'invalid_configuration',
          field: String(failure?.metadata.field ?? 'url'),
          cause: error,
        });
      }
      if (contract.oauth) {
        // The bulk source sends static headers only; OAuth APIs work through the proxy for now.
        throw new ConnectorError(
          'OAuth client credentials are supported by the proxy but not yet by the api bulk source',
          { code: 'unsupported', field: 'auth.oauth' },
        );
      }
      return openApiConnection(checked.value, contract, options);
    },
  };
  return connector;
}

function openApiConnection(
  configuration: ApiConfiguration,
  contract: UpstreamContract,
  options: ApiConnectorOptions,
): Connection {
  const dispatcher = createGuardedAgent({ allowPrivate: options.allowPrivateUpstreams ?? false });
  const client = createApiClient(contract, dispatcher);
  let closed = false;
  return {
    type: 'api',
    async test(context) {
      const path = configuration.healthcheck ?? configuration.path;
      try {
        const { status, body } = await client.get(context, client.urlFor(path));
        if (status >= 200 && status < 300) return { ok: true };
        const error = statusError(status, body, `GET ${path}`);
        return { ok: false, code: error.code, message: error.message };
      } catch (error: unknown) {
        const known = error instanceof ConnectorError ? error : new ConnectorError(String(error), { code: 'unknown' });
        return { ok: false, code: known.code, message: known.message };
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await dispatcher.close();
    },
    bulkSource: createApiSource(client, configuration),
  };
}
