// Renders a StoredRows answer in an endpoint's version: each row's JSON from the cache or rendered through the
// endpoint's own downgrade, a list concatenated as JSON.stringify would have written it.
import type { RowStamp, StoredRows, WireSource } from './stored-rows.ts';
import type { VersionedEndpoint } from './versioning/migrate.ts';
import type { WireJsonCache } from './wire-json-cache.ts';

const listOpening = '{"data":[';

function invalidEnvelope(endpoint: VersionedEndpoint): Error {
  return new Error(
    `${endpoint.method} ${endpoint.path} in ${endpoint.version}: the converted list is not { data: [...] }`,
  );
}

/** One item as its list would show it: the item downgraded inside a list of one, so every conversion applies. */
function itemJson(endpoint: VersionedEndpoint, wire: unknown): string {
  const body = endpoint.downgradeResponse({ data: [wire] }) as { data?: unknown };
  if (!Array.isArray(body.data) || body.data.length !== 1 || Object.keys(body).length !== 1)
    throw invalidEnvelope(endpoint);
  return JSON.stringify(body.data[0]);
}

// A single read validates the row by its content (it has read the whole row anyway), a list by the rows' stamps: the
// two are kept apart, since a stamp is not the inputs.
const contentKey = (shape: string, id: string) => `${shape}\u0000${id}`;
const stampKey = (shape: string, id: string) => `${shape}\u0001${id}`;

/** The items' JSON inside the envelope's: `{"data":[` items `]` and whatever the envelope has after `data`. */
function listJson(endpoint: VersionedEndpoint, items: readonly string[], envelope?: Record<string, unknown>): string {
  const empty = JSON.stringify(endpoint.downgradeResponse({ data: [], ...envelope }));
  if (!empty.startsWith(`${listOpening}]`)) throw invalidEnvelope(endpoint);
  return `${listOpening}${items.join(',')}${empty.slice(listOpening.length)}`;
}

/** A version that converts the list as a whole (not item by item) converts it whole, every time. */
function wholeListJson<Row>(
  endpoint: VersionedEndpoint,
  source: WireSource<Row>,
  rows: readonly Row[],
  envelope?: Record<string, unknown>,
): string {
  return JSON.stringify(endpoint.downgradeResponse({ data: rows.map((row) => source.toWire(row)), ...envelope }));
}

async function stampedListJson<Row>(
  result: StoredRows<Row>,
  endpoint: VersionedEndpoint,
  cache: WireJsonCache,
): Promise<string> {
  const { source, envelope } = result;
  const stamps = result.stamps as readonly RowStamp[];
  const load = result.load!;
  const inOrder = (rows: Row[]) => {
    const byId = new Map(rows.map((row) => [source.id(row), row]));
    return stamps.map((stamp) => byId.get(stamp.id));
  };
  if (!endpoint.itemwiseResponse) {
    const rows = inOrder(await load(stamps.map((stamp) => stamp.id)));
    return wholeListJson(
      endpoint,
      source,
      rows.filter((row): row is Row => row !== undefined),
      envelope,
    );
  }
  const items = new Array<string | undefined>(stamps.length);
  const missing: string[] = [];
  for (let index = 0; index < stamps.length; index++) {
    const { id, stamp } = stamps[index]!;
    const kept = cache.kept(stampKey(source.shape, id), stamp, endpoint);
    if (kept === undefined) missing.push(id);
    items[index] = kept;
  }
  if (missing.length > 0) {
    const rows = new Map((await load(missing)).map((row) => [source.id(row), row]));
    for (let index = 0; index < stamps.length; index++) {
      if (items[index] !== undefined) continue;
      const row = rows.get(stamps[index]!.id);
      // Deleted since the stamps were read: the list is answered as it stands now. A row written since is rendered
      // as loaded, and kept under its own (newer) stamp.
      if (row === undefined) continue;
      items[index] = cache.json(stampKey(source.shape, source.id(row)), source.stamp!(row), endpoint, () =>
        itemJson(endpoint, source.toWire(row)),
      );
    }
  }
  return listJson(
    endpoint,
    items.filter((item): item is string => item !== undefined),
    envelope,
  );
}

export function storedRowsJson<Row>(
  result: StoredRows<Row>,
  endpoint: VersionedEndpoint,
  cache: WireJsonCache,
): string | Promise<string> {
  const { source } = result;
  if (!result.isList) {
    const row = result.one as Row;
    return cache.json(contentKey(source.shape, source.id(row)), source.inputs(row), endpoint, () =>
      JSON.stringify(endpoint.downgradeResponse({ data: source.toWire(row) })),
    );
  }
  return stampedListJson(result, endpoint, cache);
}
