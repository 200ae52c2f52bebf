// A form generated from a JSON Schema (a connection type's configuration, a schedule's settings): one labelled
// control per property, by its type. Properties marked x-sensitive are password inputs that never show a stored
// value; left empty on an edit, the API keeps what it has.
import { html } from '/console/ui.js';
import { Field } from '/console/ui.js';

function inputValue(property, input) {
  if (property.type === 'boolean') return input.checked;
  if (property.type === 'integer' || property.type === 'number')
    return input.value === '' ? undefined : Number(input.value);
  return input.value === '' ? undefined : input.value;
}

/**
 * `values` are the form's current values, `onChange(next)` receives the whole object. `prefix` is the path the API
 * names these values under (`configuration`), so an error about `configuration.port` lands beside Port.
 */
export function SchemaForm({ schema, values, onChange, error, prefix, idPrefix, editing = false }) {
  const properties = Object.entries(schema?.properties ?? {});
  const required = new Set(schema?.required ?? []);
  const set = (name, value) => {
    const next = { ...values };
    if (value === undefined) delete next[name];
    else next[name] = value;
    onChange(next);
  };
  return html`${properties.map(([name, property]) => {
    const id = `${idPrefix}-${name}`;
    const field = prefix ? `${prefix}.${name}` : name;
    const label = property.title ?? name;
    const sensitive = property['x-sensitive'] === true;
    const hint = sensitive && editing ? 'Stored and hidden; leave empty to keep it.' : property.description;
    const control = (attributes) => {
      const onInput = (event) => set(name, inputValue(property, event.currentTarget));
      if (property.type === 'boolean') {
        return html`<input ...${attributes} type="checkbox" checked=${values[name] ?? property.default ?? false}
          onChange=${onInput} />`;
      }
      if (Array.isArray(property.enum)) {
        return html`<select ...${attributes} value=${values[name] ?? ''} onChange=${onInput}>
          <option value="">Choose…</option>
          ${property.enum.map((option) => html`<option value=${option}>${option}</option>`)}
        </select>`;
      }
      if (property.type === 'integer' || property.type === 'number') {
        return html`<input ...${attributes} type="number" inputmode="numeric" value=${values[name] ?? ''}
          min=${property.minimum} max=${property.maximum} step=${property.type === 'integer' ? 1 : 'any'}
          onInput=${onInput} />`;
      }
      if (sensitive) {
        return html`<input ...${attributes} type="password" autocomplete="new-password" spellcheck=${false}
          value=${values[name] ?? ''} onInput=${onInput} required=${attributes.required && !editing} />`;
      }
      return html`<input ...${attributes} type="text" spellcheck=${false} value=${values[name] ?? ''}
        onInput=${onInput} />`;
    };
    return html`<${Field} id=${id} label=${label} hint=${hint} error=${error} field=${field}
      required=${required.has(name)} control=${control} />`;
  })}`;
}

/** The schema's defaults, as the starting values of a new form. */
export function schemaDefaults(schema) {
  const values = {};
  for (const [name, property] of Object.entries(schema?.properties ?? {})) {
    if (property.default !== undefined) values[name] = property.default;
  }
  return values;
}
