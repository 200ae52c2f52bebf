// The `webhook` connection type: a model-sync target that POSTs signed JSON batches to `url`.
// test() posts a signed `{ "event": "ferry.test" }` and expects a 2xx, with a single attempt so a
// dead receiver is reported at once rather than after the retry schedule.
import { Capability, type Connection, type Connector } from '../connector.ts';
import { ConnectorError } from '../connector-error.ts';
import { createGuardedAgent } from '../../http/guarded-dispatcher.ts';
import { prepareOutboundAuth } from '../../http/outbound-auth.ts';
import type { RetryPolicy } from '../../http/retry-policy.ts';
import {
  validateWebhookConfiguration,
  webhookConfigurationSchema,
  type WebhookConfiguration,
} from './webhook-configuration.ts';
import { createWebhookTarget, deliveryError, postWebhook, type WebhookSender } from './webhook-target.ts';

export interface WebhookConnectorOptions {
  /** Deliver to private, loopback and link-local addresses (self-hosted receivers, tests). Default false. */
  allowPrivateUpstreams?: boolean;
  retry?: Partial<RetryPolicy>;
  /** Injected for tests: the wait between attempts. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

export function createWebhookConnector(options: WebhookConnectorOptions = {}): Connector<WebhookConfiguration> {
  const connector: Connector<WebhookConfiguration> = {
    type: 'webhook',
    name: 'Webhook',
    configurationSchema: webhookConfigurationSchema,
    capabilities: [Capability.modelTarget],
    validate: validateWebhookConfiguration,
    open(configuration) {
      const checked = validateWebhookConfiguration(configuration);
      if (!checked.ok)
        throw new ConnectorError(checked.message, { code: 'invalid_configuration', field: checked.field });
      return openWebhookConnection(checked.value, options);
    },
  };
  return connector;
}

function openWebhookConnection(configuration: WebhookConfiguration, options: WebhookConnectorOptions): Connection {
  const dispatcher = createGuardedAgent({ allowPrivate: options.allowPrivateUpstreams ?? false });
  const sender: WebhookSender = {
    auth: prepareOutboundAuth(configuration.url, configuration, { dispatcher }),
    secret: configuration.auth_method === 'polytomic_secret' ? configuration.secret : undefined,
    dispatcher,
    retry: options.retry,
    sleep: options.sleep,
  };
  let closed = false;
  return {
    type: 'webhook',
    async test(context) {
      const result = await postWebhook(context, { ...sender, retry: { maxAttempts: 1 } }, { event: 'ferry.test' });
      if (result.outcome === 'delivered') return { ok: true };
      const error = deliveryError(context, result);
      return { ok: false, code: error.code, message: error.message };
    },
    async close() {
      if (closed) return;
      closed = true;
      await dispatcher.close();
    },
    modelTarget: createWebhookTarget(sender),
  };
}
