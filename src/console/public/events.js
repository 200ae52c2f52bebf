// Events (what happened to executions, newest first) and each webhook's delivery history.
import { useState } from '/console/vendor/preact-htm.js';
import { get } from '/console/api.js';
import { Filter, Loading, PageHeader, formatTime, html, useResource } from '/console/ui.js';

/** Where an event's sync lives in the console. */
function eventLink(event) {
  const payload = event.event ?? {};
  if (!payload.sync_id) return '';
  const base = event.type.startsWith('bulk_sync') ? `#/bulk/${payload.sync_id}` : `#/syncs/${payload.sync_id}`;
  const href = payload.execution_id ? `${base}/executions/${payload.execution_id}` : base;
  return html`<a href=${href}>${payload.sync_name ?? payload.sync_id}</a>`;
}

export function EventList() {
  const events = useResource(() => get('/api/events').then((answer) => answer.data));
  const [filter, setFilter] = useState('');
  const shown = (events.data ?? []).filter((event) =>
    `${event.type} ${event.event?.sync_name ?? ''}`.toLowerCase().includes(filter.toLowerCase()),
  );
  return html`<${PageHeader} title="Events"><button type="button" class="secondary" onClick=${() => events.reload()}>Refresh</button><//>
    <${Filter} id="event-filter" label="Filter by type or sync" value=${filter} onInput=${setFilter} />
    <${Loading} resource=${events}>${() => html`<div class="table-wrap"><table>
      <caption class="visually-hidden">Events, newest first</caption>
      <thead><tr><th scope="col">When</th><th scope="col">Type</th><th scope="col">Sync</th><th scope="col">Trigger</th></tr></thead>
      <tbody>${shown.map(
        (event) => html`<tr>
          <td>${formatTime(event.created_at)}</td><td><code>${event.type}</code></td><td>${eventLink(event)}</td>
          <td>${event.event?.trigger_source ?? '—'}</td>
        </tr>`,
      )}</tbody></table></div>
      ${shown.length === 0 ? html`<p class="muted">No events in the retention window.</p>` : ''}`}<//>`;
}

function Deliveries({ webhook }) {
  const deliveries = useResource(
    () => get(`/api/webhooks/${webhook.id}/deliveries`).then((answer) => answer.data),
    [webhook.id],
  );
  return html`<section aria-labelledby=${`webhook-${webhook.id}`}>
    <h2 id=${`webhook-${webhook.id}`}>${webhook.endpoint} ${webhook.disabled ? html`<span class="status status-canceled">disabled</span>` : ''}</h2>
    <${Loading} resource=${deliveries}>${() =>
      deliveries.data.length === 0
        ? html`<p class="muted">No deliveries yet.</p>`
        : html`<div class="table-wrap"><table>
            <caption class="visually-hidden">Deliveries to ${webhook.endpoint}, newest first</caption>
            <thead><tr><th scope="col">When</th><th scope="col">Event</th><th scope="col">Attempt</th><th scope="col">Result</th><th scope="col">Latency</th></tr></thead>
            <tbody>${deliveries.data.map(
              (delivery) => html`<tr>
                <td>${formatTime(delivery.created_at)}</td><td><code>${delivery.event_type}</code></td>
                <td class="number">${delivery.attempt}</td>
                <td>${delivery.error ? html`<span class="status status-failed">failed</span> ${delivery.error}` : html`<span class="status status-completed">${delivery.status_code ?? 'delivered'}</span>`}</td>
                <td class="number">${delivery.latency_ms === undefined ? '—' : `${delivery.latency_ms} ms`}</td>
              </tr>`,
            )}</tbody></table></div>`}<//>
  </section>`;
}

export function WebhookList() {
  const webhooks = useResource(() => get('/api/webhooks').then((answer) => answer.data));
  return html`<${PageHeader} title="Webhooks" />
    <${Loading} resource=${webhooks}>${() =>
      webhooks.data.length === 0
        ? html`<p class="muted">No webhook. Create one with POST /api/webhooks.</p>`
        : webhooks.data.map((webhook) => html`<${Deliveries} webhook=${webhook} />`)}<//>`;
}
