// A handler's answer made of stored rows: the dispatcher renders each row's wire object to JSON once per version and
// reuses that text while the row reads back the same (wire-json-cache.ts), instead of building, converting and
// stringifying every row of every request.

/** How rows of one kind become wire objects, and every value a row's wire object is built from. */
export interface WireSource<Row> {
  /** Names the wire shape (a full sync and a list item of it are two). */
  readonly shape: string;
  id(row: Row): string;
  /**
   * Every value `toWire` reads, as the database gave them (strings and numbers, compared with ===). Leaving one out
   * would let a changed value be answered with the old text.
   */
  inputs(row: Row): readonly unknown[];
  /** The newest version's wire object; a function of `inputs` alone (and of what never changes in a process). */
  toWire(row: Row): unknown;
}

/** Every column of a row that its wire object is built from alone. */
export function rowInputs(row: object): unknown[] {
  return Object.values(row);
}

/**
 * `{ data: <the row's wire object> }`, or for a list `{ data: [<each row's>], ...envelope }` (the envelope's other
 * fields, pagination say, follow `data` as they would in a literal).
 */
export class StoredRows<Row = unknown> {
  readonly source: WireSource<Row>;
  readonly rows: Row | readonly Row[];
  readonly list: boolean;
  readonly envelope: Record<string, unknown> | undefined;

  private constructor(
    source: WireSource<Row>,
    rows: Row | readonly Row[],
    list: boolean,
    envelope?: Record<string, unknown>,
  ) {
    this.source = source;
    this.rows = rows;
    this.list = list;
    this.envelope = envelope;
  }

  static one<Row>(source: WireSource<Row>, row: Row): StoredRows<Row> {
    return new StoredRows(source, row, false);
  }

  /** The same list with only the rows whose id `keep` accepts: what a caller who may read only some of them sees. */
  only(keep: (id: string) => boolean): StoredRows<Row> {
    if (!this.list) return this;
    const rows = (this.rows as readonly Row[]).filter((row) => keep(this.source.id(row)));
    return new StoredRows(this.source, rows, true, this.envelope);
  }

  static list<Row>(source: WireSource<Row>, rows: readonly Row[], envelope?: Record<string, unknown>): StoredRows<Row> {
    return new StoredRows(source, rows, true, envelope);
  }
}
