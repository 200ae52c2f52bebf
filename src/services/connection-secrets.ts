// Which configuration values are secret, how responses hide them, and how an update that sends back what a response
// showed keeps the stored ones. The rules, for every connection type:
// - A whole value is secret when the type's JSON Schema marks it `x-sensitive`, when its key names a credential
//   (password, secret, token, private key…), or when it is the `value` of an auth header or auth query parameter
//   (`header`, `query`, `auth`, `oauth`), of a query parameter the connection locks (`parameters`), or of a
//   configured header whose name suggests a secret (`headers`: Authorization, X-Api-Key, Cookie…, the same names the
//   proxy's info redacts). Such values are omitted from responses, never masked, so a masked string can't be saved
//   by mistake; an update that leaves one out keeps the stored value (a name/value pair is matched by its name).
// - A URL carries secrets inside a non-secret value: its userinfo (`http://user:pass@host`) and its query values
//   (`?api_key=…`, locked query parameters of an api connection). URL values (keys `url`, `*_url`, `*endpoint`, or
//   marked `x-sensitive-url` in the schema) are shown with those parts masked: `http://user:****@host/base?api_key=****`.
//   An update that sends a masked URL back gets the stored parts in place of the masks, as long as it still names
//   the stored origin: a mask sent with another host is refused, so that no stored credential follows a changed host.

type Json = Record<string, unknown>;

/** What a masked part of a URL shows. URL-safe, so a masked URL is still a valid URL. */
const maskedUrlPart = '****';

const credentialKey = /(^|_)(password|passwd|secret|token|private_key|client_key|api_key|ca_cert|client_certificate)$/i;
const authContainers = new Set(['header', 'query', 'auth', 'oauth', 'parameters']);
const urlKey = /(^|_)(url|endpoint)$/i;
// Configured headers whose names suggest a secret, as the proxy contract judges them (src/proxy/upstream-contract.ts).
const sensitiveHeaderName = /auth|key|token|secret|passw|cookie|session|signature|credential/i;

