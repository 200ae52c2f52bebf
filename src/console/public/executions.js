// Executions of a model sync or a bulk sync: the history with status, counts and duration, a chart of rows and
// duration per run, and one execution's page with its console log followed live (polling …/consolelog with
// `after`), per schema for bulk syncs, and the links to its record logs.
import { useEffect, useRef, useState } from '/console/vendor/preact-htm.js';
import uPlot from '/console/vendor/uplot.js';
import { get, post } from '/console/api.js';
import {
  ErrorNote,
  Loading,
  PageHeader,
  Status,
  durationSeconds,
  formatCount,
  formatDuration,
  formatTime,
  html,
  isOpen,
  useAction,
  useInterval,
  useResource,
} from '/console/ui.js';

/** What differs between the two kinds of sync, as paths and counts. */
export const executionKinds = {
  model: {
    base: (syncId) => `/api/syncs/${syncId}`,
    page: (syncId, executionId) => `#/syncs/${syncId}/executions/${executionId}`,
    rows: (execution) =>
      (execution.counts?.insert ?? 0) + (execution.counts?.update ?? 0) + (execution.counts?.delete ?? 0),
    errors: (execution) => execution.counts?.error ?? 0,
    columns: ['Inserted', 'Updated', 'Deleted'],
    details: (execution) => [execution.counts?.insert, execution.counts?.update, execution.counts?.delete],
  },
  bulk: {
    base: (syncId) => `/api/bulk/syncs/${syncId}`,
    page: (syncId, executionId) => `#/bulk/${syncId}/executions/${executionId}`,
    rows: (execution) => execution.record_count ?? 0,
    errors: (execution) => execution.error_count ?? 0,
    columns: ['Schemas', 'Warnings'],
    details: (execution) => [execution.schemas?.length, execution.warning_count],
  },
};

const chartRuns = 20;

/** Rows and duration of the last runs, oldest on the left. */
function RunChart({ kind, executions }) {
  const container = useRef();
  useEffect(() => {
    const finished = executions
      .filter((execution) => execution.started_at)
      .slice(0, chartRuns)
      .reverse();
    if (!container.current || finished.length === 0) return undefined;
    const data = [
      finished.map((_, index) => index + 1),
      finished.map((execution) => executionKinds[kind].rows(execution)),
      finished.map((execution) => durationSeconds(execution.started_at, execution.completed_at) ?? null),
    ];
    const width = () => Math.max(280, container.current.clientWidth);
    const chart = new uPlot(
      {
        width: width(),
        height: 200,
        legend: { show: false },
        scales: {
          x: { time: false, range: [0.5, finished.length + 0.5] },
          rows: { auto: true },
          seconds: { auto: true },
        },
        axes: [
          {
            label: 'Run',
            incrs: [1, 2, 5, 10],
            values: (_, ticks) => ticks.map((tick) => (Number.isInteger(tick) ? tick : '')),
          },
          { scale: 'rows', label: 'Rows', size: 70 },
          { scale: 'seconds', label: 'Seconds', side: 1, size: 55, grid: { show: false } },
        ],
        series: [
          { label: 'Run' },
          {
            label: 'Rows',
            scale: 'rows',
            stroke: '#2563eb',
            fill: 'rgba(37,99,235,0.15)',
            paths: uPlot.paths.bars({ size: [0.6, 40] }),
          },
          { label: 'Duration (s)', scale: 'seconds', stroke: '#d97706', width: 2, points: { show: true } },
        ],
      },
      data,
      container.current,
    );
    const resize = () => chart.setSize({ width: width(), height: 200 });
    window.addEventListener('resize', resize);
    return () => {
      window.removeEventListener('resize', resize);
      chart.destroy();
    };
  }, [kind, executions]);
  const recent = executions
    .filter((execution) => execution.started_at)
    .slice(0, chartRuns)
    .reverse();
  const summary = recent
    .map((execution, index) => {
      const seconds = durationSeconds(execution.started_at, execution.completed_at);
      return `run ${index + 1}: ${formatCount(executionKinds[kind].rows(execution))} rows in ${formatDuration(seconds)}`;
    })
    .join('; ');
  return html`<figure class="chart">
    <div ref=${container} role="img" aria-label=${`Rows and duration of the last runs, oldest first: ${summary}`}></div>
    <figcaption>Rows (bars) and duration in seconds (line) of ${recent.length === 1 ? 'the last run' : `the last ${recent.length} runs`}</figcaption>
  </figure>`;
}

