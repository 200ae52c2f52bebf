// A handler's answer made of stored rows: the dispatcher renders each row's wire object to JSON once per version and
// reuses that text while the row's revision stays the same (wire-json-cache.ts), instead of reading, building,
// converting and stringifying every row of every request.

/** How rows of one kind become wire objects, and what tells that a row's wire object may have changed. */
export interface WireSource<Row> {
  /** Names the wire shape (a full sync and a list item of it are two). */
  readonly shape: string;
  id(row: Row): string;
  /**
   * The row's revision, which the database replaces on every write of the row (migration 0015), and any input that
   * does not live in the row (primitives, compared with ===); equal stamps mean equal wire objects. The reads take it
   * from a light read of the row (its id and revision), before any whole row.
   */
  stamp(row: Row): readonly unknown[];
  /** The newest version's wire object; a function of the stamp alone (and of what never changes in a process). */
  toWire(row: Row): unknown;
}

/** A row as its light read gives it: its id and its stamp. */
export interface RowStamp {
  id: string;
  stamp: readonly unknown[];
}

/**
 * `{ data: <the row's wire object> }`, or for a list `{ data: [<each row's>], ...envelope }` (the envelope's other
 * fields, pagination say, follow `data` as they would in a literal). Either is given as stamps (one, or the list's in
 * order), with a way to read the whole rows (of the ids whose JSON is not kept at that stamp).
 */
export class StoredRows<Row = unknown> {
  readonly source: WireSource<Row>;
  /** A single read: the row's stamp, and its whole row (which throws the route's 404 when it is gone by then). */
  readonly one: { stamp: RowStamp; load: () => Promise<Row> } | undefined;
  readonly stamps: readonly RowStamp[] | undefined;
  readonly load: ((ids: string[]) => Promise<Row[]>) | undefined;
  readonly envelope: Record<string, unknown> | undefined;

  private constructor(
    source: WireSource<Row>,
    parts: {
      one?: { stamp: RowStamp; load: () => Promise<Row> };
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

  static one<Row>(source: WireSource<Row>, stamp: RowStamp, load: () => Promise<Row>): StoredRows<Row> {
    return new StoredRows(source, { one: { stamp, load } });
  }

  /** `load` reads the whole rows of some ids, in any order, leaving out those gone since the stamps were read. */
  static stamped<Row>(
    source: WireSource<Row>,
    stamps: readonly RowStamp[],
    load: (ids: string[]) => Promise<Row[]>,
    envelope?: Record<string, unknown>,
  ): StoredRows<Row> {
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
