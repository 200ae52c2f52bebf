// Whole rows of one organization named by a list of ids, a few hundred ids per `IN (…)` so that every statement stays
// within the drivers' limits on bound parameters, whatever the list's length. For the lists that read (id, revision)
// first and whole rows only where they must (migration 0015).
import type { Kysely, Selectable } from 'kysely';
import type { Database } from '../schema.ts';

const chunkSize = 500;

type RevisedTable = 'bulk_syncs' | 'model_syncs' | 'connections';

export async function rowsByIds<T extends RevisedTable>(
  db: Kysely<Database>,
  table: T,
  organizationId: string,
  ids: readonly string[],
): Promise<Array<Selectable<Database[T]>>> {
  const rows: Array<Selectable<Database[T]>> = [];
  for (let start = 0; start < ids.length; start += chunkSize) {
    const chunk = ids.slice(start, start + chunkSize);
    // One table's query, typed as any of the three: they share the two columns it names.
    const read = await db
      .selectFrom(table as RevisedTable)
      .selectAll()
      .where('organization_id', '=', organizationId)
      .where('id', 'in', chunk)
      .execute();
    rows.push(...(read as Array<Selectable<Database[T]>>));
  }
  return rows;
}
