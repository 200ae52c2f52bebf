// Bulk sync execution rows → BulkSyncExecution (the 2025-09-18 API reference).
import type { BulkExecutionRow } from '../../../persistence/repositories/bulk-executions-repository.ts';

const dispositions: Record<string, string> = { rebuild: 'rebuild', resync: 'truncate' };

export function bulkExecutionToWire(row: BulkExecutionRow) {
  return {
    id: row.id,
    status: row.status,
    type: row.type,
    fetch_mode: row.fetch_mode,
    is_test: row.is_test === 1,
    is_resync: row.resync_mode !== 'normal',
    is_partial: row.requested_schemas !== null,
    output_disposition: dispositions[row.resync_mode] ?? 'retain',
    record_count: row.record_count,
    error_count: row.error_count,
    warning_count: row.warning_count,
    ...(row.status_message ? { status_message: row.status_message } : {}),
    schemas: JSON.parse(row.schemas) as unknown[],
    created_at: row.created_at,
    ...(row.started_at ? { started_at: row.started_at } : {}),
    ...(row.completed_at ? { completed_at: row.completed_at } : {}),
    updated_at: row.updated_at,
  };
}
