// Model syncs: the list (last run, next run, status, a filter), the create form (a model's fields mapped onto a
// target object's), and the detail page with start (test, resync), cancel, activate and the executions.
import { useState } from '/console/vendor/preact-htm.js';
import { get, getAll, post } from '/console/api.js';
import { ExecutionHistory } from '/console/executions.js';
import { ScheduleEditor, describeSchedule } from '/console/schedules.js';
import {
  ErrorNote,
  Field,
  Filter,
  Loading,
  PageHeader,
  Status,
  formatTime,
  html,
  isOpen,
  useAction,
  useInterval,
  useResource,
} from '/console/ui.js';

async function syncsWithStatus() {
  const syncs = await getAll('/api/syncs');
  return Promise.all(
    syncs.map(async (sync) => {
      const status = await get(`/api/syncs/${sync.id}/status`)
        .then((answer) => answer.data)
        .catch(() => ({}));
      return { ...sync, status };
    }),
  );
}

export function ModelSyncList() {
  const syncs = useResource(syncsWithStatus);
  const [filter, setFilter] = useState('');
  const shown = (syncs.data ?? []).filter((sync) => {
    const text = `${sync.name} ${sync.target_object ?? ''} ${sync.status.current_execution?.status ?? sync.status.last_execution?.status ?? ''} ${sync.active ? 'active' : 'inactive'}`;
    return text.toLowerCase().includes(filter.toLowerCase());
  });
  return html`<${PageHeader} title="Model syncs"><a class="button" href="#/syncs/new">New model sync</a><//>
    <${Filter} id="sync-filter" label="Filter by name, target or status" value=${filter} onInput=${setFilter} />
    <${Loading} resource=${syncs}>${() => html`<div class="table-wrap"><table>
      <caption class="visually-hidden">Model syncs</caption>
      <thead><tr><th scope="col">Name</th><th scope="col">Target</th><th scope="col">Status</th><th scope="col">Last run</th><th scope="col">Next run</th><th scope="col">Active</th></tr></thead>
      <tbody>${shown.map((sync) => {
        const execution = sync.status.current_execution ?? sync.status.last_execution;
        return html`<tr>
          <td><a href=${`#/syncs/${sync.id}`}>${sync.name}</a></td>
          <td>${sync.target_object ?? '—'}</td>
          <td><${Status} value=${execution?.status} /></td>
          <td>${formatTime(execution?.completed_at ?? execution?.started_at)}</td>
          <td>${formatTime(sync.status.next_execution_time)}</td>
          <td>${sync.active ? 'yes' : 'no'}</td>
        </tr>`;
      })}</tbody></table></div>
      ${shown.length === 0 ? html`<p class="muted">No model syncs${filter ? ' match the filter' : ''}.</p>` : ''}`}<//>`;
}

async function creationChoices() {
  const [models, connections] = await Promise.all([
    get('/api/models').then((answer) => answer.data),
    get('/api/connections').then((answer) => answer.data),
  ]);
  const targets = connections.filter((connection) => (connection.type?.operations ?? []).includes('modelsync_target'));
  return { models, targets };
}

export function ModelSyncEditor({ navigate }) {
  const choices = useResource(creationChoices);
  const [form, setForm] = useState({
    name: '',
    model_id: '',
    connection_id: '',
    object: '',
    mode: '',
    identity_source: '',
    identity_target: '',
    mappings: {},
    schedule: { frequency: 'manual' },
  });
  const objects = useResource(
    () =>
      form.connection_id
        ? get(`/api/connections/${form.connection_id}/modelsync/targetobjects`).then((answer) => answer.data)
        : [],
    [form.connection_id],
  );
  const targetFields = useResource(
    () =>
      form.object
        ? get(`/api/connections/${form.connection_id}/modelsync/target/fields`, { target: form.object }).then(
            (answer) => answer.data.fields,
          )
        : [],
    [form.connection_id, form.object],
  );
  const save = useAction();
  const model = choices.data?.models.find((candidate) => candidate.id === form.model_id);
  const object = (objects.data ?? []).find((candidate) => candidate.id === form.object);
  const mode = object?.modes.find((candidate) => candidate.id === form.mode);
  const targetNames = (targetFields.data ?? []).map((field) => field.id);
  const set = (name) => (event) => setForm({ ...form, [name]: event.currentTarget.value });
  const chooseModel = (event) => {
    const chosen = choices.data.models.find((candidate) => candidate.id === event.currentTarget.value);
    setForm({ ...form, model_id: event.currentTarget.value, identity_source: chosen?.identifier ?? '', mappings: {} });
  };
  /** A model field maps onto the target field of the same name unless the user chose otherwise. */
  const mappingOf = (fieldName) =>
    form.mappings[fieldName] ??
    (targetNames.includes(fieldName) && fieldName !== form.identity_source ? fieldName : '');
  const submit = async (event) => {
    event.preventDefault();
    const source = (field) => ({ field, model_id: form.model_id });
    const fields = (model?.fields ?? [])
      .map((field) => ({ source: source(field.name), target: mappingOf(field.name) }))
      .filter((mapping) => mapping.target);
    const body = {
      name: form.name,
      mode: form.mode,
      schedule: form.schedule,
      target: { connection_id: form.connection_id, object: form.object },
      fields,
      ...(mode?.requires_identity || form.identity_source
        ? {
            identity: {
              source: source(form.identity_source),
              target: form.identity_target || form.identity_source,
              function: 'Equality',
            },
          }
        : {}),
    };
    const created = await save.run(() => post('/api/syncs', body));
    if (created) navigate(`#/syncs/${created.data.id}`);
  };
  const names = [
    'name',
    'mode',
    'schedule.*',
    'target.object',
    'target.connection_id',
    'identity.source',
    'identity.target',
    'fields',
  ];
  const select = (id, label, field, value, onChange, options, placeholder, extra = {}) =>
    html`<${Field} id=${id} label=${label} required=${extra.required ?? true} error=${save.error} field=${field} hint=${extra.hint}
      control=${(attributes) => html`<select ...${attributes} value=${value} onChange=${onChange}>
        <option value="">${placeholder}</option>
        ${options.map(([optionValue, optionLabel]) => html`<option value=${optionValue}>${optionLabel}</option>`)}
      </select>`} />`;
  return html`<${PageHeader} title="New model sync" />
    <${Loading} resource=${choices}>${() => html`<form class="form" onSubmit=${submit} novalidate>
      <${ErrorNote} error=${save.error} fields=${names} />
      <${Field} id="sync-name" label="Name" required error=${save.error} field="name"
        control=${(attributes) => html`<input ...${attributes} type="text" value=${form.name} onInput=${set('name')} />`} />
      ${select(
        'sync-model',
        'Model',
        'fields',
        form.model_id,
        chooseModel,
        choices.data.models.map((item) => [item.id, item.name]),
        'Choose a model…',
      )}
      ${select(
        'sync-target-connection',
        'Target connection',
        'target.connection_id',
        form.connection_id,
        (event) => setForm({ ...form, connection_id: event.currentTarget.value, object: '', mode: '' }),
        choices.data.targets.map((item) => [item.id, item.name]),
        'Choose a connection…',
      )}
      ${select(
        'sync-target-object',
        'Target object',
        'target.object',
        form.object,
        (event) => setForm({ ...form, object: event.currentTarget.value, mode: '', mappings: {} }),
        (objects.data ?? []).map((item) => [item.id, item.name]),
        'Choose an object…',
      )}
      ${select(
        'sync-mode',
        'Mode',
        'mode',
        form.mode,
        set('mode'),
        (object?.modes ?? []).map((item) => [item.id, item.id]),
        'Choose a mode…',
      )}
      ${
        model && form.object
          ? html`<fieldset><legend>Identity</legend>
            ${select(
              'sync-identity-source',
              'Model field',
              'identity.source',
              form.identity_source,
              set('identity_source'),
              model.fields.map((field) => [field.name, field.name]),
              'None',
              { required: mode?.requires_identity ?? false },
            )}
            ${select(
              'sync-identity-target',
              'Matches target field',
              'identity.target',
              form.identity_target || form.identity_source,
              set('identity_target'),
              targetNames.map((name) => [name, name]),
              'Choose…',
              { required: mode?.requires_identity ?? false },
            )}
          </fieldset>
          <fieldset><legend>Field mappings</legend>
            <div class="table-wrap"><table>
              <caption class="visually-hidden">Model field to target field</caption>
              <thead><tr><th scope="col">Model field</th><th scope="col">Target field</th></tr></thead>
              <tbody>${model.fields
                .filter((field) => field.name !== form.identity_source)
                .map(
                  (field) => html`<tr><td><label for=${`map-${field.name}`}>${field.name}</label></td><td>
                  <select id=${`map-${field.name}`} value=${mappingOf(field.name)}
                    onChange=${(event) => setForm({ ...form, mappings: { ...form.mappings, [field.name]: event.currentTarget.value } })}>
                    <option value="">Not synced</option>
                    ${targetNames.map((name) => html`<option value=${name}>${name}</option>`)}
                  </select></td></tr>`,
                )}</tbody></table></div>
          </fieldset>`
          : ''
      }
      <fieldset><legend>Schedule</legend>
        <${ScheduleEditor} idPrefix="sync-schedule" value=${form.schedule} error=${save.error} field="schedule"
          onChange=${(schedule) => setForm({ ...form, schedule })} />
      </fieldset>
      <div class="buttons"><button type="submit" disabled=${save.busy}>Create model sync</button><a href="#/syncs">Cancel</a></div>
    </form>`}<//>`;
}

function StartPanel({ syncId, onStarted }) {
  const [options, setOptions] = useState({ test: false, resync: false });
  const start = useAction();
  const run = async () => {
    const started = await start.run(() =>
      post(`/api/syncs/${syncId}/executions`, {
        ...(options.test ? { test: true } : {}),
        ...(options.resync ? { resync: true } : {}),
      }),
    );
    if (started) onStarted(started.data);
  };
  return html`<fieldset class="start-panel"><legend>Run</legend>
    <label class="check"><input type="checkbox" checked=${options.test} onChange=${(event) => setOptions({ ...options, test: event.currentTarget.checked })} /> Test (the first 10 rows)</label>
    <label class="check"><input type="checkbox" checked=${options.resync} onChange=${(event) => setOptions({ ...options, resync: event.currentTarget.checked })} /> Resync (send every row again)</label>
    <button type="button" onClick=${run} disabled=${start.busy}>Start</button>
    <${ErrorNote} error=${start.error} />
  </fieldset>`;
}

export function ModelSyncDetail({ id, navigate }) {
  const sync = useResource(() => get(`/api/syncs/${id}`).then((answer) => answer.data), [id]);
  const status = useResource(() => get(`/api/syncs/${id}/status`).then((answer) => answer.data), [id]);
  const model = useResource(
    () =>
      sync.data
        ? get(`/api/models/${sync.data.model_ids?.[0]}`)
            .then((answer) => answer.data)
            .catch(() => undefined)
        : undefined,
    [sync.data?.id],
  );
  const [refreshKey, setRefreshKey] = useState(0);
  const action = useAction();
  const open = isOpen(status.data?.current_execution?.status);
  useInterval(() => status.reload(true), 1500, open);
  const after = () => {
    status.reload(true);
    setRefreshKey(refreshKey + 1);
  };
  return html`<${Loading} resource=${sync}>${() => {
    const data = sync.data;
    const current = status.data?.current_execution;
    return html`<${PageHeader} title=${`Model sync: ${data.name}`}>
        <button type="button" class="secondary" disabled=${action.busy}
          onClick=${() => action.run(() => post(`/api/syncs/${id}/activate`, { active: !data.active })).then(() => sync.reload(true))}>
          ${data.active ? 'Deactivate' : 'Activate'}</button>
        ${
          open
            ? html`<button type="button" class="danger" disabled=${action.busy}
          onClick=${() => action.run(() => post(`/api/syncs/${id}/cancel`)).then(after)}>Cancel run</button>`
            : ''
        }
      <//>
      <${ErrorNote} error=${action.error} />
      <dl class="facts">
        <div><dt>Active</dt><dd>${data.active ? 'yes' : 'no'}</dd></div>
        <div><dt>Mode</dt><dd>${data.mode}</dd></div>
        <div><dt>Model</dt><dd>${model.data?.name ?? data.model_ids?.join(', ')}</dd></div>
        <div><dt>Target</dt><dd>${data.target?.object}</dd></div>
        <div><dt>Schedule</dt><dd>${describeSchedule(data.schedule)}</dd></div>
        <div><dt>Status</dt><dd><${Status} value=${current?.status ?? status.data?.last_execution?.status} />
          ${current ? html` <a href=${`#/syncs/${id}/executions/${current.id}`}>follow the run</a>` : ''}</dd></div>
        <div><dt>Next run</dt><dd>${formatTime(status.data?.next_execution_time)}</dd></div>
      </dl>
      <section aria-labelledby="mappings-title"><h2 id="mappings-title">Field mappings</h2>
        <div class="table-wrap"><table>
          <caption class="visually-hidden">Field mappings</caption>
          <thead><tr><th scope="col">Model field</th><th scope="col">Target field</th></tr></thead>
          <tbody>
            ${data.identity ? html`<tr><td>${data.identity.source.field}</td><td>${data.identity.target} <span class="muted">(identity, ${data.identity.function})</span></td></tr>` : ''}
            ${(data.fields ?? []).map((field) => html`<tr><td>${field.source?.field ?? field.new_field?.name ?? '—'}</td><td>${field.target}</td></tr>`)}
          </tbody></table></div>
      </section>
      <${StartPanel} syncId=${id} onStarted=${(execution) => navigate(`#/syncs/${id}/executions/${execution.id}`)} />
      <${ExecutionHistory} kind="model" syncId=${id} refreshKey=${refreshKey} />`;
  }}<//>`;
}
