// Model-sync writes for SQL targets, shared by every dialect. Each record runs under its own
// SAVEPOINT so that a bad record (a data or constraint error, per the dialect's table) is
// rejected alone while the rest of the batch commits; any other error is systemic and aborts the
// batch. Identity fields need not be a unique key, so upsert is UPDATE-then-INSERT rather than
// ON CONFLICT. One statement per record costs a round trip each: fine for model-sync batch sizes
// (hundreds), and the price of exact per-record rejections.
import type { RunContext } from '../../engine/run-context.ts';
import type { RecordRejection, TargetWriteRequest, TargetWriteResult } from '../connector.ts';
import { ConnectorError, throwIfAborted } from '../connector-error.ts';
import type { Row } from '../records.ts';
import type { SqlDialect } from './sql-dialect.ts';
import { buildDelete, buildInsert, buildUpdate, type Statement } from './sql-statements.ts';

export interface TargetSession {
  dialect: SqlDialect;
  /** Runs one statement inside the caller's transaction; resolves to the affected row count. */
  run(statement: Statement): Promise<number>;
  classify(error: unknown): ConnectorError;
  encode(column: string, value: unknown): unknown;
}

const recordLevelCodes = new Set<string>(['invalid_data', 'constraint_violation']);

async function writeOne(session: TargetSession, request: TargetWriteRequest, record: Row): Promise<'inserted' | 'updated' | 'deleted' | 'missing'> {
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

export async function writeTargetRecords(
  context: RunContext,
  session: TargetSession,
  request: TargetWriteRequest,
): Promise<TargetWriteResult> {
  if (request.operation !== 'insert' && request.identity.length === 0) {
    throw new ConnectorError(`${request.operation} needs identity fields`, { code: 'invalid_configuration', field: 'identity' });
  }
  const result: TargetWriteResult = { inserted: 0, updated: 0, deleted: 0, rejected: [] };
  const reject = (index: number, record: Row, code: RecordRejection['code'], message: string) =>
    result.rejected.push({ index, record, code, message });
  for (const [index, record] of request.records.entries()) {
    throwIfAborted(context.signal);
    await session.run({ text: 'SAVEPOINT ferry_record', values: [] });
    try {
      const outcome = await writeOne(session, request, record);
      if (outcome === 'missing') reject(index, record, 'record_not_found', 'no record matches the identity');
      else result[outcome] += 1;
      await session.run({ text: 'RELEASE SAVEPOINT ferry_record', values: [] });
    } catch (error: unknown) {
      const classified = session.classify(error);
      if (!recordLevelCodes.has(classified.code)) throw classified;
      await session.run({ text: 'ROLLBACK TO SAVEPOINT ferry_record', values: [] });
      reject(index, record, classified.code, classified.message);
    }
  }
  return result;
}
