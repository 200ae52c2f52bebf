// Connections: the list with each one's status, and the create/edit form generated from the type's JSON Schema,
// with a Test button that says in plain words whether the settings work, and why not.
import { useState } from '/console/vendor/preact-htm.js';
import { get, post, put } from '/console/api.js';
import { SchemaForm, schemaDefaults } from '/console/schema-form.js';
import {
  ErrorNote,
  Field,
  Loading,
  PageHeader,
  Status,
  formatTime,
  html,
  useAction,
  useResource,
} from '/console/ui.js';

export function ConnectionList() {
  const connections = useResource(() => get('/api/connections').then((answer) => answer.data));
  return html`<${PageHeader} title="Connections"><a class="button" href="#/connections/new">New connection</a><//>
    <${Loading} resource=${connections}>${() =>
      connections.data.length === 0
        ? html`<p>No connections yet. <a href="#/connections/new">Create one</a>.</p>`
        : html`<div class="table-wrap"><table>
            <caption class="visually-hidden">Connections</caption>
            <thead><tr><th scope="col">Name</th><th scope="col">Type</th><th scope="col">Status</th><th scope="col">Created</th></tr></thead>
            <tbody>${connections.data.map(
              (connection) => html`<tr>
                <td><a href=${`#/connections/${connection.id}`}>${connection.name}</a></td>
                <td>${connection.type?.name ?? connection.type?.id}</td>
                <td><${Status} value=${connection.status} />${connection.status_error ? html` <span class="muted">${connection.status_error}</span>` : ''}</td>
                <td>${formatTime(connection.created_at)}</td>
              </tr>`,
            )}</tbody></table></div>`}<//>`;
}

/** The test result in words: healthy, or the API's message with its stable reason code. */
function TestResult({ test }) {
  if (test.busy) return html`<p role="status" class="muted">Testing…</p>`;
  if (test.error) {
    const reason = test.error.metadata?.reason;
    return html`<div class="test-result failed" role="status">
      <p><strong>The test failed.</strong> ${test.error.message}</p>
      ${reason ? html`<p class="reason">Reason: <code>${reason}</code></p>` : ''}
    </div>`;
  }
  if (test.result)
    return html`<p class="test-result healthy" role="status"><strong>The connection works.</strong> Ferry reached it with these settings.</p>`;
  return '';
}

export function ConnectionEditor({ id, navigate }) {
  const editing = id !== undefined;
  const types = useResource(() => get('/api/connection_types').then((answer) => answer.data));
  const existing = useResource(
    () => (editing ? get(`/api/connections/${id}`).then((answer) => answer.data) : null),
    [id],
  );
  const [form, setForm] = useState();
  const save = useAction();
  const test = useAction();
  const loaded = types.data && (!editing || existing.data);
  if (loaded && form === undefined) {
    const start = editing
      ? { name: existing.data.name, type: existing.data.type.id, configuration: { ...existing.data.configuration } }
      : { name: '', type: '', configuration: {} };
    setForm(start);
    return '';
  }
  const type = types.data?.find((candidate) => candidate.id === form?.type);
  const schema = type?.configurationForm?.jsonschema;
  const chooseType = (value) => {
    const chosen = types.data.find((candidate) => candidate.id === value);
    setForm({ ...form, type: value, configuration: { ...schemaDefaults(chosen?.configurationForm?.jsonschema) } });
    test.clear();
  };
  const submit = async (event) => {
    event.preventDefault();
    const body = { name: form.name, configuration: form.configuration };
    const saved = await save.run(() =>
      editing ? put(`/api/connections/${id}`, body) : post('/api/connections', { ...body, type: form.type }),
    );
    if (saved) navigate('#/connections');
  };
  const runTest = () =>
    test.run(() =>
      post('/api/connections/test', {
        type: form.type,
        configuration: form.configuration,
        ...(editing ? { connection_id: id } : {}),
      }),
    );
  const title = editing ? `Connection: ${existing.data?.name ?? ''}` : 'New connection';
  return html`<${PageHeader} title=${title} />
    <${Loading} resource=${editing ? existing : types}>${() =>
      form === undefined
        ? ''
        : html`<form class="form" onSubmit=${submit} novalidate>
          <${ErrorNote} error=${save.error} fields=${['name', 'type', ...Object.keys(schema?.properties ?? {}).map((name) => `configuration.${name}`)]} />
          <${Field} id="connection-name" label="Name" required error=${save.error} field="name"
            control=${(attributes) => html`<input ...${attributes} type="text" value=${form.name}
              onInput=${(event) => setForm({ ...form, name: event.currentTarget.value })} />`} />
          <${Field} id="connection-type" label="Type" required error=${save.error} field="type"
            control=${(attributes) => html`<select ...${attributes} value=${form.type} disabled=${editing}
              onChange=${(event) => chooseType(event.currentTarget.value)}>
              <option value="">Choose a type…</option>
              ${types.data.map((candidate) => html`<option value=${candidate.id}>${candidate.name}</option>`)}
            </select>`} />
          ${
            schema
              ? html`<fieldset><legend>${type.name} settings</legend>
                <${SchemaForm} schema=${schema} values=${form.configuration} error=${save.error} prefix="configuration"
                  idPrefix="configuration" editing=${editing}
                  onChange=${(configuration) => setForm({ ...form, configuration })} />
              </fieldset>`
              : ''
          }
          <${TestResult} test=${test} />
          <div class="buttons">
            <button type="button" class="secondary" onClick=${runTest} disabled=${!form.type || test.busy}>Test</button>
            <button type="submit" disabled=${save.busy}>${editing ? 'Save' : 'Create connection'}</button>
            <a href="#/connections">Cancel</a>
          </div>
        </form>`}<//>`;
}
