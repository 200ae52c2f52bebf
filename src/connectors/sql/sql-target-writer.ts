// Model-sync writes for SQL targets, shared by every dialect. A batch is written with a few statements
// (sql-batch-writer.ts, or the session's own writeBatch: PostgreSQL's COPY staging) under one SAVEPOINT (or, first in its transaction, none: see restartTransaction); when one of them fails for a record's sake (a data or
// constraint error, per the dialect's table), the savepoint is rolled back and that chunk is written
// again record by record, each under its own SAVEPOINT, so exactly the bad records are rejected and the
// rest commit. Any other error is systemic and aborts the batch.
// bench/model-sync (100,000 rows into PostgreSQL): the per-record path alone ran at 0.02 of a batched
// INSERT … ON CONFLICT, four round trips a record; figures for the batch path are in bench/README.md.
import type { RunContext } from '../../domain/run-context.ts';
import type { RecordRejection, TargetWriteRequest, TargetWriteResult } from '../connector.ts';
import { ConnectorError, throwIfAborted } from '../connector-error.ts';
import type { Row } from '../records.ts';
import {
  planBatches,
  writeBatch,
  type BatchEntry,
  type BatchOutcome,
  type BatchSession,
  type RecordOutcome,
} from './sql-batch-writer.ts';
import { buildDelete, buildInsert, buildUpdate, type Statement } from './sql-statements.ts';

/** The batch writer's session (dialect, statements, value encoding) plus what the per-record path and the transaction need. */
export interface TargetSession extends BatchSession {
  classify(error: unknown): ConnectorError;
  /** The target table's unique keys (immediate, whole-table, on plain columns), where the dialect upserts on conflict. */
  uniqueKeys?: string[][];
  /**
   * Rolls the caller's transaction back and begins it again. When given, the first batch of a request is
   * written without a SAVEPOINT (two round trips fewer, and one engine batch is usually one planned batch);
   * if it fails for a record's sake, the transaction restarts instead, holding nothing written yet.
   */
  restartTransaction?(): Promise<void>;
  /**
   * Writes one planned batch the dialect's own faster way (PostgreSQL: COPY into a staging table), with the same
   * outcome and the same errors as the shared statements, which are used when it is absent.
   */
  writeBatch?(request: TargetWriteRequest, columns: string[], records: Row[]): Promise<BatchOutcome>;
}

const recordLevelCodes = new Set<string>(['invalid_data', 'constraint_violation']);
// A batch statement that the server refuses as a query (a type it cannot cast to, say) is retried record
// by record too: the per-record statements are the older, plainer form, and if they fail the same way the
// error is thrown from there.
const batchFallbackCodes = new Set<string>([...recordLevelCodes, 'invalid_query']);

async function writeOne(session: TargetSession, request: TargetWriteRequest, record: Row): Promise<RecordOutcome> {
  const { dialect, encode } = session;
  const { objectId, identity, operation } = request;
  if (operation === 'delete') {
    const affected = await session.run(buildDelete(dialect, objectId, identity, record, encode));
    return affected > 0 ? 'deleted' : 'missing';
  }
  if (operation !== 'insert') {
    const affected = await session.run(buildUpdate(dialect, objectId, identity, record, encode));
    if (affected > 0) return 'updated';
    if (operation === 'update') return 'missing';
  }
  const columns = Object.keys(record);
  await session.run(buildInsert(dialect, objectId, columns, [record], encode));
  return 'inserted';
}

const savepoint = (name: string, action: 'SAVEPOINT' | 'RELEASE SAVEPOINT' | 'ROLLBACK TO SAVEPOINT'): Statement => ({
  text: `${action} ${name}`,
  values: [],
});

export async function writeTargetRecords(
  context: RunContext,
  session: TargetSession,
  request: TargetWriteRequest,
): Promise<TargetWriteResult> {
  if (request.operation !== 'insert' && request.identity.length === 0) {
    throw new ConnectorError(`${request.operation} needs identity fields`, {
      code: 'invalid_configuration',
      field: 'identity',
    });
  }
  const result: TargetWriteResult = { inserted: 0, updated: 0, deleted: 0, rejected: [] };
  const record = (entry: BatchEntry, outcome: RecordOutcome) => {
    if (outcome === 'missing')
      result.rejected.push({
        index: entry.index,
        record: entry.record,
        code: 'record_not_found',
        message: 'no record matches the identity',
      });
    else result[outcome] += 1;
  };
  const reject = (entry: BatchEntry, code: RecordRejection['code'], message: string) =>
    result.rejected.push({ index: entry.index, record: entry.record, code, message });

  const writeAlone = async (entry: BatchEntry) => {
    throwIfAborted(context.signal);
    await session.run(savepoint('ferry_record', 'SAVEPOINT'));
    try {
      record(entry, await writeOne(session, request, entry.record));
      await session.run(savepoint('ferry_record', 'RELEASE SAVEPOINT'));
    } catch (error: unknown) {
      const classified = session.classify(error);
      if (!recordLevelCodes.has(classified.code)) throw classified;
      await session.run(savepoint('ferry_record', 'ROLLBACK TO SAVEPOINT'));
      reject(entry, classified.code, classified.message);
    }
  };

  // True while the transaction holds no write of this request, so restarting it loses nothing.
  let untouched = session.restartTransaction !== undefined;
  for (const batch of planBatches(request, session.dialect.maxParameters)) {
    throwIfAborted(context.signal);
    const restartable = untouched;
    untouched = false;
    if (batch.columns === undefined) {
      for (const entry of batch.entries) await writeAlone(entry);
      continue;
    }
    if (!restartable) await session.run(savepoint('ferry_batch', 'SAVEPOINT'));
    let outcome: BatchOutcome;
    try {
      const records = batch.entries.map((entry) => entry.record);
      outcome = session.writeBatch
        ? await session.writeBatch(request, batch.columns, records)
        : await writeBatch(session, request, batch.columns, records, session.uniqueKeys);
    } catch (error: unknown) {
      const classified = session.classify(error);
      if (!batchFallbackCodes.has(classified.code)) throw classified;
      if (recordLevelCodes.has(classified.code)) {
        context.log.debug(
          { code: classified.code, objectId: request.objectId, records: batch.entries.length },
          'SQL target: a batch holds a bad record; writing it record by record',
        );
      } else {
        context.log.warn(
          { err: classified, objectId: request.objectId },
          'SQL target: a batch statement was refused; writing the batch record by record',
        );
      }
      if (restartable) await session.restartTransaction!();
      else {
        await session.run(savepoint('ferry_batch', 'ROLLBACK TO SAVEPOINT'));
        await session.run(savepoint('ferry_batch', 'RELEASE SAVEPOINT'));
      }
      for (const entry of batch.entries) await writeAlone(entry);
      continue;
    }
    if (!restartable) await session.run(savepoint('ferry_batch', 'RELEASE SAVEPOINT'));
    result.inserted += outcome.inserted;
    result.updated += outcome.updated;
    result.deleted += outcome.deleted;
    for (const position of outcome.missing) record(batch.entries[position], 'missing');
  }
  result.rejected.sort((left, right) => left.index - right.index);
  return result;
}