/** A URL in an update carries a mask that cannot stand for a stored secret. */
export class MaskedSecretError extends Error {
  /** The field at fault, `configuration.…`. */
  readonly field: string;
  /** Why, without the field's name (the caller's field error puts it first). */
  readonly reason: string;
  constructor(field: string, reason: string) {
    super(`${field}: ${reason}`);
    this.field = field;
    this.reason = reason;
  }
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The schema's verdicts, worked out once per connection type (the schema objects live as long as the process). */
interface RedactionPlan {
  secretKeys: Set<string>;
  urlKeys: Set<string>;
}

const plans = new WeakMap<object, RedactionPlan>();
const noSchema: RedactionPlan = { secretKeys: new Set(), urlKeys: new Set() };

function planFor(schema: unknown): RedactionPlan {
  if (!isObject(schema)) return noSchema;
  let plan = plans.get(schema);
  if (!plan) {
    plan = { secretKeys: new Set(), urlKeys: new Set() };
    const properties = isObject(schema.properties) ? schema.properties : {};
    for (const [key, property] of Object.entries(properties)) {
      if (!isObject(property)) continue;
      if (property['x-sensitive'] === true) plan.secretKeys.add(key);
      if (property['x-sensitive-url'] === true) plan.urlKeys.add(key);
    }
    plans.set(schema, plan);
  }
  return plan;
}

function isSecret(key: string, holder: Json, parents: string[], plan: RedactionPlan): boolean {
  if (parents.length === 0 && plan.secretKeys.has(key)) return true;
  if (credentialKey.test(key)) return true;
  if (key !== 'value') return false;
  if (parents.some((parent) => authContainers.has(parent))) return true;
  return parents.at(-1) === 'headers' && typeof holder.name === 'string' && sensitiveHeaderName.test(holder.name);
}

function isUrlValue(key: string, value: unknown, parents: string[], plan: RedactionPlan): value is string {
  return typeof value === 'string' && ((parents.length === 0 && plan.urlKeys.has(key)) || urlKey.test(key));
}

function parseUrl(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}

/** `text` with its userinfo secret and its query values masked; unchanged when it holds neither (or is no URL). */
export function redactUrl(text: string): string {
  const url = parseUrl(text);
  if (!url || (!url.username && !url.password && !url.search)) return text;
  // With a password the user name is an account name and stays readable; alone, it is the credential (a token).
  if (url.password) url.password = maskedUrlPart;
  else if (url.username) url.username = maskedUrlPart;
  if (url.search) {
    const masked = new URLSearchParams();
    for (const [name] of url.searchParams) masked.append(name, maskedUrlPart);
    url.search = masked.toString();
  }
  return url.href;
}

/** The URL an update sent, with each mask it carries replaced by the stored part it stands for. */
export function restoreMaskedUrl(incoming: string, stored: string, field: string): string {
  if (!incoming.includes(maskedUrlPart)) return incoming;
  if (incoming === redactUrl(stored)) return stored;
  const next = parseUrl(incoming);
  const previous = parseUrl(stored);
  if (!next || !previous) return incoming;
  const refuse = (why: string) => {
    throw new MaskedSecretError(field, `carries ${maskedUrlPart} ${why}; send the real value instead`);
  };
  if (next.protocol !== previous.protocol || next.host !== previous.host)
    refuse(`but names another host than the stored URL (${previous.protocol}//${previous.host})`);
  if (next.username === maskedUrlPart) {
    if (previous.password || !previous.username) refuse('as its user name, where the stored URL has none to keep');
    next.username = previous.username;
  }
  if (next.password === maskedUrlPart) {
    if (!previous.password) refuse('as its password, where the stored URL has none to keep');
    next.password = previous.password;
  }
  if (next.search.includes(maskedUrlPart)) {
    const storedValues = new Map<string, string[]>();
    for (const [name, value] of previous.searchParams)
      storedValues.set(name, [...(storedValues.get(name) ?? []), value]);
    const restored = new URLSearchParams();
    for (const [name, value] of next.searchParams) {
      if (value !== maskedUrlPart) restored.append(name, value);
      else {
        const kept = storedValues.get(name)?.shift();
        if (kept === undefined) refuse(`for the query parameter ${name}, which the stored URL does not have`);
        restored.append(name, kept as string);
      }
    }
    next.search = restored.toString();
  }
  return next.href;
}

/** A copy of the configuration without its secrets, and its URLs with their secret parts masked. */
export function redactConfiguration(configuration: Json, schema: unknown): Json {
  const plan = planFor(schema);
  const visit = (value: unknown, parents: string[]): unknown => {
    if (Array.isArray(value)) return value.map((item) => visit(item, parents));
    if (!isObject(value)) return value;
    const out: Json = {};
    for (const [key, item] of Object.entries(value)) {
      if (isSecret(key, value, parents, plan)) continue;
      out[key] = isUrlValue(key, item, parents, plan) ? redactUrl(item) : visit(item, [...parents, key]);
    }
    return out;
  };
  return visit(configuration, []) as Json;
}

/**
 * The incoming configuration with what a response hid filled in from the stored one: each secret it leaves out, in
 * objects and in name/value lists (matched by name), and the masked parts of its URLs. Throws MaskedSecretError for a
 * mask that stands for nothing stored (the field is `configuration.…`).
 */
export function keepOmittedSecrets(incoming: Json, stored: Json, schema: unknown): Json {
  const plan = planFor(schema);
  const path = (parents: string[], key: string) => ['configuration', ...parents, key].join('.');
  const mergeList = (next: unknown[], previous: unknown[], parents: string[]): unknown[] =>
    next.map((item) => {
      if (!isObject(item)) return item;
      const match =
        typeof item.name === 'string'
          ? previous.find((old): old is Json => isObject(old) && old.name === item.name)
          : undefined;
      return match ? merge(item, match, parents) : item;
    });
  const merge = (next: Json, previous: Json, parents: string[]): Json => {
    const out: Json = { ...next };
    for (const [key, old] of Object.entries(previous)) {
      const given = next[key];
      if (!(key in next)) {
        if (isSecret(key, previous, parents, plan)) out[key] = old;
      } else if (isUrlValue(key, given, parents, plan) && typeof old === 'string') {
        out[key] = restoreMaskedUrl(given, old, path(parents, key));
      } else if (isObject(given) && isObject(old)) {
        out[key] = merge(given, old, [...parents, key]);
      } else if (Array.isArray(given) && Array.isArray(old)) {
        out[key] = mergeList(given, old, [...parents, key]);
      }
    }
    return out;
  };
  return merge(incoming, stored, []);
}
