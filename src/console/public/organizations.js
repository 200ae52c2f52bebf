// Switching organization with a partner key. A partner key acts in its own organization on the API's singular
// routes, and reaches its other organizations through the plural ones (/api/organizations/{org_id}/…), which cover
// users, keys and shared connections but not syncs. So, as any API client would, the console acts in another
// organization with a key of one of its users, issued by the partner key (POST
// /api/organizations/{org_id}/users/{id}/keys). The partner key stays in the tab's session to switch back.
import { useState } from '/console/vendor/preact-htm.js';
import { api, session } from '/console/api.js';
import { ErrorNote, Field, Loading, PageHeader, html, useAction, useResource } from '/console/ui.js';

const asPartner = (method, path, body) => api(method, path, { key: session.partnerKey() ?? session.key(), body });
const changed = () => window.dispatchEvent(new CustomEvent('ferry:organization-changed'));

function Users({ organization, navigate }) {
  const users = useResource(
    () => asPartner('GET', `/api/organizations/${organization.id}/users`).then((answer) => answer.data),
    [organization.id],
  );
  const [userId, setUserId] = useState('');
  const issue = useAction();
  const submit = async (event) => {
    event.preventDefault();
    const issued = await issue.run(() =>
      asPartner('POST', `/api/organizations/${organization.id}/users/${userId}/keys`),
    );
    if (issued?.data?.value) {
      session.actAs(issued.data.value);
      changed();
      navigate('#/connections');
    }
  };
  return html`<${Loading} resource=${users}>${() =>
    users.data.length === 0
      ? html`<p class="muted">${organization.name} has no users; create one through POST /api/organizations/${organization.id}/users.</p>`
      : html`<form class="form" onSubmit=${submit}>
          <${Field} id="switch-user" label=${`Act in ${organization.name} as`} required error=${issue.error} field="id"
            hint="Issues an API key for this user. A user who already has a key is refused (the API never shows a key twice)."
            control=${(
              attributes,
            ) => html`<select ...${attributes} value=${userId} onChange=${(event) => setUserId(event.currentTarget.value)}>
              <option value="">Choose a user…</option>
              ${users.data.map((user) => html`<option value=${user.id}>${user.email} (${user.role})</option>`)}
            </select>`} />
          <${ErrorNote} error=${issue.error} fields=${['id']} />
          <button type="submit" disabled=${!userId || issue.busy}>Issue a key and switch</button>
        </form>`}<//>`;
}

export function OrganizationSwitch({ me, navigate }) {
  const organizations = useResource(() => asPartner('GET', '/api/organizations').then((answer) => answer.data));
  const [chosen, setChosen] = useState('');
  const owner = organizations.data?.[0];
  const organization = organizations.data?.find((candidate) => candidate.id === chosen);
  return html`<${PageHeader} title="Switch organization">
      ${
        session.partnerKey()
          ? html`<button type="button" class="secondary" onClick=${() => {
              session.backToPartner();
              changed();
            }}>Back to the partner key</button>`
          : ''
      }
    <//>
    <p>Now acting in <strong>${me.organization_name}</strong>.</p>
    <${Loading} resource=${organizations}>${() => html`<div class="field">
        <label for="switch-organization">Organization</label>
        <select id="switch-organization" value=${chosen} onChange=${(event) => setChosen(event.currentTarget.value)}>
          <option value="">Choose an organization…</option>
          ${organizations.data.map((candidate) => html`<option value=${candidate.id}>${candidate.name}</option>`)}
        </select>
      </div>
      ${
        organization && organization.id === owner?.id
          ? html`<p>The partner key acts in ${owner.name} itself.</p>
            <button type="button" onClick=${() => {
              session.backToPartner();
              changed();
              navigate('#/connections');
            }}>Act with the partner key</button>`
          : organization
            ? html`<${Users} organization=${organization} navigate=${navigate} />`
            : ''
      }`}<//>`;
}
