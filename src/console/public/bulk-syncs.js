// Bulk syncs: the list (last run, next run, status, a filter), a small create form, and the detail page with the
// configuration, the schedules (default and additional, each with its resync mode), the schemas with their enable
// switches and output names, start (resync mode, test), cancel, activate, and the executions.
import { useState } from '/console/vendor/preact-htm.js';
import { del, get, patch, post } from '/console/api.js';
import { ExecutionHistory } from '/console/executions.js';
import { ScheduleEditor, describeSchedule } from '/console/schedules.js';
import {
  ErrorNote,
  Field,
  Filter,
  fieldError,
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

const resyncModes = ['normal', 'refetch', 'resync', 'rebuild'];

async function bulkSyncsWithStatus() {
  const [syncs, statuses] = await Promise.all([
    get('/api/bulk/syncs').then((answer) => answer.data),
    get('/api/bulk/syncs/status', { all: true }).then((answer) => answer.data),
  ]);
  const byId = new Map(statuses.map((status) => [status.sync_id, status]));
  return syncs.map((sync) => {
    const status = byId.get(sync.id) ?? {};
    const finished = (status.schemas ?? [])
      .map((schema) => schema.completed_at)
      .filter(Boolean)
      .sort();
    return { ...sync, status, lastRun: finished[finished.length - 1] };
  });
}

export function BulkSyncList() {
  const syncs = useResource(bulkSyncsWithStatus);
  const [filter, setFilter] = useState('');
  const shown = (syncs.data ?? []).filter((sync) =>
    `${sync.name} ${sync.mode} ${sync.status.status ?? ''} ${sync.active ? 'active' : 'inactive'}`
      .toLowerCase()
      .includes(filter.toLowerCase()),
  );
  return html`<${PageHeader} title="Bulk syncs"><a class="button" href="#/bulk/new">New bulk sync</a><//>
    <${Filter} id="bulk-filter" label="Filter by name, mode or status" value=${filter} onInput=${setFilter} />
    <${Loading} resource=${syncs}>${() => html`<div class="table-wrap"><table>
      <caption class="visually-hidden">Bulk syncs</caption>
      <thead><tr><th scope="col">Name</th><th scope="col">Mode</th><th scope="col">Status</th><th scope="col">Last run</th><th scope="col">Next run</th><th scope="col">Active</th></tr></thead>
      <tbody>${shown.map(
        (sync) => html`<tr>
          <td><a href=${`#/bulk/${sync.id}`}>${sync.name}</a></td>
          <td>${sync.mode}</td>
          <td><${Status} value=${sync.status.status} /></td>
          <td>${formatTime(sync.lastRun)}</td>
          <td>${formatTime(sync.status.nextExecutionTime ?? sync.status.next_execution_time)}</td>
          <td>${sync.active ? 'yes' : 'no'}</td>
        </tr>`,
      )}</tbody></table></div>
      ${shown.length === 0 ? html`<p class="muted">No bulk syncs${filter ? ' match the filter' : ''}.</p>` : ''}`}<//>`;
}

export function BulkSyncEditor({ navigate }) {
  const connections = useResource(() => get('/api/connections').then((answer) => answer.data));
  const [form, setForm] = useState({
    name: '',
    source: '',
    destination: '',
    schema: '',
    mode: 'replicate',
    schedule: { frequency: 'manual' },
  });
  const save = useAction();
  const set = (name) => (event) => setForm({ ...form, [name]: event.currentTarget.value });
  const offering = (operation) =>
    (connections.data ?? []).filter((connection) => (connection.type?.operations ?? []).includes(operation));
  const submit = async (event) => {
    event.preventDefault();
    const created = await save.run(() =>
      post('/api/bulk/syncs', {
        name: form.name,
        source_connection_id: form.source,
        destination_connection_id: form.destination,
        destination_configuration: form.schema ? { schema: form.schema } : {},
        mode: form.mode,
        default_schedule: form.schedule,
      }),
    );
    if (created) navigate(`#/bulk/${created.data.id}`);
  };
  const connectionSelect = (id, label, field, value, onChange, options) =>
    html`<${Field} id=${id} label=${label} required error=${save.error} field=${field}
      control=${(attributes) => html`<select ...${attributes} value=${value} onChange=${onChange}>
        <option value="">Choose a connection…</option>
        ${options.map((connection) => html`<option value=${connection.id}>${connection.name}</option>`)}
      </select>`} />`;
  return html`<${PageHeader} title="New bulk sync" />
    <${Loading} resource=${connections}>${() => html`<form class="form" onSubmit=${submit} novalidate>
      <${ErrorNote} error=${save.error} fields=${['name', 'source_connection_id', 'destination_connection_id', 'destination_configuration.schema', 'mode', 'default_schedule.*']} />
      <${Field} id="bulk-name" label="Name" required error=${save.error} field="name"
        control=${(attributes) => html`<input ...${attributes} type="text" value=${form.name} onInput=${set('name')} />`} />
      ${connectionSelect('bulk-source', 'Source', 'source_connection_id', form.source, set('source'), offering('bulksync_source'))}
      ${connectionSelect('bulk-destination', 'Destination', 'destination_connection_id', form.destination, set('destination'), offering('bulksync_target'))}
      <${Field} id="bulk-schema" label="Destination schema" error=${save.error} field="destination_configuration.schema"
        hint="Where the copied tables go, e.g. a PostgreSQL schema."
        control=${(attributes) => html`<input ...${attributes} type="text" value=${form.schema} onInput=${set('schema')} />`} />
      <${Field} id="bulk-mode" label="Mode" required error=${save.error} field="mode"
        control=${(attributes) => html`<select ...${attributes} value=${form.mode} onChange=${set('mode')}>
          <option value="replicate">replicate</option><option value="snapshot">snapshot</option></select>`} />
      <fieldset><legend>Default schedule</legend>
        <${ScheduleEditor} idPrefix="bulk-schedule" value=${form.schedule} error=${save.error} field="default_schedule"
          onChange=${(schedule) => setForm({ ...form, schedule })} />
      </fieldset>
      <div class="buttons"><button type="submit" disabled=${save.busy}>Create bulk sync</button><a href="#/bulk">Cancel</a></div>
    </form>`}<//>`;
}

function Schedules({ sync, onChanged }) {
  const [adding, setAdding] = useState({ frequency: 'daily', hour: '5', minute: '0', resync_mode: 'normal' });
  const action = useAction();
  const schedules = [{ ...sync.default_schedule, isDefault: true }, ...(sync.additional_schedules ?? [])];
  const { resync_mode: resyncMode, ...timing } = adding;
  const add = async (event) => {
    event.preventDefault();
    const added = await action.run(() =>
      post(`/api/bulk/syncs/${sync.id}/schedules`, {
        ...timing,
        ...(resyncMode === 'normal' ? {} : { resync_mode: resyncMode }),
      }),
    );
    if (added) onChanged();
  };
  return html`<section aria-labelledby="schedules-title"><h2 id="schedules-title">Schedules</h2>
    <div class="table-wrap"><table>
      <caption class="visually-hidden">Schedules</caption>
      <thead><tr><th scope="col">Schedule</th><th scope="col">When</th><th scope="col">Resync mode</th><th scope="col">Schemas</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
      <tbody>${schedules.map(
        (schedule) => html`<tr>
          <td>${schedule.isDefault ? 'default' : 'additional'}</td>
          <td>${describeSchedule(schedule)}</td>
          <td>${schedule.resync_mode ?? 'normal'}</td>
          <td>${schedule.schemas?.length ? schedule.schemas.join(', ') : (schedule.selective_mode ?? 'all')}</td>
          <td>${
            schedule.isDefault
              ? ''
              : html`<button type="button" class="link" aria-label=${`Delete the ${describeSchedule(schedule)} schedule`}
            onClick=${() => action.run(() => del(`/api/bulk/syncs/${sync.id}/schedules/${schedule.id}`)).then(onChanged)}>Delete</button>`
          }</td>
        </tr>`,
      )}</tbody></table></div>
    <form class="form compact" onSubmit=${add} novalidate>
      <fieldset><legend>Add a schedule</legend>
        <${ErrorNote} error=${action.error} fields=${['frequency', 'hour', 'minute', 'resync_mode']} />
        <${ScheduleEditor} idPrefix="new-schedule" value=${timing} error=${action.error} field=""
          onChange=${(next) => setAdding({ ...next, resync_mode: resyncMode })} />
        <${Field} id="new-schedule-resync" label="Resync mode" error=${action.error} field="resync_mode"
          control=${(
            attributes,
          ) => html`<select ...${attributes} value=${resyncMode} onChange=${(event) => setAdding({ ...adding, resync_mode: event.currentTarget.value })}>
            ${resyncModes.map((mode) => html`<option value=${mode}>${mode}</option>`)}</select>`} />
        <button type="submit" class="secondary" disabled=${action.busy}>Add schedule</button>
      </fieldset>
    </form>
  </section>`;
}

/**
 * The schemas with their enable switch and output name. An output name is written as `user_output_name` (the API's
 * writable setting; `output_name` is what it resolves to). Errors name the schema by its index in the PATCH body, so
 * the ids sent are kept to put each error on its row.
 */
function Schemas({ syncId }) {
  const schemas = useResource(() => get(`/api/bulk/syncs/${syncId}/schemas`).then((answer) => answer.data), [syncId]);
  const [changes, setChanges] = useState({});
  const [sent, setSent] = useState([]);
  const save = useAction();
  const change = (id, property, value) => setChanges({ ...changes, [id]: { ...changes[id], [property]: value } });
  const submit = async (event) => {
    event.preventDefault();
    const ids = Object.keys(changes);
    setSent(ids);
    const body = { schemas: ids.map((id) => ({ id, ...changes[id] })) };
    if (await save.run(() => patch(`/api/bulk/syncs/${syncId}/schemas`, body))) {
      setChanges({});
      schemas.reload(true);
    }
  };
  const errorField = (id) => `schemas[${sent.indexOf(id)}].user_output_name`;
  return html`<section aria-labelledby="schemas-title"><h2 id="schemas-title">Schemas</h2>
    <${Loading} resource=${schemas}>${() => html`<form onSubmit=${submit} novalidate>
      <${ErrorNote} error=${save.error} fields=${sent.map(errorField)} />
      <div class="table-wrap"><table>
        <caption class="visually-hidden">Schemas of the source</caption>
        <thead><tr><th scope="col">Schema</th><th scope="col">Enabled</th><th scope="col">Output name</th></tr></thead>
        <tbody>${schemas.data.map((schema, index) => {
          const edited = changes[schema.id] ?? {};
          const enabled = edited.enabled ?? schema.enabled;
          const outputName = edited.user_output_name ?? schema.output_name ?? '';
          const error = sent.includes(schema.id) ? fieldError(save.error, errorField(schema.id)) : undefined;
          return html`<tr>
            <td>${schema.id}</td>
            <td><input type="checkbox" role="switch" id=${`schema-enabled-${index}`} aria-label=${`Copy ${schema.id}`}
              checked=${enabled} onChange=${(event) => change(schema.id, 'enabled', event.currentTarget.checked)} /></td>
            <td><input type="text" aria-label=${`Output name of ${schema.id}`} value=${outputName}
              aria-invalid=${error ? 'true' : undefined} aria-describedby=${error ? `schema-error-${index}` : undefined}
              onInput=${(event) => change(schema.id, 'user_output_name', event.currentTarget.value)} />
              ${error ? html`<p class="field-error" id=${`schema-error-${index}`} role="alert">${error}</p>` : ''}</td>
          </tr>`;
        })}</tbody></table></div>
      <button type="submit" class="secondary" disabled=${save.busy || Object.keys(changes).length === 0}>Save schemas</button>
    </form>`}<//>
  </section>`;
}

function StartPanel({ syncId, onStarted }) {
  const [options, setOptions] = useState({ resync_mode: 'normal', test: false });
  const start = useAction();
  const run = async () => {
    const body = {
      ...(options.resync_mode !== 'normal' ? { resync_mode: options.resync_mode } : {}),
      ...(options.test ? { test: true } : {}),
    };
    const started = await start.run(() => post(`/api/bulk/syncs/${syncId}/executions`, body));
    if (started) onStarted(started.data);
  };
  return html`<fieldset class="start-panel"><legend>Run</legend>
    <${Field} id="start-resync-mode" label="Resync mode" error=${start.error} field="resync_mode"
      control=${(attributes) => html`<select ...${attributes} value=${options.resync_mode}
        onChange=${(event) => setOptions({ ...options, resync_mode: event.currentTarget.value })}>
        ${resyncModes.map((mode) => html`<option value=${mode}>${mode}</option>`)}</select>`} />
    <label class="check"><input type="checkbox" checked=${options.test} onChange=${(event) => setOptions({ ...options, test: event.currentTarget.checked })} /> Test (at most 100 rows per schema)</label>
    <button type="button" onClick=${run} disabled=${start.busy}>Start</button>
    <${ErrorNote} error=${start.error} fields=${['resync_mode']} />
  </fieldset>`;
}

export function BulkSyncDetail({ id }) {
  const sync = useResource(() => get(`/api/bulk/syncs/${id}`).then((answer) => answer.data), [id]);
  const status = useResource(() => get(`/api/bulk/syncs/${id}/status`).then((answer) => answer.data), [id]);
  const [refreshKey, setRefreshKey] = useState(0);
  const action = useAction();
  const current = status.data?.current_execution;
  const open = isOpen(current?.status);
  useInterval(() => status.reload(true), 1000, open);
  const changed = () => {
    sync.reload(true);
    status.reload(true);
    setRefreshKey(refreshKey + 1);
  };
  return html`<${Loading} resource=${sync}>${() => {
    const data = sync.data;
    return html`<${PageHeader} title=${`Bulk sync: ${data.name}`}>
        <button type="button" class="secondary" disabled=${action.busy}
          onClick=${() => action.run(() => post(`/api/bulk/syncs/${id}/activate`, { active: !data.active })).then(changed)}>
          ${data.active ? 'Deactivate' : 'Activate'}</button>
        ${
          open
            ? html`<button type="button" class="danger" disabled=${action.busy}
          onClick=${() => action.run(() => post(`/api/bulk/syncs/${id}/cancel`)).then(changed)}>Cancel run</button>`
            : ''
        }
      <//>
      <${ErrorNote} error=${action.error} />
      <dl class="facts">
        <div><dt>Active</dt><dd>${data.active ? 'yes' : 'no'}</dd></div>
        <div><dt>Mode</dt><dd>${data.mode}</dd></div>
        <div><dt>Destination schema</dt><dd>${data.destination_configuration?.schema ?? '—'}</dd></div>
        <div><dt>New schemas</dt><dd>${data.automatically_add_new_objects}</dd></div>
        <div><dt>Status</dt><dd><${Status} value=${current?.status ?? status.data?.last_execution?.status} />
          ${current ? html` <a href=${`#/bulk/${id}/executions/${current.id}`}>follow the run</a>` : ''}</dd></div>
      </dl>
      <${StartPanel} syncId=${id} onStarted=${changed} />
      <${Schedules} sync=${data} onChanged=${changed} />
      <${Schemas} syncId=${id} />
      <${ExecutionHistory} kind="bulk" syncId=${id} refreshKey=${refreshKey} />`;
  }}<//>`;
}
