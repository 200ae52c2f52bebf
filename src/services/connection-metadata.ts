// What a connection offers to the sync builders: its bulk-sync source and destination descriptions, the tables and
// fields a model can be built on, and the model-sync target objects with their fields and modes. Everything is
// read from the connector through its facets; nothing here is stored.
import { DomainError, invalidField, notFound } from '../domain/domain-error.ts';
import type { RunContext } from '../domain/run-context.ts';
import { silentLogger } from '../domain/run-context.ts';
import type { TargetField, TargetObject } from '../connectors/connector.ts';
import type { ConnectionRow } from '../persistence/repositories/connections-repository.ts';
import type { ConnectionsService } from './connections-service.ts';
import { withFacet } from './connection-facets.ts';
import type { SchemaCatalog } from './schema-catalog.ts';

/** SupportedBulkMode values (the API's bulk-sync modes). */
const bulkModes = [
  {
    id: 'replicate',
    label: 'Replicate',
    description: 'Keep destination tables equal to the source: upserts by primary key and deletes where detectable.',
    requires_identity: true,
    supports_field_sync_mode: false,
    supports_target_filters: false,
  },
  {
    id: 'snapshot',
    label: 'Snapshot',
    description: 'Append a full copy of each table per execution, with an execution timestamp column.',
    requires_identity: false,
    supports_field_sync_mode: false,
    supports_target_filters: false,
  },
];

/** ModelsyncSyncTargetMode ids → Mode descriptions. */
const targetModes: Record<string, { label: string; description: string; requires_identity: boolean }> = {
  create: { label: 'Create', description: 'Insert new records only.', requires_identity: false },
  update: { label: 'Update', description: 'Update records that match on the identity field.', requires_identity: true },
  updateOrCreate: {
    label: 'Update or create',
    description: 'Update matching records and insert the rest.',
    requires_identity: true,
  },
  replace: { label: 'Replace', description: 'Replace the target contents with the model.', requires_identity: false },
  append: { label: 'Append', description: 'Append every record.', requires_identity: false },
  remove: { label: 'Remove', description: 'Delete records that match on the identity field.', requires_identity: true },
  snapshot: {
    label: 'Snapshot',
    description: 'Write the whole model each run as a new snapshot.',
    requires_identity: false,
  },
};

/** Identity functions a field that supports identity can match with (SchemaIdentityFunction). */
const identityFunctions = [{ id: 'equality', label: 'Equals' }];

