// The JSON of stored rows' wire objects, kept per (row, endpoint in a version) and reused while the row reads back
// the same: the cache never decides freshness itself. Each request reads from the database what its answer is built
// from (a row's revision, which the database replaces on every write of the row, and any input from elsewhere); a
// rendering is reused only when each of those values is identical (===, strings compared by content) to the ones it
// was rendered from. So any write, by this process or by another server on the same database, is seen by the next
// read, with no TTL. Renderings are text (list items, joined into a list) or the bytes of a whole response, sent as
// they are (no UTF-8 encoding per request).

/** What is kept: JSON text, or a whole response's bytes. */
export type Rendering = string | Buffer;

interface Entry {
  /** What the renderings were built from, as read from the database. */
  inputs: readonly unknown[];
  /** Keyed by the versioned endpoint that rendered it (one object per route and version). */
  renderings: Map<object, Rendering>;
  bytes: number;
  /** Read since the evictor last passed it (second chance). */
  recent: boolean;
}

/** The estimated bytes an input keeps alive (strings at one byte a character, as V8 stores ASCII). */
function inputBytes(inputs: readonly unknown[]): number {
  let bytes = 64 + inputs.length * 8;
  for (const input of inputs) if (typeof input === 'string') bytes += input.length;
  return bytes;
}

/** Equal lengths and each value identical (===). */
export function sameInputs(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let index = 0; index < a.length; index++) if (a[index] !== b[index]) return false;
  return true;
}

export class WireJsonCache {
  readonly #entries = new Map<string, Entry>();
  readonly #maxBytes: number;
  #bytes = 0;

  /** `maxBytes` 0 keeps nothing: every call renders. */
  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  /** What was rendered of `key` for `endpoint` from these very `inputs`, if it is kept. */
  kept(key: string, inputs: readonly unknown[], endpoint: object): Rendering | undefined {
    const entry = this.#entries.get(key);
    if (!entry || !sameInputs(entry.inputs, inputs)) return undefined;
    const kept = entry.renderings.get(endpoint);
    if (kept !== undefined) entry.recent = true;
    return kept;
  }

  /**
   * The JSON of the row `key` for `endpoint`: the one kept if it was rendered from these very `inputs`, otherwise
   * `render()`'s, kept for the next read. `inputs` must be every value the rendering depends on (primitives).
   */
  json<R extends Rendering>(key: string, inputs: readonly unknown[], endpoint: object, render: () => R): R {
    if (this.#maxBytes === 0) return render();
    let entry = this.#entries.get(key);
    if (entry && !sameInputs(entry.inputs, inputs)) {
      this.#remove(key, entry);
      entry = undefined;
    }
    const kept = entry?.renderings.get(endpoint);
    if (kept !== undefined) {
      entry!.recent = true;
      // A key holds one kind of rendering per endpoint: the caller that renders it is the one that reads it back.
      return kept as R;
    }
    const json = render();
    if (!entry) {
      entry = { inputs, renderings: new Map(), bytes: inputBytes(inputs), recent: false };
      this.#entries.set(key, entry);
      this.#bytes += entry.bytes;
    }
    entry.renderings.set(endpoint, json);
    entry.bytes += json.length;
    this.#bytes += json.length;
    if (this.#bytes > this.#maxBytes) this.#evict();
    return json;
  }

  get bytes(): number {
    return this.#bytes;
  }

  #remove(key: string, entry: Entry): void {
    this.#entries.delete(key);
    this.#bytes -= entry.bytes;
  }

  /** Oldest first, giving entries read since the last pass a second chance (moved to the back once). */
  #evict(): void {
    for (const [key, entry] of this.#entries) {
      if (this.#bytes <= this.#maxBytes) return;
      this.#entries.delete(key);
      if (entry.recent) {
        entry.recent = false;
        this.#entries.set(key, entry);
      } else {
        this.#bytes -= entry.bytes;
      }
    }
  }
}
