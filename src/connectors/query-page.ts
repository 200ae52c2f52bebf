// API helpers built only on the contract: sample records of a schema and one page of an ad-hoc
// query. Pagination streams past `offset` rows instead of wrapping the SQL in LIMIT/OFFSET, because
// the user's query may already end in LIMIT, ORDER BY or a semicolon.
import type { RunContext } from '../domain/run-context.ts';
import type { BulkSource, ModelSource } from './connector.ts';
import type { Row } from './records.ts';

export async function sampleRecords(
  context: RunContext,
  source: BulkSource,
  schemaId: string,
  limit = 10,
): Promise<Row[]> {
  const records: Row[] = [];
  for await (const batch of source.read(context, { schemaId, limit, batchSize: limit })) records.push(...batch);
  return records.slice(0, limit);
}

export interface QueryPage {
  fields: string[];
  records: Row[];
  /** True when at least one more row follows this page. */
  hasMore: boolean;
}

export async function fetchQueryPage(
  context: RunContext,
  source: ModelSource,
  query: string,
  page: { offset: number; limit: number },
): Promise<QueryPage> {
  const fields = (await source.describeQuery(context, query)).map((field) => field.id);
  const records: Row[] = [];
  let seen = 0;
  const wanted = page.offset + page.limit + 1;
  for await (const batch of source.readQuery(context, query, { limit: wanted, batchSize: Math.min(wanted, 1000) })) {
    for (const record of batch) {
      if (seen >= page.offset) records.push(record);
      seen += 1;
    }
  }
  const hasMore = records.length > page.limit;
  return { fields, records: records.slice(0, page.limit), hasMore };
}
