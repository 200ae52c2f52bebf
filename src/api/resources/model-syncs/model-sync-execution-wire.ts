// Model-sync execution rows → GetExecutionResponseSchema (types-2025-09-18.md); the same shape in 2024-02-08.
import { ApiError } from '../../errors.ts';
import type { ModelSyncExecutionRow } from '../../../persistence/repositories/model-sync-executions-repository.ts';

export function modelSyncExecutionToWire(row: ModelSyncExecutionRow) {
  return {
    id: row.id,
    status: row.status,
    type: row.type,
    counts: JSON.parse(row.counts) as Record<string, number>,
    errors: JSON.parse(row.errors) as string[],
    created_at: row.created_at,
    ...(row.started_at ? { started_at: row.started_at } : {}),
    ...(row.completed_at ? { completed_at: row.completed_at } : {}),
  };
}

/** StartSyncResponseSchema. */
export function startedExecutionToWire(row: ModelSyncExecutionRow) {
  return { id: row.id, status: row.status, created_at: row.created_at };
}

/** next_page_token: the last row's (created_at, id), opaque to clients. */
export function executionPageToken(row: { created_at: string; id: string }): string {
  return Buffer.from(`${row.created_at} ${row.id}`).toString('base64url');
}

export function parseExecutionPageToken(token: string): { created_at: string; id: string } {
  const [created_at, id, extra] = Buffer.from(token, 'base64url').toString('utf8').split(' ');
  if (!created_at || !id || extra !== undefined || Number.isNaN(Date.parse(created_at))) {
    throw new ApiError('validation_failed', 'page_token: is not a token this API issued', { metadata: { field: 'page_token' } });
  }
  return { created_at, id };
}
