// Models: the list, and a model made from SQL with a live preview while the query is typed: the fields the source
// detects (POST /api/model-preview, nothing stored) and the first rows (the query runner).
import { useEffect, useRef, useState } from '/console/vendor/preact-htm.js';
import { get, post } from '/console/api.js';
import { ErrorNote, Field, Loading, PageHeader, formatTime, html, useAction, useResource } from '/console/ui.js';

const previewRows = 10;
const typingPause = 600;

export function ModelList() {
  const models = useResource(() => get('/api/models').then((answer) => answer.data));
  return html`<${PageHeader} title="Models"><a class="button" href="#/models/new">New model</a><//>
    <${Loading} resource=${models}>${() =>
      models.data.length === 0
        ? html`<p>No models yet. <a href="#/models/new">Create one from SQL</a>.</p>`
        : html`<div class="table-wrap"><table>
            <caption class="visually-hidden">Models</caption>
            <thead><tr><th scope="col">Name</th><th scope="col">Fields</th><th scope="col">Identifier</th><th scope="col">Updated</th></tr></thead>
            <tbody>${models.data.map(
              (model) => html`<tr>
                <td>${model.name}</td>
                <td>${(model.fields ?? []).map((field) => field.name).join(', ')}</td>
                <td>${model.identifier ?? '—'}</td>
                <td>${formatTime(model.updated_at)}</td>
              </tr>`,
            )}</tbody></table></div>`}<//>`;
}

async function firstRows(connectionId, sql, signal) {
  const started = await post(`/api/connections/${connectionId}/query`, { query: sql });
  for (;;) {
    if (signal.aborted) return undefined;
    const answer = await get(`/api/queries/${started.data.id}`);
    if (answer.data.status === 'done') return answer.data;
    if (answer.data.status === 'failed') throw new Error(answer.data.error ?? 'The query failed.');
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** The preview of `sql` on `connectionId`, refreshed once typing pauses. */
function usePreview(connectionId, sql) {
  const [preview, setPreview] = useState({});
  const latest = useRef();
  useEffect(() => {
    if (!connectionId || !sql.trim()) {
      setPreview({});
      return undefined;
    }
    const controller = new AbortController();
    latest.current = controller;
    const timer = setTimeout(async () => {
      setPreview((previous) => ({ ...previous, loading: true }));
      try {
        const [model, rows] = await Promise.all([
          post('/api/model-preview', { name: 'preview', connection_id: connectionId, configuration: { query: sql } }),
          firstRows(connectionId, sql, controller.signal),
        ]);
        if (latest.current === controller) setPreview({ fields: model.data.fields, rows });
      } catch (error) {
        if (latest.current === controller) setPreview({ error });
      }
    }, typingPause);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [connectionId, sql]);
  return preview;
}

function Preview({ preview }) {
  if (preview.error) return html`<${ErrorNote} error=${preview.error} />`;
  if (!preview.fields)
    return html`<p class="muted">${preview.loading ? 'Previewing…' : 'Type a query to see its fields and first rows.'}</p>`;
  const columns = preview.rows?.fields ?? preview.fields.map((field) => field.name);
  return html`<section aria-labelledby="preview-fields" class="preview" aria-busy=${preview.loading ? 'true' : 'false'}>
      <h2 id="preview-fields">Detected fields</h2>
      <ul class="chips">${preview.fields.map(
        (field) =>
          html`<li><strong>${field.name}</strong> <span class="muted">${field.type}${field.remote_type ? ` (${field.remote_type})` : ''}</span></li>`,
      )}</ul>
      <h2>First rows</h2>
      <div class="table-wrap"><table class="preview-rows">
        <caption class="visually-hidden">The query's first rows</caption>
        <thead><tr>${columns.map((column) => html`<th scope="col">${column}</th>`)}</tr></thead>
        <tbody>${(preview.rows?.results ?? [])
          .slice(0, previewRows)
          .map(
            (row) =>
              html`<tr>${columns.map((column) => html`<td>${row[column] === null ? 'null' : String(row[column])}</td>`)}</tr>`,
          )}</tbody>
      </table></div>
      <p class="muted">${preview.rows ? `${preview.rows.count} rows in all` : ''}</p>
    </section>`;
}

export function ModelEditor({ navigate }) {
  const connections = useResource(() =>
    get('/api/connections').then((answer) =>
      answer.data.filter((connection) => (connection.type?.operations ?? []).includes('modelsync_source')),
    ),
  );
  const [form, setForm] = useState({ name: '', connection_id: '', query: '', identifier: '' });
  const preview = usePreview(form.connection_id, form.query);
  const save = useAction();
  const submit = async (event) => {
    event.preventDefault();
    const saved = await save.run(() =>
      post('/api/models', {
        name: form.name,
        connection_id: form.connection_id,
        configuration: { query: form.query },
        ...(form.identifier ? { identifier: form.identifier } : {}),
      }),
    );
    if (saved) navigate('#/models');
  };
  const set = (name) => (event) => setForm({ ...form, [name]: event.currentTarget.value });
  const fields = ['name', 'connection_id', 'configuration.query', 'identifier'];
  return html`<${PageHeader} title="New model" />
    <${Loading} resource=${connections}>${() => html`<div class="split">
      <form class="form" onSubmit=${submit} novalidate>
        <${ErrorNote} error=${save.error} fields=${fields} />
        <${Field} id="model-name" label="Name" required error=${save.error} field="name"
          control=${(attributes) => html`<input ...${attributes} type="text" value=${form.name} onInput=${set('name')} />`} />
        <${Field} id="model-connection" label="Connection" required error=${save.error} field="connection_id"
          control=${(
            attributes,
          ) => html`<select ...${attributes} value=${form.connection_id} onChange=${set('connection_id')}>
            <option value="">Choose a connection…</option>
            ${connections.data.map((connection) => html`<option value=${connection.id}>${connection.name}</option>`)}
          </select>`} />
        <${Field} id="model-query" label="SQL" required error=${save.error} field="configuration.query"
          hint="The fields and first rows below follow what you type."
          control=${(attributes) => html`<textarea ...${attributes} rows="6" spellcheck=${false} value=${form.query}
            onInput=${set('query')}></textarea>`} />
        <${Field} id="model-identifier" label="Identifier field" error=${save.error} field="identifier"
          hint="The field that identifies a record (unique)."
          control=${(
            attributes,
          ) => html`<select ...${attributes} value=${form.identifier} onChange=${set('identifier')}>
            <option value="">None</option>
            ${(preview.fields ?? []).map((field) => html`<option value=${field.name}>${field.name}</option>`)}
          </select>`} />
        <div class="buttons">
          <button type="submit" disabled=${save.busy}>Create model</button>
          <a href="#/models">Cancel</a>
        </div>
      </form>
      <${Preview} preview=${preview} />
    </div>`}<//>`;
}
