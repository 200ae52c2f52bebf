// Model use cases: check the request, detect the fields by asking the source about the model's SQL (the same
// call as GET …/modelsync/source/fields), store, sample and delete. A model whose SQL the source refuses is
// unprocessable, with the source's own message.
import { randomUUID } from 'node:crypto';
import type { AppContext } from '../app-context.ts';
import type { Principal } from './principal.ts';
import { DomainError, invalidField, notFound } from '../domain/domain-error.ts';
import { ConnectorError } from '../connectors/connector-error.ts';
import type { Row } from '../connectors/records.ts';
import type { RunContext } from '../domain/run-context.ts';
import type { ConnectionRow } from '../persistence/repositories/connections-repository.ts';
import type { ModelRow } from '../persistence/repositories/models-repository.ts';
import { nowIso } from '../persistence/repositories/clock.ts';
import { actorOf } from './actor.ts';
import { connectionMetadata } from './connection-metadata.ts';
import type { ConnectionsService } from './connections-service.ts';
import { withFacet } from './connection-facets.ts';
import { type AdditionalFieldInput, type DetectedField, modelFields } from './model-fields.ts';
import {
  type Model,
  type ModelConfiguration,
  type ModelField,
  type ModelSettings,
  modelFromRow,
} from './model-record.ts';
import { modelQuery } from './model-source.ts';
import { schemaCatalog } from './schema-catalog.ts';

/** CreateModelRequest (UpdateModelRequest has the same fields plus `refresh`). */
export interface ModelInput extends ModelSettings {
  name: string;
  connection_id: string;
  configuration: Record<string, unknown>;
  organization_id?: string;
  identifier?: string;
  fields?: string[];
  additional_fields?: AdditionalFieldInput[];
  labels?: string[];
}

/** One sampled record: field values grouped by where they come from (the model's id, or an enricher's). */
type SampleRecord = Record<string, Row>;

/** Records per sample (GET /api/models/{id}/sample). 10, as the schema sample endpoints default to. */
const sampleSize = 10;

/** Values as JSON can carry them: binary as base64, 64-bit integers as text. */
function jsonValue(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  return value;
}

/** The configuration GET …/modelsync/source advertises: exactly one of `query` (SQL) or `table` (a table id). */
function checkConfiguration(configuration: Record<string, unknown>): ModelConfiguration {
  const { query, table, ...rest } = configuration;
  const unknownKey = Object.keys(rest)[0];
  if (unknownKey !== undefined)
    throw invalidField(
      `configuration.${unknownKey}`,
      'is not a model setting; give `query` (SQL) or `table` (a table id from GET /api/connections/{id}/modelsync/source)',
    );
  if (query !== undefined && table !== undefined)
    throw invalidField('configuration', 'give either `query` or `table`, not both');
  if (typeof query === 'string' && query.trim()) return { query };
  if (typeof table === 'string' && table.trim()) return { table };
  const field =
    query !== undefined ? 'configuration.query' : table !== undefined ? 'configuration.table' : 'configuration';
  throw invalidField(
    field,
    'needs a non-empty `query` (SQL) or `table` (a table id from GET /api/connections/{id}/modelsync/source)',
  );
}

function checkName(name: string): void {
  if (!name.trim()) throw invalidField('name', 'must not be empty');
}

/** Why the source could not describe the model, as an unprocessable error naming the configuration key. */
function sourceRefusal(error: unknown, configuration: ModelConfiguration): unknown {
  if (!(error instanceof DomainError)) return error;
  if (error.details?.reason === 'capability_missing')
    return new DomainError('unprocessable', `connection_id: ${error.message}`, {
      details: { field: 'connection_id', reason: 'capability_missing' },
      cause: error,
    });
  const connectorError = error.cause instanceof ConnectorError ? error.cause : undefined;
  const isMissingTable = configuration.table !== undefined && error.kind === 'not_found';
  if (!connectorError && !isMissingTable) return error;
  const field = configuration.query !== undefined ? 'configuration.query' : 'configuration.table';
  return new DomainError('unprocessable', error.message, {
    details: { field, ...(connectorError ? { reason: connectorError.code } : {}) },
    cause: error,
  });
}

