// The postgresql connector's copyTextDestination facet: lines a source already printed in COPY's text format are
// streamed into `COPY … FROM STDIN` as they come, one transaction per load, straight into the table or, to merge,
// into a temporary staging table upserted by key (as the bulk destination's batches are).
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { from as copyFrom } from 'pg-copy-streams';
import type { CopyTextDestination } from '../connector.ts';
import { canceledError, ConnectorError } from '../connector-error.ts';
import type { PostgresClient } from './postgres-client.ts';
import { mergeFromStaging, stagingTable } from './postgres-destination.ts';
import { postgresDialect } from './postgres-dialect.ts';
import { classifyPostgresError } from './postgres-errors.ts';
import { describePostgresTable } from './postgres-introspector.ts';

/** The COPY stream's buffer: the source's lines arrive in buffers of about this size. */
const streamBuffer = 1024 * 1024;

export function createPostgresCopyTextDestination(client: PostgresClient): CopyTextDestination {
  return {
    columnTypes: async (context, schemaId) => (await describePostgresTable(context, client, schemaId))?.typeNames,
    load: (context, request, lines) =>
      client.withClient(context, async (connection) => {
        if (request.merge && request.primaryKey.length === 0)
          throw new ConnectorError(`merging into ${request.schemaId} needs a primary key`, {
            code: 'invalid_configuration',
            field: 'primaryKey',
          });
        const table = postgresDialect.quoteTable(request.schemaId);
        const columnList = request.columns.map(postgresDialect.quoteIdentifier).join(', ');
        await connection.query('begin');
        try {
          if (request.merge)
            await connection.query(
              `create temporary table ${stagingTable} (like ${table} including defaults) on commit drop`,
            );
          const inbound = connection.query(
            copyFrom(`copy ${request.merge ? stagingTable : table} (${columnList}) from stdin`, {
              highWaterMark: streamBuffer,
            }),
          );
          await pipeline(Readable.from(lines, { objectMode: false }), inbound, { signal: context.signal });
          if (request.merge) await connection.query(mergeFromStaging(table, request.columns, request.primaryKey));
          await connection.query('commit');
          return inbound.rowCount;
        } catch (error: unknown) {
          await connection.query('rollback').catch(() => {});
          if (context.signal.aborted) throw canceledError(context.signal);
          throw error instanceof ConnectorError ? error : classifyPostgresError(error, 'COPY');
        }
      }),
  };
}
