// Renders a StoredRows answer in an endpoint's version: each row's JSON from the cache or rendered through the
// endpoint's own downgrade, a list concatenated as JSON.stringify would have written it. What goes out is the bytes
// of the whole response, kept while its stamps read back the same (a single row's, or a whole list's in order).
import type { RowStamp, StoredRows, WireSource } from './stored-rows.ts';
import type { VersionedEndpoint } from './versioning/migrate.ts';
import { sameInputs, type WireJsonCache } from './wire-json-cache.ts';

const listOpening = '{"data":[';

function invalidEnvelope(endpoint: VersionedEndpoint): Error {
  return new Error(
    `${endpoint.method} ${endpoint.path} in ${endpoint.version}: the converted list is not { data: [...] }`,
  );
}

/** The UTF-8 bytes of `json` in a buffer of their own: a slice of Node's shared pool would keep the whole slab. */
function ownBytes(json: string): Buffer {
  const bytes = Buffer.allocUnsafeSlow(Buffer.byteLength(json));
  bytes.write(json);
  return bytes;
}

/** One item as its list would show it: the item downgraded inside a list of one, so every conversion applies. */
function itemJson(endpoint: VersionedEndpoint, wire: unknown): string {
  const body = endpoint.downgradeResponse({ data: [wire] }) as { data?: unknown };
  if (!Array.isArray(body.data) || body.data.length !== 1 || Object.keys(body).length !== 1)
    throw invalidEnvelope(endpoint);
  return JSON.stringify(body.data[0]);
}

// Keys: a row's renderings (its whole single read and its list items, per endpoint) under its stamp; a whole list
// under its first id and length, checked against every stamp of the list.
const rowKey = (shape: string, id: string) => `${shape}\u0001${id}`;
const listKey = (shape: string, stamps: readonly RowStamp[]) =>
  `${shape}\u0002${stamps.length}\u0002${stamps[0]?.id ?? ''}`;

/** What a whole list is rendered from: every row's id and stamp in order, then the envelope's JSON. */
function listInputs(stamps: readonly RowStamp[], envelope: Record<string, unknown> | undefined): unknown[] {
  const inputs: unknown[] = [];
  for (const { id, stamp } of stamps) {
    inputs.push(id, stamp.length);
    for (const value of stamp) inputs.push(value);
  }
  inputs.push(envelope === undefined ? '' : JSON.stringify(envelope));
  return inputs;
}

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
): Promise<string | Buffer> {
  const { source, envelope } = result;
  const stamps = result.stamps as readonly RowStamp[];
  const load = result.load!;
  if (!endpoint.itemwiseResponse) {
    const byId = new Map((await load(stamps.map((stamp) => stamp.id))).map((row) => [source.id(row), row]));
    const rows = stamps.map((stamp) => byId.get(stamp.id)).filter((row): row is Row => row !== undefined);
    return wholeListJson(endpoint, source, rows, envelope);
  }
  const wholeKey = listKey(source.shape, stamps);
  const wholeInputs = listInputs(stamps, envelope);
  const whole = cache.kept(wholeKey, wholeInputs, endpoint);
  if (whole !== undefined) return whole;
  const items = new Array<string | undefined>(stamps.length);
  const missing: string[] = [];
  for (let index = 0; index < stamps.length; index++) {
    const { id, stamp } = stamps[index]!;
    // Under a row's key, this endpoint's rendering is always its item text (rendered below).
    const kept = cache.kept(rowKey(source.shape, id), stamp, endpoint) as string | undefined;
    if (kept === undefined) missing.push(id);
    items[index] = kept;
  }
  let complete = true;
  if (missing.length > 0) {
    const rows = new Map((await load(missing)).map((row) => [source.id(row), row]));
    for (let index = 0; index < stamps.length; index++) {
      if (items[index] !== undefined) continue;
      const row = rows.get(stamps[index]!.id);
      // Deleted since the stamps were read: the list is answered as it stands now. A row written since is rendered
      // as loaded, and kept under its own (newer) stamp.
      if (row === undefined) {
        complete = false;
        continue;
      }
      const stamp = source.stamp(row);
      if (!sameInputs(stamp, stamps[index]!.stamp)) complete = false;
      items[index] = cache.json(rowKey(source.shape, source.id(row)), stamp, endpoint, () =>
        itemJson(endpoint, source.toWire(row)),
      );
    }
  }
  const json = listJson(
    endpoint,
    items.filter((item): item is string => item !== undefined),
    envelope,
  );
  // Kept only when every item is the one its stamp names: a row written or deleted since the stamps were read makes
  // this answer one that those stamps do not describe.
  return complete ? cache.json(wholeKey, wholeInputs, endpoint, () => ownBytes(json)) : json;
}

/** A single read: kept bytes when the row's stamp is the one they were rendered at, else the row read and rendered. */
function oneJson<Row>(result: StoredRows<Row>, endpoint: VersionedEndpoint, cache: WireJsonCache) {
  const { source } = result;
  const { stamp, load } = result.one!;
  const kept = cache.kept(rowKey(source.shape, stamp.id), stamp.stamp, endpoint);
  if (kept !== undefined) return kept;
  return load().then((row) =>
    // Under the row's own stamp as loaded (a write since the light read gives a newer one).
    cache.json(rowKey(source.shape, source.id(row)), source.stamp(row), endpoint, () =>
      ownBytes(JSON.stringify(endpoint.downgradeResponse({ data: source.toWire(row) }))),
    ),
  );
}

export function storedRowsJson<Row>(
  result: StoredRows<Row>,
  endpoint: VersionedEndpoint,
  cache: WireJsonCache,
): string | Buffer | Promise<string | Buffer> {
  if (!result.isList) return oneJson(result, endpoint, cache);
  return stampedListJson(result, endpoint, cache);
}
