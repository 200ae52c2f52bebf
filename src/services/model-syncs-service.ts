// Model sync use cases: the stored form of a sync, looking one up within an organization, and saving one after
// checking it against its model and its target (docs/model-syncs.md lists the checks).
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import type { AppContext } from '../app-context.ts';
import type { Principal } from './principal.ts';
import { DomainError, notFound } from '../domain/domain-error.ts';
import { validateModelSyncSchedule, type ModelSyncSchedule } from '../domain/schedules/index.ts';
import type { Filter, Identity, Override, SyncField, SyncMode } from '../engine/model-sync/model-sync-plan.ts';
import { createKyselyStateStore } from '../persistence/stores/kysely-state-store.ts';
import type { ModelSyncRevision, ModelSyncRow } from '../persistence/repositories/model-syncs-repository.ts';
import { nowIso } from '../persistence/repositories/clock.ts';
import { actorOf } from './actor.ts';
import type { ConnectionsService } from './connections-service.ts';
import { checkModelSync, type ModelSyncInput } from './model-sync-checks.ts';
import { modelSyncRecordLogsRoot } from './model-sync-record-log-location.ts';
import { pageToken, pageTokenKey } from './page-token.ts';

/** The spec's Target: where a sync writes (connection_id and object are also real columns). */
interface ModelSyncTarget {
  connection_id: string;
  object?: string;
  configuration?: Record<string, unknown>;
  create?: Record<string, string>;
  filter_logic?: string;
  new_name?: string;
  search_values?: Record<string, unknown>;
}