export function ExecutionHistory({ kind, syncId, refreshKey }) {
  const shape = executionKinds[kind];
  const executions = useResource(
    () => get(`${shape.base(syncId)}/executions`, { limit: 50 }).then((answer) => answer.data),
    [kind, syncId, refreshKey],
  );
  const open = (executions.data ?? []).some((execution) => isOpen(execution.status));
  useInterval(() => executions.reload(true), 1500, open);
  return html`<section aria-labelledby="executions-title">
    <h2 id="executions-title">Executions</h2>
    <${Loading} resource=${executions}>${() =>
      executions.data.length === 0
        ? html`<p class="muted">No executions yet.</p>`
        : html`<${RunChart} kind=${kind} executions=${executions.data} />
          <div class="table-wrap"><table class="executions">
            <caption class="visually-hidden">Executions, newest first</caption>
            <thead><tr>
              <th scope="col">Started</th><th scope="col">Status</th><th scope="col">Type</th><th scope="col">Rows</th>
              ${shape.columns.map((column) => html`<th scope="col">${column}</th>`)}
              <th scope="col">Errors</th><th scope="col">Duration</th>
            </tr></thead>
            <tbody>${executions.data.map(
              (execution) => html`<tr data-execution=${execution.id}>
                <td><a href=${shape.page(syncId, execution.id)}>${formatTime(execution.started_at ?? execution.created_at)}</a></td>
                <td><${Status} value=${execution.status} /></td>
                <td>${execution.type}</td>
                <td class="number" data-column="rows">${formatCount(shape.rows(execution))}</td>
                ${shape.details(execution).map((value) => html`<td class="number">${formatCount(value)}</td>`)}
                <td class="number">${formatCount(shape.errors(execution))}</td>
                <td class="number">${formatDuration(durationSeconds(execution.started_at, execution.completed_at))}</td>
              </tr>`,
            )}</tbody></table></div>`}<//>
  </section>`;
}

/**
 * The console log of `path`, following it while `live`: each poll asks only for the entries after the last one seen
 * (`after`), page by page. The parent gives each path its own instance (key), so a new path starts empty.
 */
export function ConsoleLog({ path, live }) {
  const [entries, setEntries] = useState([]);
  const [error, setError] = useState();
  const cursor = useRef();
  const polling = useRef(false);
  const poll = async () => {
    if (polling.current) return;
    polling.current = true;
    try {
      for (;;) {
        const answer = await get(path, { limit: 50, after: cursor.current });
        const page = answer.data.entries ?? [];
        if (page.length > 0) setEntries((previous) => [...previous, ...page]);
        if (answer.data.next_cursor) cursor.current = answer.data.next_cursor;
        if (page.length < 50) break;
      }
      setError(undefined);
    } catch (failure) {
      setError(failure);
    } finally {
      polling.current = false;
    }
  };
  useEffect(() => {
    poll();
  }, [live]);
  useInterval(poll, 1000, live);
  return html`<section aria-labelledby="console-log-title">
    <h2 id="console-log-title">Console log ${live ? html`<span class="live">following</span>` : ''}</h2>
    <${ErrorNote} error=${error} />
    <ol class="console-log" role="log" aria-live="polite" tabindex="0" aria-label="Console log entries">
      ${entries.length === 0 ? html`<li class="muted">No entries yet.</li>` : ''}
      ${entries.map(
        (entry) => html`<li class=${`level-${String(entry.level).toLowerCase()}`}>
          <time datetime=${entry.timestamp}>${new Date(entry.timestamp).toLocaleTimeString()}</time>
          <span class="level">${entry.level}</span>
          <span class="message">${entry.message}</span>
        </li>`,
      )}
    </ol>
  </section>`;
}

/** Same-origin path of an API link (the API names its public URL; the console talks to the origin it came from). */
const onThisOrigin = (link) => {
  const url = new URL(link, window.location.href);
  return url.pathname + url.search;
};

async function modelRecordLogs(base) {
  const index = await get(`${base}/logs`);
  const types = Object.entries(index.data.logs ?? {});
  return Promise.all(
    types.map(async ([type, log]) => {
      const links = await get(onThisOrigin(log.url));
      return { type, records: log.record_count, urls: links.data.urls ?? [] };
    }),
  );
}

