// Webhooks: each organization has at most one, which receives every event of that organization (docs/webhooks.md).
// The secret is sealed at rest and never shown again. The endpoint obeys the outbound address policy of HTTP
// connections: IP literals and metadata host names are checked here, resolved names again at every delivery.
import { randomUUID } from 'node:crypto';
import type { AppContext } from '../app-context.ts';
import { invalidField, notFound, unprocessableField } from '../domain/domain-error.ts';
import { checkUrlHost } from '../http/guarded-dispatcher.ts';
import type { WebhookDeliveryRow, WebhookRow } from '../persistence/repositories/webhooks-repository.ts';
import { organizationInScope } from './organization-scope.ts';
import type { Principal } from './principal.ts';

export interface WebhookInput {
  endpoint: string;
  secret: string;
  organization_id?: string;
}

export interface WebhookWire {
  id: string;
  organization_id: string;
  endpoint: string;
  disabled: boolean;
  created_at: string;
}

export function webhookToWire(row: WebhookRow): WebhookWire {
  return {
    id: row.id,
    organization_id: row.organization_id,
    endpoint: row.endpoint,
    disabled: row.disabled === 1,
    created_at: row.created_at,
  };
}

export function deliveryToWire(row: WebhookDeliveryRow) {
  return {
    id: row.id,
    event_id: row.event_id,
    event_type: row.event_type,
    attempt: row.attempt,
    ...(row.status !== null ? { status: row.status } : {}),
    latency_ms: row.latency_ms,
    ...(row.error !== null ? { error: row.error } : {}),
    created_at: row.created_at,
  };
}

export function webhooksService(context: Pick<AppContext, 'repositories' | 'secretBox' | 'config' | 'clock'>) {
  const { repositories, secretBox } = context;

  /** The organizations the principal reaches: a partner's all, any other key's own. */
  async function reachable(principal: Principal): Promise<string[]> {
    if (principal.kind !== 'partner') return [principal.organizationId];
    return (await repositories.organizations.listForPartner(principal.partnerId)).map((row) => row.id);
  }

  function checkInput(input: WebhookInput): void {
    let url: URL;
    try {
      url = new URL(input.endpoint);
    } catch {
      throw invalidField('endpoint', 'is not a valid URL');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalidField('endpoint', 'must use http or https');
    const refused = checkUrlHost(url, { allowPrivate: context.config.allowPrivateUpstreams });
    if (refused) throw unprocessableField('endpoint', refused.message);
    if (input.secret.trim() === '') throw invalidField('secret', 'must not be blank');
  }

  async function require(principal: Principal, id: string): Promise<WebhookRow> {
    const row = await repositories.webhooks.get(await reachable(principal), id);
    if (!row) throw notFound('webhook');
    return row;
  }

  async function targetOrganization(principal: Principal, organizationId: string | undefined): Promise<string> {
    if (organizationId === undefined) return principal.organizationId;
    return (await organizationInScope(repositories, principal, organizationId)).id;
  }

  return {
    async list(principal: Principal): Promise<WebhookRow[]> {
      return repositories.webhooks.list(await reachable(principal));
    },
    require,
    async create(principal: Principal, input: WebhookInput): Promise<WebhookRow> {
      checkInput(input);
      const organizationId = await targetOrganization(principal, input.organization_id);
      if (await repositories.webhooks.forOrganization(organizationId))
        throw unprocessableField(
          'organization_id',
          'this organization already has a webhook (one per organization); update or delete it',
        );
      const now = context.clock.now().toISOString();
      const row: WebhookRow = {
        id: randomUUID(),
        organization_id: organizationId,
        endpoint: input.endpoint,
        secret_sealed: secretBox.seal(input.secret),
        disabled: 0,
        created_at: now,
        updated_at: now,
      };
      await repositories.webhooks.insert(row);
      return row;
    },
    /** The webhook as an update input that changes nothing, its secret included (for merging a partial update). */
    async currentInput(principal: Principal, id: string): Promise<WebhookInput> {
      const row = await require(principal, id);
      return { endpoint: row.endpoint, secret: secretBox.open(row.secret_sealed) };
    },
    async update(principal: Principal, id: string, input: WebhookInput): Promise<WebhookRow> {
      const row = await require(principal, id);
      checkInput(input);
      if (input.organization_id !== undefined && input.organization_id !== row.organization_id) {
        await targetOrganization(principal, input.organization_id);
        throw unprocessableField('organization_id', 'a webhook cannot move to another organization');
      }
      const changes = {
        endpoint: input.endpoint,
        secret_sealed: secretBox.seal(input.secret),
        updated_at: context.clock.now().toISOString(),
      };
      await repositories.webhooks.update(row.id, changes);
      return { ...row, ...changes };
    },
    async setDisabled(principal: Principal, id: string, disabled: boolean): Promise<WebhookRow> {
      const row = await require(principal, id);
      const changes = { disabled: disabled ? 1 : 0, updated_at: context.clock.now().toISOString() };
      await repositories.webhooks.update(row.id, changes);
      return { ...row, ...changes };
    },
    async delete(principal: Principal, id: string): Promise<void> {
      const row = await require(principal, id);
      await repositories.webhooks.delete(row.id);
    },
    async deliveries(principal: Principal, id: string, limit: number): Promise<WebhookDeliveryRow[]> {
      const row = await require(principal, id);
      return repositories.webhooks.deliveries(row.id, limit);
    },
  };
}

export type WebhooksService = ReturnType<typeof webhooksService>;
