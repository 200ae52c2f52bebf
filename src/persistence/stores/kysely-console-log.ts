// ConsoleLog on the metadata database. Entries are ordered by the table's increasing integer id, so
// `after` paging is one index range scan on (execution_id, id).
import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';
import type { ConsoleLog, ConsoleLogLevel } from '../../engine/console-log.ts';

const defaultLimit = 50;

export function createKyselyConsoleLog(db: Kysely<Database>, now: () => Date = () => new Date()): ConsoleLog {
  return {
    async append(input) {
      await db
        .insertInto('execution_console_logs')
        .values({
          execution_id: input.executionId,
          schema_id: input.schemaId ?? null,
          level: input.level,
          message: input.message,
          payload: input.payload === undefined ? null : JSON.stringify(input.payload),
          created_at: now().toISOString(),
        })
        .execute();
    },
    async list(query) {
      let select = db.selectFrom('execution_console_logs').selectAll().where('execution_id', '=', query.executionId);
      if (query.schemaId !== undefined) select = select.where('schema_id', '=', query.schemaId);
      // A cursor that is not a number matches nothing rather than everything: a client's typo must not replay the log.
      if (query.after !== undefined)
        select = select.where('id', '>', /^\d+$/.test(query.after) ? query.after : '9223372036854775807');
      const rows = await select
        .orderBy('id')
        .limit(query.limit ?? defaultLimit)
        .execute();
      const entries = rows.map((row) => ({
        id: String(row.id),
        executionId: row.execution_id,
        schemaId: row.schema_id,
        level: row.level as ConsoleLogLevel,
        message: row.message,
        payload: row.payload === null ? null : (JSON.parse(row.payload) as Record<string, unknown>),
        createdAt: row.created_at,
      }));
      return { entries, nextCursor: entries.at(-1)?.id };
    },
  };
}
