// The schema catalog of a connection: what its bulk source discovered (cached, refreshed by a job) merged with
// what users changed on top — fields they added, patches to discovered fields, and primary-key overrides. The
// overrides are kept per schema and survive refreshes; a refresh only replaces the discovered part.
import type { Clock } from '../domain/clock.ts';
import { randomUUID } from 'node:crypto';
import { DomainError, notFound, unprocessableField } from '../domain/domain-error.ts';
import type { RunContext } from '../domain/run-context.ts';
import { silentLogger } from '../domain/run-context.ts';
import { UtilFieldType, type FieldDescription, type Row, type SchemaDescription } from '../connectors/records.ts';
import { sampleRecords } from '../connectors/query-page.ts';
import type { ConnectionRow } from '../persistence/repositories/connections-repository.ts';
import type { Repositories } from '../persistence/repositories/index.ts';
import type { SchemaOverrideRow } from '../persistence/repositories/schema-catalog-repository.ts';
import type { JobRow } from '../persistence/repositories/jobs-repository.ts';
import { nowIso } from '../persistence/repositories/clock.ts';
import type { ConnectionsService } from './connections-service.ts';
import { withFacet } from './connection-facets.ts';
import { JobType, type JobsService } from './jobs-service.ts';

/** BulkSyncSourceStatus.cache_status values. */
const CacheStatus = { empty: 'empty', refreshing: 'refreshing', fresh: 'fresh', failed: 'failed' } as const;

/** UserFieldRequest, with its type checked. */
export interface UserField {
  field_id: string;
  label: string;
  type: UtilFieldType;
  path?: string;
  example?: unknown;
}

/** The PATCH body: only the properties sent change. */
export type FieldPatch = Partial<Omit<UserField, 'field_id'>>;

export interface CatalogField {
  id: string;
  name: string;
  type: UtilFieldType;
  remote_type: string;
  is_primary_key: boolean;
  user_added: boolean;
  path?: string;
  example?: unknown;
}

export interface CatalogSchema {
  id: string;
  name: string;
  fields: CatalogField[];
}

/** Sample records: 10 unless asked, never more than 100 (one page of a preview table). */
const sampleLimits = { default: 10, max: 100 } as const;

const fieldTypes = new Set<string>(Object.values(UtilFieldType));

function checkType(type: unknown, field: string): UtilFieldType {
  if (typeof type !== 'string' || !fieldTypes.has(type)) {
    throw unprocessableField(field, `must be one of ${[...fieldTypes].join(', ')} (got ${JSON.stringify(type)})`);
  }
  return type as UtilFieldType;
}

interface Overrides {
  userFields: UserField[];
  patches: Record<string, FieldPatch>;
  primaryKeys: string[] | null;
}

function parseOverrides(row: SchemaOverrideRow | undefined): Overrides {
  if (!row) return { userFields: [], patches: {}, primaryKeys: null };
  return {
    userFields: JSON.parse(row.user_fields),
    patches: JSON.parse(row.field_patches),
    primaryKeys: row.primary_keys ? JSON.parse(row.primary_keys) : null,
  };
}

/** Discovered fields with patches applied, then user fields (a user field with a discovered id replaces it). */
function mergeSchema(discovered: SchemaDescription, overrides: Overrides): CatalogSchema {
  const userIds = new Set(overrides.userFields.map((field) => field.field_id));
  const fields: CatalogField[] = discovered.fields
    .filter((field) => !userIds.has(field.id))
    .map((field) => {
      const patch = overrides.patches[field.id] ?? {};
      return {
        id: field.id,
        name: patch.label ?? field.name,
        type: patch.type ?? field.type,
        remote_type: field.remote_type,
        is_primary_key: field.is_primary_key,
        user_added: false,
        ...(patch.path !== undefined ? { path: patch.path } : {}),
        ...(patch.example !== undefined ? { example: patch.example } : {}),
      };
    });
  for (const field of overrides.userFields) {
    fields.push({
      id: field.field_id,
      name: field.label,
      type: field.type,
      remote_type: '',
      is_primary_key: false,
      user_added: true,
      ...(field.path !== undefined ? { path: field.path } : {}),
      ...(field.example !== undefined ? { example: field.example } : {}),
    });
  }
  if (overrides.primaryKeys) {
    const keys = new Set(overrides.primaryKeys);
    for (const field of fields) field.is_primary_key = keys.has(field.id);
  }
  return { id: discovered.id, name: discovered.name, fields };
}

