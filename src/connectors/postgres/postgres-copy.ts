// PostgreSQL → PostgreSQL fast path: COPY … TO STDOUT on the source piped into COPY … FROM STDIN
// on the destination, so rows stream through as bytes and are never decoded in JS. Binary format
// when every column's type is identical on both sides (binary COPY does no coercion), text
// otherwise. `merge` copies into a temporary staging table (dropped at commit) and then upserts it
// into the destination by primary key; the whole copy is one destination transaction.
import { pipeline } from 'node:stream/promises';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import type { RunContext } from '../../domain/run-context.ts';
import { ConnectorError, canceledError, throwIfAborted } from '../connector-error.ts';
import type { PostgresClient } from './postgres-client.ts';
import { postgresDialect } from './postgres-dialect.ts';
import { classifyPostgresError } from './postgres-errors.ts';
import { describePostgresTable } from './postgres-introspector.ts';

export interface CopyPlan {
  sourceSchemaId: string;
  destinationSchemaId: string;
  /** Columns to copy (same names on both sides); all destination columns when omitted. */
  columns?: string[];
  /** append: COPY straight into the destination; merge: stage, then upsert by `primaryKey`. */
  mode: 'append' | 'merge';
  primaryKey?: string[];
}

export interface CopyResult {
  rows: number;
  format: 'binary' | 'text';
}

const quote = postgresDialect.quoteIdentifier;

export async function copyPostgresTable(
  context: RunContext,
  source: PostgresClient,
  destination: PostgresClient,
  plan: CopyPlan,
): Promise<CopyResult> {
  throwIfAborted(context.signal);
  const [from, to] = await Promise.all([
    describePostgresTable(context, source, plan.sourceSchemaId),
    describePostgresTable(context, destination, plan.destinationSchemaId),
  ]);
  if (!from) throw new ConnectorError(`Table ${plan.sourceSchemaId} does not exist`, { code: 'object_missing' });
  if (!to) throw new ConnectorError(`Table ${plan.destinationSchemaId} does not exist`, { code: 'object_missing' });
  const columns = plan.columns ?? to.fields.map((field) => field.id);
  const remote = (fields: typeof from.fields, column: string) =>
    fields.find((field) => field.id === column)?.remote_type;
  const format = columns.every((column) => remote(from.fields, column) === remote(to.fields, column))
    ? 'binary'
    : 'text';
  const key = plan.primaryKey ?? to.fields.filter((field) => field.is_primary_key).map((field) => field.id);
  if (plan.mode === 'merge' && key.length === 0) {
    throw new ConnectorError('merge needs a primary key', { code: 'invalid_configuration', field: 'primaryKey' });
  }
  const list = columns.map(quote).join(', ');
  const options = format === 'binary' ? '(format binary)' : '';
  const target = plan.mode === 'merge' ? 'ferry_copy_staging' : postgresDialect.quoteTable(plan.destinationSchemaId);

  return destination.withClient(context, async (writer) => {
    await writer.query('begin');
    try {
      if (plan.mode === 'merge') {
        await writer.query(
          `create temporary table ferry_copy_staging (like ${postgresDialect.quoteTable(plan.destinationSchemaId)} including defaults) on commit drop`,
        );
      }
      const rows = await source.withClient(context, async (reader) => {
        const outbound = reader.query(
          copyTo(`copy (select ${list} from ${postgresDialect.quoteTable(plan.sourceSchemaId)}) to stdout ${options}`),
        );
        const inbound = writer.query(copyFrom(`copy ${target} (${list}) from stdin ${options}`));
        await pipeline(outbound, inbound, { signal: context.signal });
        return inbound.rowCount;
      });
      if (plan.mode === 'merge') {
        const updates = columns.filter((column) => !key.includes(column));
        const action =
          updates.length === 0
            ? 'do nothing'
            : `do update set ${updates.map((column) => `${quote(column)} = excluded.${quote(column)}`).join(', ')}`;
        await writer.query(
          `insert into ${postgresDialect.quoteTable(plan.destinationSchemaId)} (${list}) select ${list} from ferry_copy_staging on conflict (${key.map(quote).join(', ')}) ${action}`,
        );
      }
      await writer.query('commit');
      context.heartbeat({ rows });
      return { rows, format };
    } catch (error: unknown) {
      await writer.query('rollback').catch(() => {});
      if (context.signal.aborted) throw canceledError(context.signal);
      throw classifyPostgresError(error, 'COPY');
    }
  });
}
