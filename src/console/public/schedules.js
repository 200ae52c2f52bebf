// A schedule editor from the API's own description of the frequencies (GET /api/syncs/schedules: each frequency
// with a JSON Schema of the settings it takes), shared by model syncs and bulk syncs.
import { SchemaForm } from '/console/schema-form.js';
import { Field, html, useResource } from '/console/ui.js';
import { get } from '/console/api.js';

let frequencies;
const scheduleOptions = () => {
  frequencies ??= get('/api/syncs/schedules').then((answer) => answer.data.schedule_options);
  return frequencies;
};

/** `value` is a schedule object ({frequency, hour, minute, …}); `field` is where the API names it in errors. */
export function ScheduleEditor({ idPrefix, value, onChange, error, field }) {
  const options = useResource(scheduleOptions);
  const chosen = options.data?.find((option) => option.frequency === value.frequency);
  const { frequency, ...settings } = value;
  return html`<${Field} id=${`${idPrefix}-frequency`} label="Frequency" required error=${error} field=${field ? `${field}.frequency` : 'frequency'}
      hint=${chosen?.description}
      control=${(attributes) => html`<select ...${attributes} value=${frequency}
        onChange=${(event) => onChange({ frequency: event.currentTarget.value })}>
        ${(options.data ?? [{ frequency: 'manual', label: 'Manual' }]).map(
          (option) => html`<option value=${option.frequency}>${option.label}</option>`,
        )}
      </select>`} />
    ${
      chosen
        ? html`<${SchemaForm} schema=${chosen.configuration} values=${settings} error=${error} prefix=${field}
          idPrefix=${idPrefix} onChange=${(next) => onChange({ frequency, ...next })} />`
        : ''
    }`;
}

export function describeSchedule(schedule) {
  if (!schedule) return '—';
  const { frequency, hour, minute, day_of_week: day, day_of_month: date, expression } = schedule;
  const at =
    hour !== undefined
      ? ` at ${String(hour).padStart(2, '0')}:${String(minute ?? 0).padStart(2, '0')} UTC`
      : minute !== undefined
        ? ` at minute ${minute}`
        : '';
  return `${frequency}${day ? ` on ${day}` : ''}${date ? ` on day ${date}` : ''}${expression ? ` (${expression})` : ''}${at}`;
}
