// Stored model syncs → wire objects (2025-09-18 shapes: SyncResponse and the light ListSyncItem).
// encryption_passphrase is write-only: responses never carry it (docs/model-syncs.md).
import type { ModelSyncRow } from '../../../persistence/repositories/model-syncs-repository.ts';
import { parseModelSync, type StoredModelSync } from '../../../services/model-syncs-service.ts';
import type { WireSource } from '../../stored-rows.ts';

const actor = (value: string | null) => (value ? JSON.parse(value) : undefined);

function commonFields(sync: StoredModelSync) {
  const { definition } = sync;
  return {
    id: sync.id,
    name: sync.name,
    organization_id: sync.organization_id,
    active: sync.active,
    mode: sync.mode,
    model_ids: [sync.model_id],
    schedule: sync.schedule,
    only_enrich_updates: definition.only_enrich_updates ?? false,
    skip_initial_backfill: definition.skip_initial_backfill ?? false,
    sync_all_records: definition.sync_all_records ?? false,
    created_at: sync.created_at,
    created_by: actor(sync.created_by),
    updated_at: sync.updated_at,
    updated_by: actor(sync.updated_by),
  };
}

// The shapes add their fields to the common ones with Object.assign rather than a literal that starts with a spread:
// a list maps up to every sync of the organization per request, and that literal costs several times as much.
/** SyncResponse (and 2024-02-08 ModelSyncResponse, the same shape). */
export function modelSyncToWire(sync: StoredModelSync) {
  const { definition } = sync;
  return Object.assign(commonFields(sync), {
    fields: definition.fields,
    override_fields: definition.override_fields ?? [],
    overrides: definition.overrides ?? [],
    filters: definition.filters ?? [],
    filter_logic: definition.filter_logic ?? '',
    identity: definition.identity,
    target: definition.target,
    policies: definition.policies ?? [],
  });
}

/** ListSyncItem: no mappings, filters or target document; the target as two ids. */
function modelSyncToListItem(sync: StoredModelSync) {
  return Object.assign(commonFields(sync), {
    target_connection_id: sync.target_connection_id,
    target_object: sync.target_object ?? undefined,
  });
}

function modelSyncSource(shape: string, toWire: (sync: StoredModelSync) => unknown): WireSource<ModelSyncRow> {
  return {
    shape,
    id: (row) => row.id,
    stamp: (row) => [row.revision],
    toWire: (row) => toWire(parseModelSync(row)),
  };
}

/** SyncResponse, from the row alone: parsed only when the row changed since its JSON was rendered. */
export const modelSyncWireSource = modelSyncSource('model-sync', modelSyncToWire);

/** ListSyncItem, from the row alone. */
export const modelSyncListItemSource = modelSyncSource('model-sync-list-item', modelSyncToListItem);

/** A model sync as an update body that changes nothing (encryption_passphrase left out: the update keeps it). */
export function modelSyncToUpdateBody(sync: StoredModelSync): Record<string, unknown> {
  const {
    id: _id,
    organization_id: _organization,
    model_ids: _models,
    created_at: _createdAt,
    created_by: _createdBy,
    updated_at: _updatedAt,
    updated_by: _updatedBy,
    ...body
  } = modelSyncToWire(sync);
  return body;
}