/** `params` arrives as a JSON string of Record<string, string[]>; single strings are accepted too. */
export function parseParams(raw: unknown): Record<string, string[]> {
  if (raw === undefined || raw === '') return {};
  let parsed: unknown = raw;
  if (typeof raw === 'string') {
    try {
      parsed = JSON.parse(raw);
    } catch (error: unknown) {
      throw new DomainError('malformed', 'params: must be a JSON object, e.g. {"query":["select 1"]}', {
        details: { field: 'params' },
        cause: error,
      });
    }
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw invalidField('params', 'must be a JSON object of string lists');
  const params: Record<string, string[]> = {};
  for (const [key, value] of Object.entries(parsed)) {
    const values = Array.isArray(value) ? value : [value];
    if (!values.every((item) => typeof item === 'string'))
      throw invalidField(`params.${key}`, 'must be a string or a list of strings');
    params[key] = values as string[];
  }
  return params;
}

function modeList(object: TargetObject) {
  return object.modes.map((mode) => ({
    id: mode,
    requires_identity: targetModes[mode]?.requires_identity ?? false,
    supports_per_field_mode: false,
    supports_target_filters: false,
  }));
}

export function connectionMetadata(deps: { connections: Pick<ConnectionsService, 'open'>; catalog: SchemaCatalog }) {
  const { connections, catalog } = deps;
  const context: RunContext = { signal: new AbortController().signal, log: silentLogger, heartbeat() {} };

  async function findTarget(
    row: ConnectionRow,
    objectId: string,
  ): Promise<{ object: TargetObject; fields: TargetField[] }> {
    return withFacet(connections, row, 'modelTarget', async (target) => {
      const object = (await target.listObjects(context)).find((candidate) => candidate.id === objectId);
      if (!object)
        throw new DomainError('not_found', `target ${objectId} not found on connection "${row.name}"`, {
          details: { field: 'target' },
        });
      return { object, fields: await target.describeObject(context, objectId) };
    });
  }

  return {
    /** BulkSyncSource. Fields only with include_fields (they can be large). */
    async bulkSource(row: ConnectionRow, includeFields: boolean) {
      await withFacet(connections, row, 'bulkSource', async () => undefined);
      const schemas = await catalog.list(row);
      return {
        capabilities: { supports_tracking_fields: true },
        configuration: {},
        schemas: schemas.map((schema) => ({
          id: schema.id,
          name: schema.name,
          ...(includeFields
            ? {
                fields: schema.fields.map(({ id, name, type, remote_type, is_primary_key }) => ({
                  id,
                  name,
                  type,
                  remote_type,
                  is_primary_key,
                })),
              }
            : {}),
        })),
      };
    },

    /** BulkSyncDest. */
    async bulkDestination(row: ConnectionRow) {
      await withFacet(connections, row, 'bulkDestination', async () => undefined);
      return { configuration: {}, modes: bulkModes, supported_resync_modes: ['refetch', 'resync', 'rebuild'] };
    },

    /** SyncSourceMetaResponse: a model is a SQL query, or a table picked from the list. */
    async modelSource(row: ConnectionRow, rawParams: unknown) {
      parseParams(rawParams);
      await withFacet(connections, row, 'modelSource', async () => undefined);
      const tables = (await catalog.list(row).catch(() => [])).map((schema) => ({ id: schema.id, name: schema.name }));
      return {
        configuration: { query: { type: 'string' }, table: { type: 'string', items: tables.map((table) => table.id) } },
        items: { table: { has_items: tables.length > 0, items: tables } },
        requires_one_of: ['query', 'table'],
      };
    },

    /** ModelField[] of `params.query` (described without running it in full) or of `params.table`. */
    async modelSourceFields(row: ConnectionRow, rawParams: unknown) {
      const params = parseParams(rawParams);
      const query = params.query?.[0];
      const table = params.table?.[0];
      if (query) {
        const fields = await withFacet(connections, row, 'modelSource', (source) =>
          source.describeQuery(context, query),
        );
        return fields.map((field) => ({
          id: field.id,
          name: field.name,
          label: field.name,
          type: field.type,
          remote_type: field.remote_type,
          unique: false,
          user_added: false,
        }));
      }
      if (table) {
        await withFacet(connections, row, 'modelSource', async () => undefined);
        const schema = await catalog.get(row, table);
        return schema.fields.map((field) => ({
          id: field.id,
          name: field.name,
          label: field.name,
          type: field.type,
          remote_type: field.remote_type,
          unique: field.is_primary_key,
          user_added: field.user_added,
        }));
      }
      throw invalidField(
        'params',
        'needs "query" (SQL) or "table" (a table id from the model source), e.g. {"query":["select 1"]}',
      );
    },

    /** TargetObjectsResponseEnvelope body: objects with their modes; Ferry's targets cannot create objects. */
    async targetObjects(row: ConnectionRow) {
      const objects = await withFacet(connections, row, 'modelTarget', (target) => target.listObjects(context));
      return {
        data: objects.map((object) => ({ id: object.id, name: object.name, modes: modeList(object) })),
        target_creation: { supported: false, properties: [] },
      };
    },

    /** TargetResponse for one object. */
    async targetFields(row: ConnectionRow, objectId: string) {
      const { object, fields } = await findTarget(row, objectId);
      return {
        id: object.id,
        name: object.name,
        fields: fields.map((field) => ({
          id: field.id,
          name: field.name,
          type: field.type,
          source_type: field.source_type,
          required: field.required,
          createable: field.createable,
          updateable: field.updateable,
          supports_identity: field.supports_identity,
          filterable: false,
          association: false,
          encryptable: false,
          identity_functions: field.supports_identity ? identityFunctions : [],
        })),
        modes: object.modes.map((mode) => ({
          mode,
          label: targetModes[mode]?.label ?? mode,
          description: targetModes[mode]?.description ?? '',
          requires_identity: targetModes[mode]?.requires_identity ?? false,
          supports_field_sync_mode: false,
          supports_target_filters: false,
        })),
        properties: {
          supports_field_creation: true,
          supports_field_type_selection: true,
          supports_identity_field_creation: false,
          supports_target_filters: false,
          target_creator: false,
          requires_configuration: false,
        },
        refreshed_at: new Date().toISOString(),
      };
    },

    /**
     * TargetPropertyValues of a target-creation property. Ferry's targets create no objects (target_creation
     * says so), so there is no such property: 404, as the spec says for connections that cannot create targets.
     */
    async createProperty(row: ConnectionRow, property: string): Promise<never> {
      await withFacet(connections, row, 'modelTarget', async () => undefined);
      throw notFound(
        `target-creation property ${property} (connections of type ${row.type} cannot create target objects)`,
      );
    },

    /** 2024-02-08 ConnectionMetaResponse (GET …/modelsync/target): the target objects, filtered by `search`. */
    async legacyTarget(row: ConnectionRow, search: string | undefined) {
      const objects = await withFacet(connections, row, 'modelTarget', (target) => target.listObjects(context));
      const needle = search?.toLowerCase();
      const items = objects.filter(
        (object) => !needle || object.name.toLowerCase().includes(needle) || object.id.toLowerCase().includes(needle),
      );
      return {
        configuration: { target: { type: 'string', items: items.map((object) => object.id) } },
        items: {
          target: { has_items: items.length > 0, items: items.map((object) => ({ id: object.id, name: object.name })) },
        },
        requires_one_of: ['target'],
      };
    },
  };
}

export type ConnectionMetadata = ReturnType<typeof connectionMetadata>;