export function schemaCatalog(deps: {
  repositories: Repositories;
  connections: Pick<ConnectionsService, 'open'>;
  jobs: JobsService;
  clock: Clock;
}) {
  const catalog = deps.repositories.schemaCatalog;
  const inline: RunContext = { signal: new AbortController().signal, log: silentLogger, heartbeat() {} };

  /** Lists the source's schemas now and replaces the cached ones; records the refresh in the status row. */
  async function discover(
    row: ConnectionRow,
    context: RunContext,
    jobId: string | null = null,
  ): Promise<SchemaDescription[]> {
    const started = nowIso(deps.clock);
    const previous = await catalog.status(row.id);
    await catalog.saveStatus({
      connection_id: row.id,
      organization_id: row.organization_id,
      cache_status: CacheStatus.refreshing,
      last_refresh_started: started,
      last_refresh_finished: previous?.last_refresh_finished ?? null,
      last_error: null,
      job_id: jobId,
    });
    try {
      const schemas = await withFacet(deps.connections, row, 'bulkSource', (source) => source.listSchemas(context));
      const now = nowIso(deps.clock);
      await catalog.replaceSchemas(
        row.id,
        schemas.map((schema) => ({
          connection_id: row.id,
          schema_id: schema.id,
          name: schema.name,
          fields: JSON.stringify(schema.fields),
          discovered_at: now,
        })),
      );
      await catalog.saveStatus({
        connection_id: row.id,
        organization_id: row.organization_id,
        cache_status: CacheStatus.fresh,
        last_refresh_started: started,
        last_refresh_finished: now,
        last_error: null,
        job_id: jobId,
      });
      return schemas;
    } catch (error: unknown) {
      const message = error instanceof Error ? error.message : String(error);
      await catalog.saveStatus({
        connection_id: row.id,
        organization_id: row.organization_id,
        cache_status: CacheStatus.failed,
        last_refresh_started: started,
        last_refresh_finished: nowIso(deps.clock),
        last_error: message,
        job_id: jobId,
      });
      throw error;
    }
  }

  /** The discovered schemas, discovering now when the cache is empty (never filled, or its only refreshes failed). */
  async function discovered(row: ConnectionRow): Promise<SchemaDescription[]> {
    const status = await catalog.status(row.id);
    const cached = await catalog.listSchemas(row.id);
    if (!status || (status.cache_status !== CacheStatus.fresh && cached.length === 0)) return discover(row, inline);
    return cached.map((schema) => ({
      id: schema.schema_id,
      name: schema.name,
      fields: JSON.parse(schema.fields) as FieldDescription[],
    }));
  }

  /** One discovered schema; a schema missing from the cache is looked up at the source (it may be newer than the last refresh). */
  async function discoveredSchema(row: ConnectionRow, schemaId: string): Promise<SchemaDescription> {
    const cached = (await discovered(row)).find((schema) => schema.id === schemaId);
    if (cached) return cached;
    const described = await withFacet(deps.connections, row, 'bulkSource', (source) =>
      source.describeSchema(inline, schemaId),
    );
    if (!described) throw notFound(`schema ${schemaId}`);
    await catalog.upsertSchema({
      connection_id: row.id,
      schema_id: described.id,
      name: described.name,
      fields: JSON.stringify(described.fields),
      discovered_at: nowIso(deps.clock),
    });
    return described;
  }

  async function overridesOf(row: ConnectionRow, schemaId: string): Promise<Overrides> {
    return parseOverrides(await catalog.getOverride(row.id, schemaId));
  }

  async function saveOverrides(row: ConnectionRow, schemaId: string, overrides: Overrides): Promise<void> {
    await catalog.saveOverride({
      connection_id: row.id,
      schema_id: schemaId,
      user_fields: JSON.stringify(overrides.userFields),
      field_patches: JSON.stringify(overrides.patches),
      primary_keys: overrides.primaryKeys ? JSON.stringify(overrides.primaryKeys) : null,
      updated_at: nowIso(deps.clock),
    });
  }

  async function get(row: ConnectionRow, schemaId: string): Promise<CatalogSchema> {
    return mergeSchema(await discoveredSchema(row, schemaId), await overridesOf(row, schemaId));
  }

  return {
    discover,
    get,

    async status(row: ConnectionRow) {
      const status = await catalog.status(row.id);
      return {
        cache_status: status?.cache_status ?? CacheStatus.empty,
        ...(status?.last_refresh_started ? { last_refresh_started: status.last_refresh_started } : {}),
        ...(status?.last_refresh_finished ? { last_refresh_finished: status.last_refresh_finished } : {}),
      };
    },

    /** Starts a refresh job and returns it at once; only healthy connections are refreshed (spec doc note). */
    async refresh(row: ConnectionRow): Promise<JobRow> {
      if (row.status !== 'healthy') {
        throw new DomainError(
          'precondition_failed',
          `Connection "${row.name}" is ${row.status}${row.status_error ? ` (${row.status_error})` : ''}; fix it before refreshing its schemas.`,
          { details: { reason: 'connection_unhealthy' } },
        );
      }
      const jobId = randomUUID();
      return deps.jobs.start(
        row.organization_id,
        JobType.schemarefresh,
        async (context) => ({ schemas: (await discover(row, context, jobId)).length }),
        { id: jobId },
      );
    },

    async list(row: ConnectionRow): Promise<CatalogSchema[]> {
      const schemas = await discovered(row);
      return Promise.all(schemas.map(async (schema) => mergeSchema(schema, await overridesOf(row, schema.id))));
    },

    async records(row: ConnectionRow, schemaId: string, limit: number = sampleLimits.default): Promise<Row[]> {
      await discoveredSchema(row, schemaId);
      const capped = Math.min(Math.max(1, Math.trunc(limit)), sampleLimits.max);
      return withFacet(deps.connections, row, 'bulkSource', (source) =>
        sampleRecords(inline, source, schemaId, capped),
      );
    },

    /** Adds the fields, replacing user fields with the same id. */
    async upsertFields(
      row: ConnectionRow,
      schemaId: string,
      fields: Array<Omit<UserField, 'type'> & { type: string }>,
    ): Promise<void> {
      await discoveredSchema(row, schemaId);
      const checked = fields.map(
        (field, index): UserField => ({ ...field, type: checkType(field.type, `fields[${index}].type`) }),
      );
      const overrides = await overridesOf(row, schemaId);
      const incoming = new Set(checked.map((field) => field.field_id));
      overrides.userFields = [...overrides.userFields.filter((field) => !incoming.has(field.field_id)), ...checked];
      await saveOverrides(row, schemaId, overrides);
    },

    /** Changes only the properties sent: on a user field in place, on a discovered field as a kept patch. */
    async patchField(
      row: ConnectionRow,
      schemaId: string,
      fieldId: string,
      patch: FieldPatch & { type?: string },
    ): Promise<CatalogField> {
      const discoveredSchemaNow = await discoveredSchema(row, schemaId);
      if (patch.type !== undefined) checkType(patch.type, 'type');
      const overrides = await overridesOf(row, schemaId);
      const userField = overrides.userFields.find((field) => field.field_id === fieldId);
      if (userField) Object.assign(userField, patch);
      else if (discoveredSchemaNow.fields.some((field) => field.id === fieldId))
        overrides.patches[fieldId] = { ...overrides.patches[fieldId], ...patch } as FieldPatch;
      else throw notFound(`field ${fieldId}`);
      await saveOverrides(row, schemaId, overrides);
      return mergeSchema(discoveredSchemaNow, overrides).fields.find((field) => field.id === fieldId)!;
    },

    /** Removes a user-added field; a discovered field loses its patch. */
    async deleteField(row: ConnectionRow, schemaId: string, fieldId: string): Promise<void> {
      const discoveredSchemaNow = await discoveredSchema(row, schemaId);
      const overrides = await overridesOf(row, schemaId);
      const before = overrides.userFields.length;
      overrides.userFields = overrides.userFields.filter((field) => field.field_id !== fieldId);
      if (overrides.userFields.length === before) {
        if (!discoveredSchemaNow.fields.some((field) => field.id === fieldId)) throw notFound(`field ${fieldId}`);
        if (!overrides.patches[fieldId]) {
          throw new DomainError(
            'precondition_failed',
            `Field ${fieldId} was discovered from the source; only fields users added can be deleted.`,
            { details: { field: 'field_id' } },
          );
        }
        delete overrides.patches[fieldId];
      }
      await saveOverrides(row, schemaId, overrides);
    },

    /** Sets or clears the primary-key flag of each field named, starting from the keys in effect now. */
    async setPrimaryKeys(
      row: ConnectionRow,
      schemaId: string,
      changes: Array<{ field_id: string; is_primary_key: boolean }>,
    ): Promise<void> {
      const current = await get(row, schemaId);
      const known = new Set(current.fields.map((field) => field.id));
      changes.forEach((change, index) => {
        if (!known.has(change.field_id))
          throw new DomainError(
            'not_found',
            `fields[${index}].field_id: schema ${schemaId} has no field ${change.field_id}`,
            { details: { field: `fields[${index}].field_id` } },
          );
      });
      const keys = new Set(current.fields.filter((field) => field.is_primary_key).map((field) => field.id));
      for (const change of changes) {
        if (change.is_primary_key) keys.add(change.field_id);
        else keys.delete(change.field_id);
      }
      const overrides = await overridesOf(row, schemaId);
      overrides.primaryKeys = current.fields.map((field) => field.id).filter((id) => keys.has(id));
      await saveOverrides(row, schemaId, overrides);
    },

    /** Back to the keys the source reports. */
    async resetPrimaryKeys(row: ConnectionRow, schemaId: string): Promise<void> {
      await discoveredSchema(row, schemaId);
      const overrides = await overridesOf(row, schemaId);
      overrides.primaryKeys = null;
      await saveOverrides(row, schemaId, overrides);
    },
  };
}

export type SchemaCatalog = ReturnType<typeof schemaCatalog>;
