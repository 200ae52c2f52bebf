// Bulk sync rows → wire objects (2025-09-18 shapes; the 2024-02-08 version change converts schedules down).
import {
  toBulkSchedulesResponse,
  type BulkSchedulesResponse,
  type StoredBulkSchedules,
} from '../../../domain/schedules/index.ts';
import { copyOwnProperty } from '../../own-property.ts';
import type { WireSource } from '../../stored-rows.ts';
import type { BulkSyncRow, BulkSyncSchemaRow } from '../../../persistence/repositories/bulk-syncs-repository.ts';
import type { BulkSchemaSettings, BulkSchemaView, BulkSyncSettings } from '../../../services/bulk-syncs-service.ts';

// Built by assignment in the order a literal with `...settings, ...schedules` would give (same keys, same order,
// later keys winning in place): the list maps every sync of the organization per request, and those spreads in the
// middle of a literal cost several times the row's other work.
export function bulkSyncToWire(row: BulkSyncRow) {
  const wire: Record<string, unknown> = {
    id: row.id,
    name: row.name,
    organization_id: row.organization_id,
    active: row.active === 1,
    mode: row.mode,
    source_connection_id: row.source_connection_id,
    destination_connection_id: row.destination_connection_id,
    source_configuration: JSON.parse(row.source_configuration) as Record<string, unknown>,
    destination_configuration: JSON.parse(row.destination_configuration) as Record<string, unknown>,
  };
  const settings = JSON.parse(row.settings) as Record<string, unknown>;
  for (const key of Object.keys(settings)) copyOwnProperty(wire, key, settings[key]);
  const schedules = toBulkSchedulesResponse(JSON.parse(row.schedules) as StoredBulkSchedules);
  wire.default_schedule = schedules.default_schedule;
  wire.additional_schedules = schedules.additional_schedules;
  wire.created_at = row.created_at;
  wire.created_by = row.created_by ? JSON.parse(row.created_by) : undefined;
  wire.updated_at = row.updated_at;
  wire.updated_by = row.updated_by ? JSON.parse(row.updated_by) : undefined;
  return wire as unknown as BulkSyncWire;
}

/** A bulk sync's wire object is its row's alone (schedules and settings are columns of it). */
export const bulkSyncWireSource: WireSource<BulkSyncRow> = {
  shape: 'bulk-sync',
  id: (row) => row.id,
  stamp: (row) => [row.revision],
  toWire: bulkSyncToWire,
};

type BulkSyncWire = Pick<
  BulkSyncRow,
  | 'id'
  | 'name'
  | 'organization_id'
  | 'mode'
  | 'source_connection_id'
  | 'destination_connection_id'
  | 'created_at'
  | 'updated_at'
> &
  BulkSyncSettings &
  BulkSchedulesResponse & {
    active: boolean;
    source_configuration: Record<string, unknown>;
    destination_configuration: Record<string, unknown>;
    created_by: unknown;
    updated_by: unknown;
  };

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
