// The hosted form behind a connect card link (/connect/{token}): choose a type, fill in its settings, and Ferry
// tests and creates the connection, then redirects to the card's redirect_url with connection_id. Plain HTML, no
// scripts; the signed token is the only credential, and it expires.
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../app-context.ts';
import type { Connector } from '../connectors/connector.ts';
import { connectionsService } from '../services/connections-service.ts';
import type { Caller } from './auth/caller.ts';
import { knownApiError } from './domain-error-mapping.ts';
import { ApiError } from './errors.ts';
import type { ConnectCardClaims } from './resources/connections/connect-card-routes.ts';

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

function page(title: string, body: string, dark: boolean): string {
  const colors = dark ? 'background:#111;color:#eee' : 'background:#fff;color:#111';
  return `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;${colors}}label{display:block;margin:.8rem 0 .2rem}
input,select{width:100%;padding:.4rem}input[type=checkbox]{width:auto}.error{color:#c00}button{margin-top:1rem;padding:.5rem 1rem}</style>
</head><body><h1>${escapeHtml(title)}</h1>${body}</body></html>`;
}

function settingsForm(connector: Connector, values: Record<string, string>, error?: string): string {
  const inputs = Object.entries(connector.configurationSchema.properties)
    .map(([key, property]) => {
      const label = `<label for="${key}">${escapeHtml(property.title ?? key)}${connector.configurationSchema.required.includes(key) ? ' *' : ''}</label>`;
      if (property.type === 'boolean') {
        const checked = (values[key] ?? String(property.default ?? false)) === 'true' ? ' checked' : '';
        return `${label}<input type="hidden" name="${key}" value="false"><input id="${key}" type="checkbox" name="${key}" value="true"${checked}>`;
      }
      const kind = property['x-sensitive'] ? 'password' : property.type === 'string' ? 'text' : 'number';
      const value = property['x-sensitive']
        ? ''
        : (values[key] ?? (property.default === undefined ? '' : String(property.default)));
      return `${label}<input id="${key}" type="${kind}" name="${key}" value="${escapeHtml(value)}">`;
    })
    .join('\n');
  return `${error ? `<p class="error">${escapeHtml(error)}</p>` : ''}<form method="post"><input type="hidden" name="__type" value="${connector.type}">${inputs}<button type="submit">Connect</button></form>`;
}

/** Form values (strings) → configuration values of the types the schema declares. */
function configurationFrom(connector: Connector, form: URLSearchParams): Record<string, unknown> {
  const configuration: Record<string, unknown> = {};
  for (const [key, property] of Object.entries(connector.configurationSchema.properties)) {
    const all = form.getAll(key);
    const raw = all[all.length - 1];
    if (raw === undefined || raw === '') continue;
    configuration[key] =
      property.type === 'boolean'
        ? raw === 'true'
        : property.type === 'integer' || property.type === 'number'
          ? Number(raw)
          : raw;
  }
  return configuration;
}

export function registerConnectCardPage(app: FastifyInstance, context: AppContext): void {
  const connections = connectionsService(context);
  const verify = (token: string) => {
    const claims = context.signer('connect-card').verify<ConnectCardClaims & Record<string, unknown>>(token);
    if (!claims) throw new ApiError('forbidden', 'This connect link is invalid or has expired; ask for a new one.');
    return claims;
  };

  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) =>
    done(null, new URLSearchParams(body as string)),
  );

  app.get('/connect/:token', async (request, reply) => {
    const { token } = request.params as { token: string };
    const claims = verify(token);
    const chosen =
      (request.query as { type?: string }).type ?? (claims.types.length === 1 ? claims.types[0] : undefined);
    const connector = chosen && claims.types.includes(chosen) ? context.connectors.get(chosen) : undefined;
    const body = connector
      ? settingsForm(connector, {})
      : `<p>Choose what to connect:</p><ul>${claims.types
          .map(
            (type) =>
              `<li><a href="?type=${encodeURIComponent(type)}">${escapeHtml(context.connectors.get(type)?.name ?? type)}</a></li>`,
          )
          .join('')}</ul>`;
    return reply.type('text/html; charset=utf-8').send(page(`Connect: ${claims.name}`, body, claims.dark));
  });

  app.post('/connect/:token', async (request, reply) => {
    const { token } = request.params as { token: string };
    const claims = verify(token);
    const form = request.body instanceof URLSearchParams ? request.body : new URLSearchParams();
    const type = form.get('__type') ?? '';
    const connector = claims.types.includes(type) ? context.connectors.get(type) : undefined;
    if (!connector)
      throw new ApiError('validation_failed', 'Choose one of the offered connection types.', {
        metadata: { field: 'type' },
      });
    const caller: Caller = {
      kind: 'organization',
      keyId: claims.actor_key_id,
      partnerId: claims.partner_id,
      organizationId: claims.organization_id,
      organizationName: '',
    };
    try {
      const row = await connections.create(caller, claims.organization_id, {
        name: claims.name,
        type,
        configuration: configurationFrom(connector, form),
        validate: true,
      });
      const target = new URL(claims.redirect_url);
      target.searchParams.set('connection_id', row.id);
      return reply.redirect(target.toString(), 303);
    } catch (error) {
      const known = knownApiError(error);
      if (!known || known.status >= 500) throw error;
      const values = Object.fromEntries([...form.entries()]);
      return reply
        .code(422)
        .type('text/html; charset=utf-8')
        .send(page(`Connect: ${claims.name}`, settingsForm(connector, values, known.message), claims.dark));
    }
  });
}
