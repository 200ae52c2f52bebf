// Which configuration values are secret, how responses hide them, and how an update that leaves them out keeps
// the stored ones. A value is secret when the connection type's JSON Schema marks it `x-sensitive`, when its key
// names a credential (password, secret, token, private key…), or when it is the `value` of an auth header or auth
// query parameter. Secrets are omitted from responses, never masked, so a masked string can't be saved by mistake.

type Json = Record<string, unknown>;

const credentialKey = /(^|_)(password|passwd|secret|token|private_key|client_key|api_key|ca_cert|client_certificate)$/i;
const authContainers = new Set(['header', 'query', 'auth']);

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function sensitiveTopLevel(schema: unknown): Set<string> {
  const keys = new Set<string>();
  const properties = isObject(schema) && isObject(schema.properties) ? schema.properties : {};
  for (const [key, property] of Object.entries(properties))
    if (isObject(property) && property['x-sensitive'] === true) keys.add(key);
  return keys;
}

function isSecret(key: string, parents: string[], schemaSecrets: Set<string>): boolean {
  if (parents.length === 0 && schemaSecrets.has(key)) return true;
  if (credentialKey.test(key)) return true;
  return key === 'value' && parents.some((parent) => authContainers.has(parent));
}

/** A copy of the configuration without its secrets. */
export function redactConfiguration(configuration: Json, schema: unknown): Json {
  const schemaSecrets = sensitiveTopLevel(schema);
  const visit = (value: unknown, parents: string[]): unknown => {
    if (Array.isArray(value)) return value.map((item) => visit(item, parents));
    if (!isObject(value)) return value;
    const out: Json = {};
    for (const [key, item] of Object.entries(value)) {
      if (isSecret(key, parents, schemaSecrets)) continue;
      out[key] = visit(item, [...parents, key]);
    }
    return out;
  };
  return visit(configuration, []) as Json;
}

/** The incoming configuration, with each stored secret it leaves out (in objects, not arrays) carried over. */
export function keepOmittedSecrets(incoming: Json, stored: Json, schema: unknown): Json {
  const schemaSecrets = sensitiveTopLevel(schema);
  const merge = (next: Json, previous: Json, parents: string[]): Json => {
    const out: Json = { ...next };
    for (const [key, old] of Object.entries(previous)) {
      if (!(key in next)) {
        if (isSecret(key, parents, schemaSecrets)) out[key] = old;
      } else if (isObject(next[key]) && isObject(old)) {
        out[key] = merge(next[key] as Json, old, [...parents, key]);
      }
    }
    return out;
  };
  return merge(incoming, stored, []);
}