export function modelsService(context: AppContext, connections: ConnectionsService) {
  const { repositories } = context;
  const metadata = connectionMetadata({
    connections,
    catalog: schemaCatalog({ repositories, connections, jobs: context.jobs, clock: context.clock }),
  });

  async function sourceConnection(organizationId: string, connectionId: string): Promise<ConnectionRow> {
    const row = await repositories.connections.get(organizationId, connectionId);
    if (!row)
      throw new DomainError('not_found', `connection_id: connection ${connectionId} not found`, {
        details: { field: 'connection_id' },
      });
    return row;
  }

  async function detect(row: ConnectionRow, configuration: ModelConfiguration): Promise<DetectedField[]> {
    const params =
      configuration.query !== undefined ? { query: [configuration.query] } : { table: [configuration.table] };
    try {
      return (await metadata.modelSourceFields(row, params)).map((field) => ({
        ...field,
        unique: field.unique ?? false,
        user_added: field.user_added ?? false,
      }));
    } catch (error: unknown) {
      throw sourceRefusal(error, configuration);
    }
  }

  /** Everything but the row's identity: checked, detected and ready to store. */
  async function build(organizationId: string, input: ModelInput, previous: ModelField[] = []) {
    checkName(input.name);
    const configuration = checkConfiguration(input.configuration);
    const connection = await sourceConnection(organizationId, input.connection_id);
    const now = nowIso(context.clock);
    const { fields, identifier } = modelFields(await detect(connection, configuration), input, previous, now);
    const settings: ModelSettings = {};
    for (const key of ['labels', 'tracking_columns', 'policies', 'relations', 'enricher'] as const)
      if (input[key] !== undefined) Object.assign(settings, { [key]: input[key] });
    return {
      name: input.name,
      connection_id: connection.id,
      type: connection.type,
      configuration,
      identifier,
      fields,
      settings,
      now,
    };
  }

  function toRow(model: Model): ModelRow {
    return {
      ...model,
      configuration: JSON.stringify(model.configuration),
      fields: JSON.stringify(model.fields),
      settings: JSON.stringify(model.settings),
    };
  }

  async function requireModel(caller: Principal, id: string): Promise<Model> {
    const row = await repositories.models.get(caller.organizationId, id);
    if (!row) throw notFound('model');
    return modelFromRow(row);
  }

  return {
    requireModel,
    /** The cheap checks, for answering an async request at once: name, configuration shape, connection. */
    async precheck(organizationId: string, input: ModelInput): Promise<void> {
      checkName(input.name);
      checkConfiguration(input.configuration);
      await sourceConnection(organizationId, input.connection_id);
    },

    async create(caller: Principal, organizationId: string, input: ModelInput): Promise<Model> {
      const { now, ...built } = await build(organizationId, input);
      const actor = JSON.stringify(actorOf(caller));
      const model: Model = {
        id: randomUUID(),
        organization_id: organizationId,
        ...built,
        version: 1,
        created_at: now,
        created_by: actor,
        updated_at: now,
        updated_by: actor,
      };
      await repositories.models.insert(toRow(model));
      return model;
    },

    /** The model `input` describes, with its fields, stored nowhere. Takes a caller as create does, and needs none. */
    async preview(
      _caller: Principal,
      organizationId: string,
      input: ModelInput,
    ): Promise<Omit<Model, 'id' | 'created_by' | 'updated_by'>> {
      const { now, ...built } = await build(organizationId, input);
      return { organization_id: organizationId, ...built, version: 0, created_at: now, updated_at: now };
    },

    /** A full replacement (omitted settings are cleared); the version goes up by one. */
    async update(caller: Principal, id: string, input: ModelInput): Promise<Model> {
      const current = await requireModel(caller, id);
      const { now, ...built } = await build(caller.organizationId, input, current.fields);
      const model: Model = {
        ...current,
        ...built,
        version: current.version + 1,
        updated_at: now,
        updated_by: JSON.stringify(actorOf(caller)),
      };
      const { id: _id, organization_id: _organization, ...changes } = toRow(model);
      await repositories.models.update(caller.organizationId, id, changes);
      return model;
    },

    /** The stored model with its fields as the source describes them now (nothing is stored). */
    async refreshed(caller: Principal, id: string): Promise<Model> {
      const current = await requireModel(caller, id);
      const connection = await sourceConnection(caller.organizationId, current.connection_id);
      const detected = await detect(connection, current.configuration);
      const selection = {
        fields: current.fields.filter((field) => !field.user_added).map((field) => field.id),
        identifier: current.identifier ?? undefined,
      };
      const refreshed = modelFields(detected, selection, current.fields, nowIso(context.clock));
      return { ...current, fields: [...refreshed.fields, ...current.fields.filter((field) => field.user_added)] };
    },

    /**
     * Up to `sampleSize` records of the model, each as the spec's SampleRecord: the model's id → its field ids →
     * values (enrichers' fields would sit under their own ids, so names never clash); warnings say what was left out.
     */
    async sample(
      caller: Principal,
      id: string,
      run: RunContext,
    ): Promise<{ records: SampleRecord[]; warnings: string[] }> {
      const model = await requireModel(caller, id);
      const connection = await sourceConnection(caller.organizationId, model.connection_id);
      const query = modelQuery(context.connectors, connection.type, model.configuration);
      const exposed = model.fields.filter((field) => !field.user_added).map((field) => field.id);
      const warnings: string[] = [];
      const records: SampleRecord[] = [];
      const yielded = new Set<string>();
      try {
        await withFacet(connections, connection, 'modelSource', async (source) => {
          for await (const batch of source.readQuery(run, query, { limit: sampleSize, batchSize: sampleSize })) {
            for (const record of batch) for (const key of Object.keys(record)) yielded.add(key);
            for (const record of batch)
              records.push({
                [model.id]: Object.fromEntries(exposed.map((field) => [field, jsonValue(record[field])])),
              });
          }
        });
      } catch (error: unknown) {
        throw sourceRefusal(error, model.configuration);
      }
      if (records.length > 0) {
        const missing = exposed.filter((field) => !yielded.has(field));
        if (missing.length)
          warnings.push(`The source no longer yields ${missing.join(', ')}; update the model to refresh its fields.`);
      }
      if (model.fields.some((field) => field.user_added))
        warnings.push('User-added fields have no values in a sample: they are filled by syncs, not by the source.');
      return { records, warnings };
    },

    /** A conflict while a model sync reads from the model. */
    async delete(caller: Principal, id: string): Promise<void> {
      await requireModel(caller, id);
      const syncs = await repositories.models.syncsUsing(caller.organizationId, id);
      if (syncs.length) {
        throw new DomainError(
          'conflict',
          `Model ${id} is used by ${syncs.length === 1 ? 'model sync' : 'model syncs'} ${syncs.join(', ')}; delete or change ${syncs.length === 1 ? 'it' : 'them'} first.`,
          { details: { sync_ids: syncs } },
        );
      }
      await repositories.models.delete(caller.organizationId, id);
    },
  };
}

export type ModelsService = ReturnType<typeof modelsService>;
