// Reads rows named by a list of ids a few hundred at a time: one `IN (…)` per chunk keeps every statement within the
// drivers' limits on bound parameters, whatever the list's length.
const chunkSize = 500;

export async function inChunks<T>(ids: readonly string[], read: (chunk: string[]) => Promise<T[]>): Promise<T[]> {
  if (ids.length <= chunkSize) return ids.length === 0 ? [] : read([...ids]);
  const rows: T[] = [];
  for (let start = 0; start < ids.length; start += chunkSize) rows.push(...(await read(ids.slice(start, start + chunkSize))));
  return rows;
}
