// The …/consolelog endpoints of bulk and model-sync executions share one wire shape
// (ExecutionConsoleLogsResponseEnvelope) and one paging rule: oldest first, at most 50 entries, `after` = the last
// entry's id, which the response repeats as next_cursor.
import Type from 'typebox';
import type { ConsoleLog } from '../../engine/console-log.ts';
import { Envelope } from './envelope.ts';

/** The spec's cap ("at most most-recent 50 entries"), also the default. */
const consoleLogPageLimit = 50;

export const ConsoleLogQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: consoleLogPageLimit })),
  after: Type.Optional(Type.String({ pattern: '^[0-9]+$' })),
});

export const ConsoleLogEnvelope = Envelope(
  'ExecutionConsoleLogsResponseEnvelope',
  Type.Object(
    {
      entries: Type.Optional(
        Type.Array(Type.Record(Type.String(), Type.Unknown(), { title: 'ExecutionConsoleLogEntry' })),
      ),
      next_cursor: Type.Optional(Type.String()),
    },
    { title: 'ExecutionConsoleLogsResponse' },
  ),
);

/** One page of an execution's console log (one schema's lines when schemaId is set), in the wire shape. */
export async function consoleLogPage(
  consoleLog: ConsoleLog,
  executionId: string,
  schemaId: string | undefined,
  query: { limit?: number; after?: string },
) {
  const page = await consoleLog.list({
    executionId,
    schemaId,
    after: query.after,
    limit: query.limit ?? consoleLogPageLimit,
  });
  return {
    data: {
      entries: page.entries.map((entry) => ({
        id: entry.id,
        level: entry.level,
        message: entry.message,
        timestamp: entry.createdAt,
        ...(entry.payload ? { payload: entry.payload } : {}),
      })),
      ...(page.nextCursor ? { next_cursor: page.nextCursor } : {}),
    },
  };
}