/** A SyncField as stored: the engine's SyncField plus the spec's flags it does not read. */
interface StoredSyncField extends SyncField {
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

/** Column by column rather than `{ ...row, … }`: a full list parses every sync of the organization per request. */
export function parseModelSync(row: ModelSyncRow): StoredModelSync {
  return {
    id: row.id,
    organization_id: row.organization_id,
    name: row.name,
    mode: row.mode as SyncMode,
    active: row.active === 1,
    model_id: row.model_id,
    target_connection_id: row.target_connection_id,
    target_object: row.target_object,
    definition: JSON.parse(row.definition) as ModelSyncDefinition,
    schedule: JSON.parse(row.schedule) as ModelSyncSchedule,
    created_at: row.created_at,
    created_by: row.created_by,
    updated_at: row.updated_at,
    updated_by: row.updated_by,
  };
}

/** The organization's sync as stored, or not found (another organization's id is not found too). */
async function requireModelSyncRow(
  context: Pick<AppContext, 'repositories'>,
  organizationId: string,
  id: string,
): Promise<ModelSyncRow> {
  const row = await context.repositories.modelSyncs.get(organizationId, id);
  if (!row) throw notFound('model sync');
  return row;
}

/** The organization's sync, or not found (another organization's id is not found too). */
export async function requireModelSync(
  context: Pick<AppContext, 'repositories'>,
  organizationId: string,
  id: string,
): Promise<StoredModelSync> {
  return parseModelSync(await requireModelSyncRow(context, organizationId, id));
}

/** The request body of POST /api/syncs and PUT /api/syncs/{id} (CreateSyncRequest / UpdateSyncRequest). */
export type ModelSyncRequest = ModelSyncInput & {
  name: string;
  active?: boolean;
  schedule: unknown;
  only_enrich_updates?: boolean;
  skip_initial_backfill?: boolean;
  sync_all_records?: boolean;
  policies?: string[];
  encryption_passphrase?: string;
};

export interface ModelSyncListQuery {
  active?: boolean;
  mode?: string;
  target_connection_id?: string;
  page_token?: string;
  limit?: number;
}

/** Default and largest page of GET /api/syncs (endpoints.tsv: default 50, max 50). */
const MODEL_SYNC_PAGE_LIMIT = 50;

/** The keyset position of a page_token from pagination.next_page_token. */
function positionOf(token: string): { updatedAt: string; id: string } {
  const key = pageTokenKey(token, 2);
  if (!key)
    throw new DomainError('invalid', 'query parameter page_token: is not a token from pagination.next_page_token', {
      details: { field: 'page_token', location: 'query' },
    });
  return { updatedAt: key[0]!, id: key[1]! };
}

const drop = <T extends object>(value: T): T =>
  Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as T;

function scheduleFrom(raw: unknown): ModelSyncSchedule {
  const validated = validateModelSyncSchedule(raw);
  if (validated.ok) return validated.value;
  const [first] = validated.issues;
  throw new DomainError('unprocessable', `${first!.field}: ${first!.message}`, {
    details: { field: first!.field, issues: validated.issues },
  });
}

export function modelSyncsService(
  context: Pick<AppContext, 'repositories' | 'connectors' | 'secretBox' | 'database' | 'config' | 'clock'>,
  connections: Pick<ConnectionsService, 'open'>,
) {
  const { repositories, secretBox } = context;

  /**
   * The definition to store. encryption_passphrase is write-only: absent keeps the stored one (a GET → PUT round trip
   * must not lose it, and GET never shows it), an empty string clears it.
   */
  function definitionFrom(body: ModelSyncRequest, previous: ModelSyncDefinition | undefined): ModelSyncDefinition {
    const sealed =
      body.encryption_passphrase === undefined
        ? previous?.encryption_passphrase_sealed
        : body.encryption_passphrase === ''
          ? undefined
          : secretBox.seal(body.encryption_passphrase);
    return drop({
      fields: body.fields,
      override_fields: body.override_fields,
      overrides: body.overrides,
      filters: body.filters,
      filter_logic: body.filter_logic,
      identity: body.identity,
      target: body.target,
      only_enrich_updates: body.only_enrich_updates,
      skip_initial_backfill: body.skip_initial_backfill,
      sync_all_records: body.sync_all_records,
      policies: body.policies,
      encryption_passphrase_sealed: sealed,
    });
  }

  async function checked(organizationId: string, body: ModelSyncRequest) {
    const schedule = scheduleFrom(body.schedule);
    const { modelId } = await checkModelSync(
      { repositories, connectors: context.connectors, connections },
      organizationId,
      body,
    );
    return { schedule, modelId };
  }

  return {
    requireModelSync: (organizationId: string, id: string) => requireModelSync(context, organizationId, id),
    /** As stored: a reader that renders the sync only when it changed parses it then (parseModelSync). */
    requireModelSyncRow: (organizationId: string, id: string) => requireModelSyncRow(context, organizationId, id),
    /** Its id and revision alone (404 as requireModelSyncRow): a reader that kept its JSON at that revision is done. */
    async requireModelSyncRevision(organizationId: string, id: string) {
      const found = await context.repositories.modelSyncs.revision(organizationId, id);
      if (!found) throw notFound('model sync');
      return found;
    },

    /**
     * One page (updated_at desc, then id), or with `all` every matching sync (2024-02-08 and older). A page is
     * read one row long to learn whether another page follows. As ids and revisions: a reader that keeps what it
     * made of each sync reads whole rows (byIds) only for the revisions it has not seen.
     */
    async list(
      organizationId: string,
      query: ModelSyncListQuery,
      all: boolean,
    ): Promise<{ revisions: ModelSyncRevision[]; nextPageToken?: string }> {
      const filters = { active: query.active, mode: query.mode, targetConnectionId: query.target_connection_id };
      if (all) return { revisions: await repositories.modelSyncs.listRevisions(organizationId, filters) };
      const limit =
        query.limit === undefined || query.limit <= 0
          ? MODEL_SYNC_PAGE_LIMIT
          : Math.min(query.limit, MODEL_SYNC_PAGE_LIMIT);
      const after = query.page_token ? positionOf(query.page_token) : undefined;
      const rows = await repositories.modelSyncs.listRevisions(organizationId, { ...filters, after, limit: limit + 1 });
      const page = rows.slice(0, limit);
      const last = rows.length > limit ? page.at(-1)! : undefined;
      return { revisions: page, nextPageToken: last && pageToken([last.updated_at, last.id]) };
    },

    /** The organization's syncs among `ids` as stored, in no particular order (gone ones left out). */
    byIds(organizationId: string, ids: readonly string[]): Promise<ModelSyncRow[]> {
      return repositories.modelSyncs.byIds(organizationId, ids);
    },

    async create(caller: Principal, organizationId: string, body: ModelSyncRequest): Promise<StoredModelSync> {
      const { schedule, modelId } = await checked(organizationId, body);
      const now = nowIso(context.clock);
      const actor = JSON.stringify(actorOf(caller));
      const row: ModelSyncRow = {
        id: randomUUID(),
        organization_id: organizationId,
        name: body.name,
        mode: body.mode,
        active: body.active === false ? 0 : 1,
        model_id: modelId,
        target_connection_id: body.target.connection_id,
        target_object: body.target.object ?? null,
        definition: JSON.stringify(definitionFrom(body, undefined)),
        schedule: JSON.stringify(schedule),
        created_at: now,
        created_by: actor,
        updated_at: now,
        updated_by: actor,
      };
      await repositories.modelSyncs.insert(row);
      return parseModelSync(row);
    },

    /** PUT replaces the sync (active, when absent, stays as it was). */
    async update(caller: Principal, id: string, body: ModelSyncRequest): Promise<StoredModelSync> {
      const existing = await requireModelSync(context, caller.organizationId, id);
      const { schedule, modelId } = await checked(existing.organization_id, body);
      await repositories.modelSyncs.update(existing.organization_id, id, {
        name: body.name,
        mode: body.mode,
        active: body.active === undefined ? (existing.active ? 1 : 0) : body.active ? 1 : 0,
        model_id: modelId,
        target_connection_id: body.target.connection_id,
        target_object: body.target.object ?? null,
        definition: JSON.stringify(definitionFrom(body, existing.definition)),
        schedule: JSON.stringify(schedule),
        updated_at: nowIso(context.clock),
        updated_by: JSON.stringify(actorOf(caller)),
      });
      return requireModelSync(context, existing.organization_id, id);
    },

    async setActive(caller: Principal, id: string, active: boolean): Promise<StoredModelSync> {
      const existing = await requireModelSync(context, caller.organizationId, id);
      await repositories.modelSyncs.update(existing.organization_id, id, {
        active: active ? 1 : 0,
        updated_at: nowIso(context.clock),
        updated_by: JSON.stringify(actorOf(caller)),
      });
      return requireModelSync(context, existing.organization_id, id);
    },

    /** A conflict while an execution is created, queued, running or canceling; the target is left as it is. */
    async delete(caller: Principal, id: string): Promise<void> {
      const existing = await requireModelSync(context, caller.organizationId, id);
      if (!(await repositories.modelSyncs.deleteUnlessBusy(existing.organization_id, id))) {
        throw new DomainError(
          'conflict',
          'The sync has an execution in progress; cancel it or wait for it to finish before deleting the sync.',
          { details: { field: 'id' } },
        );
      }
      // The change-detection state is keyed by the sync id alone; a sync deleted and never recreated leaves none.
      await createKyselyStateStore(context.database.db, context.clock.now).clear(id);
      // The executions' record logs go with them; a file left behind would be data nobody can reach or delete.
      await rm(modelSyncRecordLogsRoot(context.config.dataDir, id), { recursive: true, force: true });
    },
  };
}

export type ModelSyncsService = ReturnType<typeof modelSyncsService>;
