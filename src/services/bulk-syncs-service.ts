// Bulk sync use cases: validate the connections and schedules, keep per-schema settings, and list a sync's
// schemas (the stored settings merged with what the source offers when the sync selects every schema).
import { randomUUID } from 'node:crypto';
import type { AppContext } from '../app-context.ts';
import type { Principal } from './principal.ts';
import { DomainError, notFound, unprocessableField } from '../domain/domain-error.ts';
import { silentLogger } from '../domain/run-context.ts';
import { identifierProblem, type IdentifierRules } from '../connectors/identifier-rules.ts';
import { configurationOf, validateBulkScheduleRequest, type StoredBulkSchedules } from '../domain/schedules/index.ts';
import { defaultOutputName } from '../engine/bulk/name-normalization.ts';
import type { NormalizeNames } from '../engine/bulk/bulk-sync-plan.ts';
import type { BulkSyncRow, BulkSyncSchemaRow } from '../persistence/repositories/bulk-syncs-repository.ts';
import { nowIso } from '../persistence/repositories/clock.ts';
import { actorOf } from './actor.ts';
import { storeSchedules } from './bulk-schedule-records.ts';
import type { ConnectionsService } from './connections-service.ts';
import { changeStreamsService } from './change-streams-service.ts';
import { refuses } from '../engine/bulk/change-capture-requirements.ts';
import type { ConnectionRow } from '../persistence/repositories/connections-repository.ts';

export interface BulkSyncSettings {
  automatically_add_new_fields: string;
  automatically_add_new_objects: string;
  concurrency_limit?: number;
  resync_concurrency_limit?: number;
  data_cutoff_timestamp?: string;
  disable_record_timestamps: boolean;
  normalize_names: NormalizeNames;
  policies: string[];
}

interface BulkFieldSettings {
  id: string;
  enabled?: boolean;
  obfuscated?: boolean;
  user_output_name?: string;
}

export interface BulkSchemaSettings {
  enabled: boolean;
  fields?: BulkFieldSettings[];
  filters?: Array<{ field_id?: string; function: string; value?: unknown }>;
  tracking_field?: string;
  user_output_name?: string;
  partition_key?: string;
  data_cutoff_timestamp?: string;
  disable_data_cutoff?: boolean;
}

export interface BulkSchemaView extends BulkSchemaSettings {
  id: string;
  output_name: string;
}

type SchemaInput =
  | string
  | ({ id: string; fields?: Array<string | BulkFieldSettings> } & Omit<Partial<BulkSchemaSettings>, 'fields'>);

/** A bulk sync as a create or update request gives it, already checked against the request's schema. */
export interface BulkSyncInput extends Partial<BulkSyncSettings> {
  name: string;
  mode?: string;
  active?: boolean;
  source_connection_id: string;
  destination_connection_id: string;
  source_configuration?: Record<string, unknown>;
  destination_configuration?: Record<string, unknown>;
  schemas?: SchemaInput[];
  default_schedule?: unknown;
  additional_schedules?: unknown;
}

