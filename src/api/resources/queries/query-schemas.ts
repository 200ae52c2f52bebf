// Wire shapes of the query runner (the 2025-09-18 API reference; 2024-02-08 has the same under V4… names).
import Type from 'typebox';
import { WorkTaskStatus } from '../jobs/job-schemas.ts';

const RunQueryResult = Type.Object(
  {
    id: Type.Optional(Type.String()),
    status: Type.Optional(WorkTaskStatus),
    expires: Type.Optional(Type.String()),
    count: Type.Optional(Type.Integer()),
    fields: Type.Optional(Type.Array(Type.String())),
    results: Type.Optional(Type.Array(Type.Record(Type.String(), Type.Unknown()))),
    error: Type.Optional(Type.String()),
    truncated: Type.Optional(
      Type.Boolean({ description: "Ferry's addition: true when rows past the cap (10 000) were dropped." }),
    ),
  },
  { title: 'RunQueryResult' },
);

export const RunQueryEnvelope = Type.Object({ data: Type.Optional(RunQueryResult) }, { title: 'RunQueryEnvelope' });

export const QueryResultsEnvelope = Type.Object(
  {
    data: Type.Optional(RunQueryResult),
    links: Type.Optional(
      Type.Object(
        { next: Type.Optional(Type.String()), previous: Type.Optional(Type.String()) },
        { title: 'RunQueryPagination' },
      ),
    ),
  },
  { title: 'QueryResultsEnvelope' },
);

/**
 * The SQL is the `query` query-string parameter in every version (docs/wire-format.md); v25.9.0 also sent it in the
 * body, which is accepted.
 */
export const RunQueryQuery = Type.Object({ query: Type.Optional(Type.String()) });
export const RunQueryBody = Type.Object({ query: Type.Optional(Type.String()) }, { title: 'RunQueryRequest' });

export const RunQueryParams = Type.Object({ connection_id: Type.String() });

export const GetQueryQuery = Type.Object({
  page: Type.Optional(Type.String({ description: '1-based page number, as the links give it.' })),
});
