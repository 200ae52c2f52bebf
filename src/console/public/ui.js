// Shared pieces of the console's pages: loading data, form fields that show the API's error beside the field it
// names, status badges and the formats of times, durations and counts.
import { html, useCallback, useEffect, useRef, useState } from '/console/vendor/preact-htm.js';
import { ApiError } from '/console/api.js';

export { html };

/** Loads with `loader` whenever `deps` change; `reload()` loads again, `quiet` reloads keep the shown data. */
export function useResource(loader, deps = []) {
  const [state, setState] = useState({ loading: true });
  const generation = useRef(0);
  const load = useCallback(async (quiet = false) => {
    generation.current += 1;
    const mine = generation.current;
    if (!quiet) setState((previous) => ({ ...previous, loading: true }));
    try {
      const data = await loader();
      if (mine === generation.current) setState({ data, loading: false });
    } catch (error) {
      if (mine === generation.current) setState((previous) => ({ ...previous, error, loading: false }));
    }
  }, deps);
  useEffect(() => {
    load();
  }, [load]);
  return { ...state, reload: load };
}

/** Calls `tick` every `ms` while `active`. */
export function useInterval(tick, ms, active = true) {
  const saved = useRef(tick);
  saved.current = tick;
  useEffect(() => {
    if (!active) return undefined;
    const timer = setInterval(() => saved.current(), ms);
    return () => clearInterval(timer);
  }, [ms, active]);
}

/** A write's state: run it, and keep its error to show next to the fields it names. */
export function useAction() {
  const [state, setState] = useState({ busy: false });
  const run = useCallback(async (action) => {
    setState({ busy: true });
    try {
      const result = await action();
      setState({ busy: false, result });
      return result;
    } catch (error) {
      setState({ busy: false, error });
      return undefined;
    }
  }, []);
  return { ...state, run, clear: () => setState({ busy: false }) };
}

/** The message of `error` for `field`, when the API's error names that field. */
export function fieldError(error, field) {
  return error instanceof ApiError && error.names(field) ? error.messageFor(field) : undefined;
}

/**
 * A labelled control. `control` receives the attributes that tie it to its label, hint and error, so that a
 * screen reader announces them together.
 */
export function Field({ id, label, hint, error, field, required, control }) {
  const message = field ? fieldError(error, field) : undefined;
  const described = [hint ? `${id}-hint` : '', message ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  return html`<div class=${`field${message ? ' invalid' : ''}`}>
    <label for=${id}>${label}${required ? html`<span aria-hidden="true"> *</span>` : ''}</label>
    ${control({ id, 'aria-describedby': described, 'aria-invalid': message ? 'true' : undefined, required })}
    ${hint ? html`<p class="hint" id=${`${id}-hint`}>${hint}</p>` : ''}
    ${message ? html`<p class="field-error" id=${`${id}-error`} role="alert">${message}</p>` : ''}
  </div>`;
}

/** An error that names none of the fields on the page (or no field at all), shown above the form. */
export function ErrorNote({ error, fields = [] }) {
  if (!error) return '';
  // `schedule.*` stands for every field under `schedule`, which a generated form shows beside its controls.
  const covered = (field) =>
    field.endsWith('.*') ? String(error.field ?? '').startsWith(field.slice(0, -1)) : error.names(field);
  if (error instanceof ApiError && fields.some(covered)) return '';
  const reason = error instanceof ApiError ? error.metadata.reason : undefined;
  return html`<div class="error-note" role="alert">
    <p>${error.message}</p>
    ${reason ? html`<p class="reason">Reason: <code>${reason}</code></p>` : ''}
  </div>`;
}

export function Loading({ resource, children }) {
  if (resource.error && !resource.data) return html`<${ErrorNote} error=${resource.error} />`;
  if (resource.loading && !resource.data) return html`<p class="muted" role="status">Loading…</p>`;
  return children();
}

export function Status({ value }) {
  const text = value ?? 'never run';
  return html`<span class=${`status status-${String(text).replace(/[^a-z]/gi, '')}`}>${text}</span>`;
}

export function formatTime(iso) {
  if (!iso) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime())
    ? iso
    : date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
}

/** Seconds between two times, or until now while the second is missing. */
export function durationSeconds(start, end) {
  if (!start) return undefined;
  const finish = end ? new Date(end).getTime() : Date.now();
  return Math.max(0, (finish - new Date(start).getTime()) / 1000);
}

export function formatDuration(seconds) {
  if (seconds === undefined) return '—';
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${Math.round(seconds % 60)} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

export const formatCount = (value) => (value === undefined || value === null ? '—' : Number(value).toLocaleString());

export function PageHeader({ title, children }) {
  return html`<div class="page-header"><h1 tabindex="-1" id="page-title">${title}</h1><div class="actions">${children}</div></div>`;
}

/** A text filter for lists: what it matches is up to the page. */
export function Filter({ id, label, value, onInput }) {
  return html`<div class="filter">
    <label for=${id}>${label}</label>
    <input id=${id} type="search" value=${value} onInput=${(event) => onInput(event.currentTarget.value)} />
  </div>`;
}

export const closedStatuses = ['completed', 'failed', 'canceled'];
export const isOpen = (status) => status !== undefined && !closedStatuses.includes(status);
