// Kysely builds and compiles every query anew, ~70 µs each (bench/README.md) — more than running a keyed lookup on
// SQLite. For the few lookups on every request's path, the query is built once with marker arguments; later calls
// reuse its SQL text and only place the real arguments where the markers were. The SQL then goes to the database's
// hot reader when it has one (database.ts: SQLite runs it at once, PostgreSQL as a named prepared statement).
import { CompiledQuery, type Compilable, type Kysely } from 'kysely';
import { changeStampOf, hotReaderOf } from './database.ts';

const marker = (index: number) => `\u0000ferry-argument-${index}\u0000`;

/** Results kept at most, per query, while nothing is written; past it they are all dropped and kept anew. */
const maxKeptResults = 4096;

export interface ReusableQueryOptions {
  /**
   * Give back the rows read last time for the same arguments while the database's change stamp (database.ts) says
   * nothing was written since, by anyone, instead of running the query: for reads on every request's path whose
   * result is a function of the stored rows alone. Only where the database has such a stamp (SQLite), and only
   * outside transactions; the rows given back are frozen and shared between callers.
   */
  keptWhileUnchanged?: boolean;
}

/** One string per argument list: each argument prefixed with its length, so that no two lists can share one. */
function argumentsKey(args: readonly string[]): string {
  let key = '';
  for (const arg of args) key += `${arg.length}:${arg}`;
  return key;
}

export function reusableQuery<Args extends string[], Row>(
  // Any Kysely instance, whatever its tables: only the compiled SQL goes through it.
  db: Pick<Kysely<unknown>, 'executeQuery'>,
  arity: Args['length'],
  build: (...args: Args) => Compilable<Row>,
  options: ReusableQueryOptions = {},
) {
  let template: { sql: string; slots: Array<{ argument: number } | { value: unknown }> } | undefined;
  const hotReader = hotReaderOf(db);
  const changeStamp = options.keptWhileUnchanged ? changeStampOf(db) : undefined;
  // The rows read at one stamp, by arguments; dropped whole when the stamp moves on.
  let kept: { stamp: number; rows: Map<string, Row[]> } = { stamp: -1, rows: new Map() };
  return (...args: Args): Promise<Row[]> => {
    if (!template) {
      const markers = Array.from({ length: arity }, (_, index) => marker(index)) as Args;
      const compiled = build(...markers).compile();
      template = {
        sql: compiled.sql,
        slots: compiled.parameters.map((value) => {
          const argument = markers.indexOf(value as string);
          return argument >= 0 ? { argument } : { value };
        }),
      };
    }
    const parameters = template.slots.map((slot) => ('argument' in slot ? args[slot.argument] : slot.value));
    if (!hotReader) return viaKysely(parameters);
    if (!changeStamp) return Promise.resolve(read(parameters, undefined));
    // Read before the rows: a commit in between leaves newer rows under an older stamp, never the reverse.
    return changeStamp().then((stamp) => {
      if (stamp === undefined) return read(parameters, undefined);
      if (kept.stamp !== stamp) kept = { stamp, rows: new Map() };
      const key = argumentsKey(args);
      return kept.rows.get(key) ?? read(parameters, key);
    });
  };

  function viaKysely(parameters: unknown[]): Promise<Row[]> {
    return db.executeQuery<Row>(CompiledQuery.raw(template!.sql, parameters)).then((result) => result.rows as Row[]);
  }

  /** The rows from the hot reader (kept under `key` at the stamp just read, when given), or through Kysely. */
  function read(parameters: unknown[], key: string | undefined): Row[] | Promise<Row[]> {
    let rows: Row[] | Promise<Row[]> | undefined;
    try {
      rows = hotReader!(template!.sql, parameters) as Row[] | Promise<Row[]> | undefined;
    } catch (error: unknown) {
      return Promise.reject(error);
    }
    if (!rows) return viaKysely(parameters);
    if (key !== undefined && Array.isArray(rows)) {
      if (kept.rows.size >= maxKeptResults) kept.rows.clear();
      for (const row of rows) Object.freeze(row);
      kept.rows.set(key, Object.freeze(rows) as Row[]);
    }
    return rows;
  }
}
