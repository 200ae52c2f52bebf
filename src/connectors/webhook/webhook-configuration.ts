// `webhook` configuration (the API's "webhook" connection configuration). Flat keys are checked by the shared
// validator; the nested auth objects are carried through as given.
import type { ConfigurationSchema, ValidationResult } from '../configuration-schema.ts';
import { validateConfiguration } from '../configuration-schema.ts';
import type { OutboundAuth } from '../../http/outbound-auth.ts';

const WebhookAuthMethod = {
  polytomicSecret: 'polytomic_secret',
  basic: 'basic',
  header: 'header',
  query: 'query',
  oauthClientCredentials: 'oauth_client_credentials',
} as const;
type WebhookAuthMethod = (typeof WebhookAuthMethod)[keyof typeof WebhookAuthMethod];

export interface WebhookConfiguration extends OutboundAuth {
  url: string;
  /** HMAC-SHA256 signing secret (auth_method polytomic_secret). */
  secret?: string;
  auth_method: WebhookAuthMethod;
}

export const webhookConfigurationSchema: ConfigurationSchema = {
  type: 'object',
  properties: {
    url: { type: 'string', title: 'Webhook URL', 'x-sensitive-url': true },
    secret: { type: 'string', title: 'Signing secret', 'x-sensitive': true },
    auth_method: { type: 'string', title: 'Authentication method', default: WebhookAuthMethod.polytomicSecret },
  },
  required: ['url'],
};

export function validateWebhookConfiguration(raw: unknown): ValidationResult<WebhookConfiguration> {
  const checked = validateConfiguration<WebhookConfiguration>(webhookConfigurationSchema, raw);
  if (!checked.ok) return checked;
  const input = raw as Record<string, unknown>;
  const value = checked.value;
  if (!(Object.values(WebhookAuthMethod) as string[]).includes(value.auth_method)) {
    return {
      ok: false,
      field: 'auth_method',
      message: `auth_method must be one of ${Object.values(WebhookAuthMethod).join(', ')}`,
    };
  }
  try {
    const url = new URL(value.url);
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      return { ok: false, field: 'url', message: 'url must use http or https' };
  } catch {
    return { ok: false, field: 'url', message: 'url is not a valid URL' };
  }
  // Only the settings of the chosen method apply; extra headers apply to every method.
  const chosen: OutboundAuth = { headers: input.headers as OutboundAuth['headers'] };
  if (value.auth_method === 'basic') chosen.basic = input.basic as OutboundAuth['basic'];
  if (value.auth_method === 'header') chosen.header = input.header as OutboundAuth['header'];
  if (value.auth_method === 'query') chosen.query = input.query as OutboundAuth['query'];
  if (value.auth_method === 'oauth_client_credentials') {
    chosen.oauth = input.oauth as OutboundAuth['oauth'];
    if (!chosen.oauth?.token_endpoint)
      return { ok: false, field: 'oauth.token_endpoint', message: 'oauth.token_endpoint is required' };
  }
  if (value.auth_method === 'polytomic_secret' && (typeof value.secret !== 'string' || value.secret === '')) {
    return {
      ok: false,
      field: 'secret',
      message: 'secret is required to sign payloads (auth_method polytomic_secret)',
    };
  }
  return { ok: true, value: { ...value, ...chosen } };
}
