// Kysely builds and compiles every query anew, ~70 µs each (bench/README.md) — more than running a keyed lookup on
// SQLite. For the few lookups on every request's path, the query is built once with marker arguments; later calls
// reuse its SQL text and only place the real arguments where the markers were.
import { CompiledQuery, type Compilable, type Kysely } from 'kysely';

const marker = (index: number) => `\u0000ferry-argument-${index}\u0000`;

export function reusableQuery<Args extends string[], Row>(db: Kysely<any>, arity: Args['length'], build: (...args: Args) => Compilable<Row>) {
  let template: { sql: string; slots: Array<{ argument: number } | { value: unknown }> } | undefined;
  return async (...args: Args): Promise<Row[]> => {
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
    const result = await db.executeQuery<Row>(CompiledQuery.raw(template.sql, parameters));
    return result.rows;
  };
}
