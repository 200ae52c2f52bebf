// The console's shell: sign-in, navigation, the hash routes (a route names a page and ids, never a key), and the
// organization switch for partner keys.
import { render, useEffect, useState } from '/console/vendor/preact-htm.js';
import { ApiError, api, get, session } from '/console/api.js';
import { BulkSyncDetail, BulkSyncEditor, BulkSyncList } from '/console/bulk-syncs.js';
import { ConnectionEditor, ConnectionList } from '/console/connections.js';
import { EventList, WebhookList } from '/console/events.js';
import { ExecutionDetail } from '/console/executions.js';
import { ModelEditor, ModelList } from '/console/models.js';
import { ModelSyncDetail, ModelSyncEditor, ModelSyncList } from '/console/model-syncs.js';
import { OrganizationSwitch } from '/console/organizations.js';
import { ErrorNote, html } from '/console/ui.js';

const routes = [
  [/^#\/connections\/new$/, () => ConnectionEditor],
  [/^#\/connections\/([^/]+)$/, ([id]) => [ConnectionEditor, { id }]],
  [/^#\/connections$/, () => ConnectionList],
  [/^#\/models\/new$/, () => ModelEditor],
  [/^#\/models$/, () => ModelList],
  [/^#\/syncs\/new$/, () => ModelSyncEditor],
  [
    /^#\/syncs\/([^/]+)\/executions\/([^/]+)$/,
    ([syncId, executionId]) => [ExecutionDetail, { kind: 'model', syncId, executionId }],
  ],
  [/^#\/syncs\/([^/]+)$/, ([id]) => [ModelSyncDetail, { id }]],
  [/^#\/syncs$/, () => ModelSyncList],
  [/^#\/bulk\/new$/, () => BulkSyncEditor],
  [
    /^#\/bulk\/([^/]+)\/executions\/([^/]+)$/,
    ([syncId, executionId]) => [ExecutionDetail, { kind: 'bulk', syncId, executionId }],
  ],
  [/^#\/bulk\/([^/]+)$/, ([id]) => [BulkSyncDetail, { id }]],
  [/^#\/bulk$/, () => BulkSyncList],
  [/^#\/events$/, () => EventList],
  [/^#\/webhooks$/, () => WebhookList],
  [/^#\/organizations$/, () => OrganizationSwitch],
];

const sections = [
  ['#/connections', 'Connections'],
  ['#/models', 'Models'],
  ['#/syncs', 'Model syncs'],
  ['#/bulk', 'Bulk syncs'],
  ['#/events', 'Events'],
  ['#/webhooks', 'Webhooks'],
];

function resolve(hash) {
  for (const [pattern, page] of routes) {
    const match = pattern.exec(hash);
    if (match) {
      const found = page(match.slice(1).map(decodeURIComponent));
      return Array.isArray(found) ? found : [found, {}];
    }
  }
  return [ConnectionList, {}];
}

function useHash() {
  const [hash, setHash] = useState(window.location.hash || '#/connections');
  useEffect(() => {
    const changed = () => setHash(window.location.hash || '#/connections');
    window.addEventListener('hashchange', changed);
    return () => window.removeEventListener('hashchange', changed);
  }, []);
  return hash;
}

const navigate = (hash) => {
  window.location.hash = hash;
};

function SignIn({ onSignedIn }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState();
  const [busy, setBusy] = useState(false);
  const submit = async (event) => {
    event.preventDefault();
    setBusy(true);
    try {
      const me = await api('GET', '/api/me', { key: key.trim() });
      session.signIn(key.trim());
      onSignedIn(me.data);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  const message = error instanceof ApiError && error.status === 401 ? error.message : undefined;
  return html`<main class="sign-in" id="main">
    <h1>Ferry</h1>
    <form class="form" onSubmit=${submit}>
      <p>Sign in with an API key. The console sees what the key sees; the key is kept in this tab only.</p>
      <div class=${`field${message ? ' invalid' : ''}`}>
        <label for="api-key">API key</label>
        <input id="api-key" type="password" autocomplete="off" spellcheck=${false} required value=${key}
          aria-invalid=${message ? 'true' : undefined} aria-describedby=${message ? 'api-key-error' : undefined}
          onInput=${(event) => setKey(event.currentTarget.value)} />
        ${message ? html`<p class="field-error" id="api-key-error" role="alert">${message}</p>` : ''}
      </div>
      ${message ? '' : html`<${ErrorNote} error=${error} />`}
      <button type="submit" disabled=${busy || !key.trim()}>Sign in</button>
    </form>
  </main>`;
}

function whoIs(me) {
  if (me.is_partner) return 'partner key';
  if (me.email) return me.email;
  return 'organization key';
}

function Shell({ me, onSignOut }) {
  const hash = useHash();
  const [Page, props] = resolve(hash);
  const [menuOpen, setMenuOpen] = useState(false);
  useEffect(() => {
    setMenuOpen(false);
    // Move focus to the new page's heading, so keyboard and screen-reader users start at the top of it.
    const timer = setTimeout(() => document.getElementById('page-title')?.focus(), 50);
    return () => clearTimeout(timer);
  }, [hash]);
  const partner = me.is_partner || session.partnerKey();
  return html`<a class="skip" href="#main" onClick=${(event) => {
    event.preventDefault();
    document.getElementById('main').focus();
  }}>Skip to content</a>
    <header class="top">
      <a class="brand" href="#/connections">Ferry</a>
      <button type="button" class="menu-toggle secondary" aria-expanded=${menuOpen ? 'true' : 'false'} aria-controls="nav"
        onClick=${() => setMenuOpen(!menuOpen)}>Menu</button>
      <nav id="nav" aria-label="Sections" class=${menuOpen ? 'open' : ''}>
        <ul>${sections.map(
          ([href, label]) =>
            html`<li><a href=${href} aria-current=${hash.startsWith(href) ? 'page' : undefined}>${label}</a></li>`,
        )}</ul>
      </nav>
      <div class="who">
        <span class="organization" title="Organization">${me.organization_name}</span>
        <span class="muted">${whoIs(me)}</span>
        ${partner ? html`<a href="#/organizations">Switch organization</a>` : ''}
        <button type="button" class="link" onClick=${onSignOut}>Sign out</button>
      </div>
    </header>
    <main id="main" tabindex="-1">
      <${Page} ...${props} navigate=${navigate} me=${me} />
    </main>`;
}

function App() {
  const [me, setMe] = useState();
  const [checking, setChecking] = useState(Boolean(session.key()));
  const refresh = () =>
    get('/api/me')
      .then((answer) => setMe(answer.data))
      .catch(() => {
        session.signOut();
        setMe(undefined);
      })
      .finally(() => setChecking(false));
  useEffect(() => {
    if (session.key()) refresh();
    const expired = () => {
      session.signOut();
      setMe(undefined);
    };
    window.addEventListener('ferry:unauthorized', expired);
    window.addEventListener('ferry:organization-changed', refresh);
    return () => {
      window.removeEventListener('ferry:unauthorized', expired);
      window.removeEventListener('ferry:organization-changed', refresh);
    };
  }, []);
  if (checking) return html`<p role="status" class="muted">Loading…</p>`;
  if (!me) return html`<${SignIn} onSignedIn=${setMe} />`;
  return html`<${Shell} me=${me} onSignOut=${() => {
    session.signOut();
    setMe(undefined);
  }} />`;
}

render(html`<${App} />`, document.getElementById('app'));
