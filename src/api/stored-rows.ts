// A handler's answer made of stored rows: the dispatcher renders each row's wire object to JSON once per version and
// reuses that text while the row stays the same (wire-json-cache.ts), instead of building, converting and
// stringifying every row of every request.

/** How rows of one kind become wire objects, and what tells that a row's wire object may have changed. */
export interface WireSource<Row> {
  /** Names the wire shape (a full sync and a list item of it are two). */
  readonly shape: string;
  id(row: Row): string;
  /**
   * Every value `toWire` reads, as the database gave them (strings and numbers, compared with ===). Leaving one out
   * would let a changed value be answered with the old text.
   */
  inputs(row: Row): readonly unknown[];
  /**
   * For lists (read as stamps first): the row's revision, which the database replaces on every
   * write of the row (migration 0015), and any input that does not live in the row; equal stamps mean equal inputs.
   */
  stamp?(row: Row): readonly unknown[];
  /** The newest version's wire object; a function of `inputs` alone (and of what never changes in a process). */
  toWire(row: Row): unknown;
}

/** Every column of a row that its wire object is built from alone. */
export function rowInputs(row: object): unknown[] {
  return Object.values(row);
}

/** A list row as its light read gives it: its id and its stamp. */
export interface RowStamp {
  id: string;
  stamp: readonly unknown[];
}

/**
 * `{ data: <the row's wire object> }`, or for a list `{ data: [<each row's>], ...envelope }` (the envelope's other
 * fields, pagination say, follow `data` as they would in a literal). A list is given as its rows' stamps in order,
 * with a way to read the whole rows of some ids (those whose JSON is not kept at that stamp).
 */
export class StoredRows<Row = unknown> {
  readonly source: WireSource<Row>;
  readonly one: Row | undefined;
  readonly stamps: readonly RowStamp[] | undefined;
  readonly load: ((ids: string[]) => Promise<Row[]>) | undefined;
  readonly envelope: Record<string, unknown> | undefined;

  private constructor(
    source: WireSource<Row>,
    parts: {
      one?: Row;
      stamps?: readonly RowStamp[];
      load?: (ids: string[]) => Promise<Row[]>;
      envelope?: Record<string, unknown>;
    },
  ) {
    this.source = source;
    this.one = parts.one;
    this.stamps = parts.stamps;
    this.load = parts.load;
    this.envelope = parts.envelope;
  }

  static one<Row>(source: WireSource<Row>, row: Row): StoredRows<Row> {
    return new StoredRows(source, { one: row });
  }

  /** `load` reads the whole rows of some ids, in any order, leaving out those gone since the stamps were read. */
  static stamped<Row>(
    source: WireSource<Row>,
    stamps: readonly RowStamp[],
    load: (ids: string[]) => Promise<Row[]>,
    envelope?: Record<string, unknown>,
  ): StoredRows<Row> {
    if (!source.stamp) throw new Error(`${source.shape} rows have no stamp`);
    return new StoredRows(source, { stamps, load, envelope });
  }

  get isList(): boolean {
    return this.one === undefined;
  }

  /** The same list with only the rows whose id `keep` accepts: what a caller who may read only some of them sees. */
  only(keep: (id: string) => boolean): StoredRows<Row> {
    const { source, stamps, load, envelope } = this;
    if (stamps) return new StoredRows(source, { stamps: stamps.filter((stamp) => keep(stamp.id)), load, envelope });
    return this;
  }
}
