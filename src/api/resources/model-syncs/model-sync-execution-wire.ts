// Model-sync execution rows → GetExecutionResponseSchema (the 2025-09-18 API reference); the same shape in 2024-02-08.
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
