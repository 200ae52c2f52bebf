// Kysely builds and compiles every query anew, ~70 µs each (bench/README.md) — more than running a keyed lookup on
// SQLite. For the few lookups on every request's path, the query is built once with marker arguments; later calls
// reuse its SQL text and only place the real arguments where the markers were. The SQL then goes to the database's
// hot reader when it has one (database.ts: SQLite runs it at once, PostgreSQL as a named prepared statement).
import { CompiledQuery, type Compilable, type Kysely } from 'kysely';
import { hotReaderOf } from './database.ts';

const marker = (index: number) => `\u0000ferry-argument-${index}\u0000`;

export function reusableQuery<Args extends string[], Row>(
  // Any Kysely instance, whatever its tables: only the compiled SQL goes through it.
  db: Pick<Kysely<unknown>, 'executeQuery'>,
  arity: Args['length'],
  build: (...args: Args) => Compilable<Row>,
) {
  let template: { sql: string; slots: Array<{ argument: number } | { value: unknown }> } | undefined;
  const hotReader = hotReaderOf(db);
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
    if (hotReader) {
      try {
        const rows = hotReader(template.sql, parameters) as Row[] | Promise<Row[]> | undefined;
        if (rows) return Promise.resolve(rows);
      } catch (error: unknown) {
        return Promise.reject(error);
      }
    }
    return db.executeQuery<Row>(CompiledQuery.raw(template.sql, parameters)).then((result) => result.rows as Row[]);
  };
}
