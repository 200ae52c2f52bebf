// Bulk sync rows → wire objects (2025-09-18 shapes; the 2024-02-08 version change converts schedules down).
import { toBulkSchedulesResponse, type StoredBulkSchedules } from '../../../domain/schedules/index.ts';
import type { BulkSyncRow, BulkSyncSchemaRow } from '../../../persistence/repositories/bulk-syncs-repository.ts';
import type { BulkSchemaSettings, BulkSchemaView, BulkSyncSettings } from '../../../services/bulk-syncs-service.ts';

export function bulkSyncToWire(row: BulkSyncRow) {
  const settings = JSON.parse(row.settings) as BulkSyncSettings;
  return {
    id: row.id,
    name: row.name,
    organization_id: row.organization_id,
    active: row.active === 1,
    mode: row.mode,
    source_connection_id: row.source_connection_id,
    destination_connection_id: row.destination_connection_id,
    source_configuration: JSON.parse(row.source_configuration) as Record<string, unknown>,
    destination_configuration: JSON.parse(row.destination_configuration) as Record<string, unknown>,
    ...settings,
    ...toBulkSchedulesResponse(JSON.parse(row.schedules) as StoredBulkSchedules),
    created_at: row.created_at,
    created_by: row.created_by ? JSON.parse(row.created_by) : undefined,
    updated_at: row.updated_at,
    updated_by: row.updated_by ? JSON.parse(row.updated_by) : undefined,
  };
}

export function bulkSchemaToWire(schema: BulkSchemaView, includeFields: boolean) {
  const { fields, filters, ...light } = schema;
  if (!includeFields) return light;
  return {
    ...light,
    fields: (fields ?? []).map((field) => ({ ...field, output_name: field.user_output_name ?? field.id })),
    filters: filters ?? [],
  };
}

/**
 * A bulk sync as an update body that changes nothing: its settings, schedules (with their ids, so they keep them)
 * and, when it selects schemas rather than all of them, its schemas with their stored settings.
 */
export function bulkSyncToUpdateBody(row: BulkSyncRow, schemas: readonly BulkSyncSchemaRow[]): Record<string, unknown> {
  const {
    id: _id,
    organization_id: _organization,
    created_at: _createdAt,
    created_by: _createdBy,
    updated_at: _updatedAt,
    updated_by: _updatedBy,
    ...body
  } = bulkSyncToWire(row);
  if (row.select_all_schemas === 1) return body;
  return {
    ...body,
    schemas: schemas.map((schema) => ({
      id: schema.schema_id,
      ...(JSON.parse(schema.settings) as BulkSchemaSettings),
    })),
  };
}