export function bulkSyncsService(
  context: Pick<AppContext, 'repositories' | 'connectors' | 'clock' | 'database' | 'log' | 'config'>,
  connections: ConnectionsService,
) {
  const { repositories } = context;
  const changeStreams = changeStreamsService(context, connections);
  /** A stream the saved or deleted sync no longer uses is dropped now; if the source is unreachable, by the sweep. */
  const streamsFollow = (syncId: string) =>
    changeStreams
      .syncChanged(syncId)
      .catch((error: unknown) => context.log.warn({ err: error, syncId }, 'change stream: reconcile failed'));

  /**
   * With change capture on, every selected table must be streamable: a table with no primary key needs REPLICA
   * IDENTITY FULL (or its source's equivalent). Refused here in the source's own words, not by the next run. A
   * source that cannot be reached now is not a reason to refuse the save; the run checks again.
   */
  async function checkStreamable(source: ConnectionRow, mode: string, schemas: SchemaInput[] | undefined) {
    if (mode === 'snapshot' || !schemas || schemas.length === 0) return;
    const ids = schemas
      .map((schema) => (typeof schema === 'string' ? { id: schema, enabled: true } : schema))
      .filter((schema) => schema.enabled !== false)
      .map((schema) => schema.id);
    let connection: Awaited<ReturnType<ConnectionsService['open']>> | undefined;
    let failing: string | undefined;
    try {
      connection = await connections.open(source);
      if (!connection.changeCapture) return;
      const run = { signal: AbortSignal.timeout(15_000), log: silentLogger, heartbeat() {} };
      const refused = (await connection.changeCapture.check(run, ids)).filter(
        (requirement) => refuses(requirement) && requirement.name.split(':')[0] === 'replica_identity',
      );
      if (refused.length > 0) failing = refused.map((requirement) => requirement.message).join('; ');
    } catch {
      return;
    } finally {
      await connection?.close().catch(() => {});
    }
    if (failing) throw unprocessableField('schemas', `Change capture cannot stream every selected table: ${failing}`);
  }

  async function requireSync(caller: Principal, id: string): Promise<BulkSyncRow> {
    const row = await repositories.bulkSyncs.get(caller.organizationId, id);
    if (!row) throw notFound('bulk sync');
    return row;
  }

  async function checkConnection(
    organizationId: string,
    id: string,
    field: string,
    capability: 'bulkSource' | 'bulkDestination',
  ) {
    const row = await repositories.connections.get(organizationId, id);
    if (!row) throw unprocessableField(field, 'no such connection in this organization');
    const connector = context.connectors.get(row.type);
    if (!connector || !(connector.capabilities as readonly string[]).includes(capability)) {
      throw unprocessableField(
        field,
        `a ${row.type} connection cannot be a bulk-sync ${capability === 'bulkSource' ? 'source' : 'destination'}`,
      );
    }
    return row;
  }

  function schedulesFrom(
    body: Pick<BulkSyncInput, 'default_schedule' | 'additional_schedules'>,
    previous: StoredBulkSchedules | undefined,
    caller: Principal,
    now: string,
  ): StoredBulkSchedules {
    const validated = validateBulkScheduleRequest({
      default_schedule: body.default_schedule,
      additional_schedules: body.additional_schedules,
    });
    if (!validated.ok) {
      const [first] = validated.issues;
      throw new DomainError('unprocessable', `${first!.field}: ${first!.message}`, {
        details: { field: first!.field, issues: validated.issues },
      });
    }
    return storeSchedules(validated.value, previous, actorOf(caller), now);
  }

  /**
   * Output names must be names the destination can create (its connector's identifierRules): refused at request
   * time, not by the next run. `at` prefixes the field named in the error (`schemas[2].`).
   */
  function checkOutputNames(
    rules: IdentifierRules | undefined,
    schema: { user_output_name?: string; fields?: Array<string | BulkFieldSettings> },
    at: string,
  ): void {
    if (!rules) return;
    const check = (name: string | undefined, field: string) => {
      const problem = name === undefined ? undefined : identifierProblem(name, rules);
      if (problem) throw unprocessableField(field, problem);
    };
    check(schema.user_output_name, `${at}user_output_name`);
    for (const [index, field] of (schema.fields ?? []).entries())
      if (typeof field !== 'string') check(field.user_output_name, `${at}fields[${index}].user_output_name`);
  }

  async function destinationRules(sync: BulkSyncRow): Promise<IdentifierRules | undefined> {
    const destination = await repositories.connections.get(sync.organization_id, sync.destination_connection_id);
    return destination && context.connectors.get(destination.type)?.identifierRules;
  }

  function schemaRows(
    syncId: string,
    schemas: SchemaInput[] | undefined,
    rules: IdentifierRules | undefined,
  ): BulkSyncSchemaRow[] {
    const seen = new Set<string>();
    return (schemas ?? []).map((schema, index) => {
      const input = typeof schema === 'string' ? { id: schema } : schema;
      if (seen.has(input.id)) throw unprocessableField(`schemas[${index}]`, `schema ${input.id} is listed twice`);
      seen.add(input.id);
      checkOutputNames(rules, input, `schemas[${index}].`);
      const { id, fields, ...rest } = input;
      const settings: BulkSchemaSettings = { ...rest, enabled: rest.enabled ?? true };
      if (fields)
        settings.fields = fields.map((field) => (typeof field === 'string' ? { id: field, enabled: true } : field));
      return { sync_id: syncId, schema_id: id, settings: JSON.stringify(settings) };
    });
  }

  function settingsFrom(body: BulkSyncInput): BulkSyncSettings {
    return {
      automatically_add_new_fields: body.automatically_add_new_fields ?? 'all',
      automatically_add_new_objects: body.automatically_add_new_objects ?? 'all',
      ...(body.concurrency_limit !== undefined ? { concurrency_limit: body.concurrency_limit } : {}),
      ...(body.resync_concurrency_limit !== undefined
        ? { resync_concurrency_limit: body.resync_concurrency_limit }
        : {}),
      ...(body.data_cutoff_timestamp !== undefined ? { data_cutoff_timestamp: body.data_cutoff_timestamp } : {}),
      disable_record_timestamps: body.disable_record_timestamps ?? false,
      normalize_names: body.normalize_names ?? 'enabled',
      policies: body.policies ?? [],
    };
  }

  return {
    requireSync,
    /** Its id and revision alone (404 as requireSync): a reader that kept its JSON at that revision is done. */
    async requireSyncRevision(caller: Principal, id: string) {
      const found = await repositories.bulkSyncs.revision(caller.organizationId, id);
      if (!found) throw notFound('bulk sync');
      return found;
    },

    async create(caller: Principal, organizationId: string, body: BulkSyncInput): Promise<BulkSyncRow> {
      const source = await checkConnection(
        organizationId,
        body.source_connection_id,
        'source_connection_id',
        'bulkSource',
      );
      const destination = await checkConnection(
        organizationId,
        body.destination_connection_id,
        'destination_connection_id',
        'bulkDestination',
      );
      const rows = (id: string) =>
        schemaRows(id, body.schemas, context.connectors.get(destination.type)?.identifierRules);
      const now = nowIso(context.clock);
      const actor = JSON.stringify(actorOf(caller));
      const id = randomUUID();
      const row: BulkSyncRow = {
        id,
        organization_id: organizationId,
        name: body.name,
        mode: body.mode ?? 'replicate',
        active: body.active === false ? 0 : 1,
        source_connection_id: body.source_connection_id,
        destination_connection_id: body.destination_connection_id,
        source_configuration: JSON.stringify(body.source_configuration ?? {}),
        destination_configuration: JSON.stringify(body.destination_configuration ?? {}),
        settings: JSON.stringify(settingsFrom(body)),
        schedules: JSON.stringify(schedulesFrom(body, undefined, caller, now)),
        select_all_schemas: body.schemas === undefined ? 1 : 0,
        created_at: now,
        created_by: actor,
        updated_at: now,
        updated_by: actor,
      };
      const schemaRowsOfSync = rows(id);
      await checkStreamable(source, row.mode, body.schemas);
      await repositories.bulkSyncs.insert(row, schemaRowsOfSync);
      return row;
    },

    async update(caller: Principal, id: string, body: BulkSyncInput): Promise<BulkSyncRow> {
      const existing = await requireSync(caller, id);
      const source = await checkConnection(
        existing.organization_id,
        body.source_connection_id,
        'source_connection_id',
        'bulkSource',
      );
      const destination = await checkConnection(
        existing.organization_id,
        body.destination_connection_id,
        'destination_connection_id',
        'bulkDestination',
      );
      const now = nowIso(context.clock);
      const schemaRowsOfSync = schemaRows(id, body.schemas, context.connectors.get(destination.type)?.identifierRules);
      await checkStreamable(source, body.mode ?? existing.mode, body.schemas);
      await repositories.bulkSyncs.update(
        existing.organization_id,
        id,
        {
          name: body.name,
          mode: body.mode ?? existing.mode,
          active: body.active === undefined ? existing.active : body.active ? 1 : 0,
          source_connection_id: body.source_connection_id,
          destination_connection_id: body.destination_connection_id,
          source_configuration: JSON.stringify(body.source_configuration ?? {}),
          destination_configuration: JSON.stringify(body.destination_configuration ?? {}),
          settings: JSON.stringify(settingsFrom(body)),
          schedules: JSON.stringify(schedulesFrom(body, JSON.parse(existing.schedules), caller, now)),
          select_all_schemas: body.schemas === undefined ? 1 : 0,
          updated_at: now,
          updated_by: JSON.stringify(actorOf(caller)),
        },
        schemaRowsOfSync,
      );
      await streamsFollow(id);
      return requireSync(caller, id);
    },

    async setActive(caller: Principal, id: string, active: boolean): Promise<BulkSyncRow> {
      const existing = await requireSync(caller, id);
      await repositories.bulkSyncs.update(existing.organization_id, id, {
        active: active ? 1 : 0,
        updated_at: nowIso(context.clock),
        updated_by: JSON.stringify(actorOf(caller)),
      });
      return requireSync(caller, id);
    },

    async delete(caller: Principal, id: string): Promise<void> {
      const existing = await requireSync(caller, id);
      await repositories.bulkSyncs.delete(existing.organization_id, id);
      await streamsFollow(id);
    },

    /**
     * The sync's schemas: stored settings, plus — when the sync selects every schema — each schema the source
     * offers (enabled, default settings). Discovery failures are reported, never hidden behind a partial list.
     */
    async schemas(sync: BulkSyncRow): Promise<BulkSchemaView[]> {
      const settings = JSON.parse(sync.settings) as BulkSyncSettings;
      const stored = new Map(
        (await repositories.bulkSyncs.schemas(sync.id)).map((row) => [
          row.schema_id,
          JSON.parse(row.settings) as BulkSchemaSettings,
        ]),
      );
      const ids = new Set(stored.keys());
      if (sync.select_all_schemas === 1) {
        const source = await repositories.connections.get(sync.organization_id, sync.source_connection_id);
        if (!source)
          throw new DomainError('unprocessable', 'The source connection of this sync no longer exists.', {
            details: { field: 'source_connection_id' },
          });
        const connection = await connections.open(source);
        try {
          const discovered = await connection.bulkSource!.listSchemas({
            signal: AbortSignal.timeout(30_000),
            log: silentLogger,
            heartbeat() {},
          });
          for (const schema of discovered) ids.add(schema.id);
        } catch (error) {
          throw new DomainError('unprocessable', `Could not list the source's schemas: ${(error as Error).message}`, {
            details: { field: 'source_connection_id' },
            cause: error,
          });
        } finally {
          await connection.close().catch(() => {});
        }
      }
      return [...ids].sort().map((id) => {
        const schema = stored.get(id) ?? { enabled: true };
        return {
          ...schema,
          id,
          output_name: schema.user_output_name ?? defaultOutputName(id, settings.normalize_names),
        };
      });
    },

    async updateSchema(
      sync: BulkSyncRow,
      schemaId: string,
      changes: Partial<BulkSchemaSettings>,
      replace: boolean,
    ): Promise<void> {
      checkOutputNames(await destinationRules(sync), changes, '');
      const current = (await repositories.bulkSyncs.schemas(sync.id)).find((row) => row.schema_id === schemaId);
      const base: BulkSchemaSettings =
        replace || !current ? { enabled: true } : (JSON.parse(current.settings) as BulkSchemaSettings);
      const next: BulkSchemaSettings = { ...base, ...changes, enabled: changes.enabled ?? base.enabled };
      await repositories.bulkSyncs.upsertSchema({
        sync_id: sync.id,
        schema_id: schemaId,
        settings: JSON.stringify(next),
      });
    },

    /** Checks several schemas' output names before any is written (`schemas[i].` names the one at fault). */
    async checkSchemaOutputNames(sync: BulkSyncRow, schemas: ReadonlyArray<Partial<BulkSchemaSettings>>) {
      const rules = await destinationRules(sync);
      for (const [index, schema] of schemas.entries()) checkOutputNames(rules, schema, `schemas[${index}].`);
    },

    changeStreams,

    configurationOfSchedules: (sync: BulkSyncRow) => configurationOf(JSON.parse(sync.schedules) as StoredBulkSchedules),
  };
}

export type BulkSyncsService = ReturnType<typeof bulkSyncsService>;
