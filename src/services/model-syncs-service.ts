// Model sync use cases: the stored form of a sync and looking one up within an organization.
import type { AppContext } from '../app-context.ts';
import { notFound } from '../api/errors.ts';
import type { ModelSyncSchedule } from '../domain/schedules/index.ts';
import type { Filter, Identity, Override, SyncField, SyncMode } from '../engine/model-sync/model-sync-plan.ts';
import type { ModelSyncRow } from '../persistence/repositories/model-syncs-repository.ts';

/** The spec's Target: where a sync writes (connection_id and object are also real columns). */
export interface ModelSyncTarget {
  connection_id: string;
  object?: string;
  configuration?: Record<string, unknown>;
  create?: Record<string, string>;
  filter_logic?: string;
  new_name?: string;
  search_values?: Record<string, unknown>;
}

/** A SyncField as stored: the engine's SyncField plus the spec's flags it does not read. */
export interface StoredSyncField extends SyncField {
  new?: boolean;
  encryption_enabled?: boolean;
  sync_mode?: string;
}

/** `model_syncs.definition`: the spec's wire names, the engine's ModelSyncPlan fields. */
export interface ModelSyncDefinition {
  fields: StoredSyncField[];
  override_fields?: StoredSyncField[];
  overrides?: Override[];
  filters?: Filter[];
  filter_logic?: string;
  identity?: Identity & { new_field?: boolean; remote_field_type_id?: string };
  target: ModelSyncTarget;
  only_enrich_updates?: boolean;
  skip_initial_backfill?: boolean;
  sync_all_records?: boolean;
  policies?: string[];
  /** The sync's encryption_passphrase, sealed with the secret box. */
  encryption_passphrase_sealed?: string;
}

/** A model_syncs row with its JSON parsed. */
export interface StoredModelSync {
  id: string;
  organization_id: string;
  name: string;
  mode: SyncMode;
  active: boolean;
  model_id: string;
  target_connection_id: string;
  target_object: string | null;
  definition: ModelSyncDefinition;
  schedule: ModelSyncSchedule;
  created_at: string;
  created_by: string | null;
  updated_at: string;
  updated_by: string | null;
}

export function parseModelSync(row: ModelSyncRow): StoredModelSync {
  return {
    ...row,
    mode: row.mode as SyncMode,
    active: row.active === 1,
    definition: JSON.parse(row.definition) as ModelSyncDefinition,
    schedule: JSON.parse(row.schedule) as ModelSyncSchedule,
  };
}

/** The organization's sync, or a 404 (another organization's id is a 404 too). */
export async function requireModelSync(context: Pick<AppContext, 'repositories'>, organizationId: string, id: string): Promise<StoredModelSync> {
  const row = await context.repositories.modelSyncs.get(organizationId, id);
  if (!row) throw notFound('model sync');
  return parseModelSync(row);
}

export function modelSyncsService(context: Pick<AppContext, 'repositories' | 'connectors' | 'secretBox'>) {
  return {
    requireModelSync: (organizationId: string, id: string) => requireModelSync(context, organizationId, id),
  };
}

export type ModelSyncsService = ReturnType<typeof modelSyncsService>;
