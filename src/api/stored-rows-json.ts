// Renders a StoredRows answer in an endpoint's version: each row's JSON from the cache or rendered through the
// endpoint's own downgrade, a list concatenated as JSON.stringify would have written it.
import type { StoredRows } from './stored-rows.ts';
import type { VersionedEndpoint } from './versioning/migrate.ts';
import type { WireJsonCache } from './wire-json-cache.ts';

const listOpening = '{"data":[';

function invalidEnvelope(endpoint: VersionedEndpoint): Error {
  return new Error(`${endpoint.method} ${endpoint.path} in ${endpoint.version}: the converted list is not { data: [...] }`);
}

/** One item as its list would show it: the item downgraded inside a list of one, so every conversion applies. */
function itemJson(endpoint: VersionedEndpoint, wire: unknown): string {
  const body = endpoint.downgradeResponse({ data: [wire] }) as { data?: unknown };
  if (!Array.isArray(body.data) || body.data.length !== 1 || Object.keys(body).length !== 1)
    throw invalidEnvelope(endpoint);
  return JSON.stringify(body.data[0]);
}

export function storedRowsJson(result: StoredRows, endpoint: VersionedEndpoint, cache: WireJsonCache): string {
  const { source } = result;
  if (!result.list) {
    const row = result.rows;
    return cache.json(`${source.shape}\u0000${source.id(row)}`, source.inputs(row), endpoint, () =>
      JSON.stringify(endpoint.downgradeResponse({ data: source.toWire(row) })),
    );
  }
  const rows = result.rows as readonly unknown[];
  // A version that converts the list as a whole (not item by item) converts it whole, every time.
  if (!endpoint.itemwiseResponse)
    return JSON.stringify(endpoint.downgradeResponse({ data: rows.map((row) => source.toWire(row)), ...result.envelope }));
  const items = new Array<string>(rows.length);
  for (let index = 0; index < rows.length; index++) {
    const row = rows[index];
    items[index] = cache.json(`${source.shape}\u0000${source.id(row)}`, source.inputs(row), endpoint, () =>
      itemJson(endpoint, source.toWire(row)),
    );
  }
  // The envelope around an empty list: `{"data":[]` and what follows it.
  const empty = JSON.stringify(endpoint.downgradeResponse({ data: [], ...result.envelope }));
  if (!empty.startsWith(`${listOpening}]`)) throw invalidEnvelope(endpoint);
  return `${listOpening}${items.join(',')}${empty.slice(listOpening.length)}`;
}