async function bulkLogs(base) {
  const links = await get(`${base}/logs`);
  return [{ type: 'console log', urls: links.data.URLs ?? links.data.urls ?? [] }];
}

function RecordLogs({ kind, base, done }) {
  const logs = useResource(
    () => (done ? (kind === 'model' ? modelRecordLogs(base) : bulkLogs(base)) : []),
    [base, done],
  );
  if (!done) return '';
  return html`<section aria-labelledby="record-logs-title">
    <h2 id="record-logs-title">Logs to download</h2>
    <${Loading} resource=${logs}>${() =>
      logs.data.length === 0
        ? html`<p class="muted">This execution wrote no record logs.</p>`
        : html`<ul class="downloads">${logs.data.flatMap((log) =>
            log.urls.map(
              (url, index) =>
                html`<li><a href=${url} download rel="noreferrer">${log.type}${log.urls.length > 1 ? ` (file ${index + 1})` : ''}</a>${
                  log.records !== undefined ? html` <span class="muted">${formatCount(log.records)} records</span>` : ''
                }</li>`,
            ),
          )}</ul>
          <p class="hint">Links are signed and expire in an hour.</p>`}<//>
  </section>`;
}

export function ExecutionDetail({ kind, syncId, executionId }) {
  const shape = executionKinds[kind];
  const base = `${shape.base(syncId)}/executions/${executionId}`;
  const execution = useResource(() => get(base).then((answer) => answer.data), [base]);
  const [schema, setSchema] = useState('');
  const cancel = useAction();
  const open = isOpen(execution.data?.status);
  useInterval(() => execution.reload(true), 1000, open);
  const logPath = schema ? `${base}/schemas/${encodeURIComponent(schema)}/consolelog` : `${base}/consolelog`;
  const data = execution.data;
  return html`<${PageHeader} title="Execution">
      ${
        open
          ? html`<button type="button" class="danger" disabled=${cancel.busy}
        onClick=${() => cancel.run(() => post(`${base}/cancel`)).then(() => execution.reload(true))}>Cancel execution</button>`
          : ''
      }
      <a href=${kind === 'model' ? `#/syncs/${syncId}` : `#/bulk/${syncId}`}>Back to the sync</a>
    <//>
    <${ErrorNote} error=${cancel.error} />
    <${Loading} resource=${execution}>${() => html`
      <dl class="facts">
        <div><dt>Status</dt><dd><${Status} value=${data.status} /></dd></div>
        <div><dt>Type</dt><dd>${data.type}</dd></div>
        <div><dt>Rows</dt><dd data-testid="execution-rows">${formatCount(shape.rows(data))}</dd></div>
        <div><dt>Errors</dt><dd>${formatCount(shape.errors(data))}</dd></div>
        <div><dt>Started</dt><dd>${formatTime(data.started_at)}</dd></div>
        <div><dt>Duration</dt><dd>${formatDuration(durationSeconds(data.started_at, data.completed_at))}</dd></div>
      </dl>
      ${(data.errors ?? []).length > 0 ? html`<div class="error-note" role="alert"><ul>${data.errors.map((error) => html`<li>${error.message ?? JSON.stringify(error)}</li>`)}</ul></div>` : ''}
      ${
        kind === 'bulk'
          ? html`<div class="table-wrap"><table>
            <caption>Schemas</caption>
            <thead><tr><th scope="col">Schema</th><th scope="col">Status</th><th scope="col">Rows</th><th scope="col">Errors</th></tr></thead>
            <tbody>${(data.schemas ?? []).map(
              (item) => html`<tr><td>${item.schema}</td><td><${Status} value=${item.status} /></td>
                <td class="number">${formatCount(item.record_count)}</td><td class="number">${formatCount(item.error_count)}</td></tr>`,
            )}</tbody></table></div>
          <div class="field inline">
            <label for="log-schema">Console log of</label>
            <select id="log-schema" value=${schema} onChange=${(event) => setSchema(event.currentTarget.value)}>
              <option value="">every schema</option>
              ${(data.schemas ?? []).map((item) => html`<option value=${item.schema}>${item.schema}</option>`)}
            </select>
          </div>`
          : ''
      }
      <${ConsoleLog} key=${logPath} path=${logPath} live=${open} />
      <${RecordLogs} kind=${kind} base=${base} done=${!open} />`}<//>`;
}
