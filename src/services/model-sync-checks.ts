// The checks a model sync passes before it is stored, each failing with an unprocessable error that names the field
// at fault. The mode and filter rules are the engine's own (mode-rules.ts, identity-key.ts, record-filter.ts), so a
// saved sync does not fail its execution's plan check for a reason the API could have told at save time.
import type { AppContext } from '../app-context.ts';
import { DomainError, unprocessableField } from '../domain/domain-error.ts';
import { Capability, type TargetField, type TargetObject } from '../connectors/connector.ts';
import type { UtilFieldType } from '../connectors/records.ts';
import { FilterLogicError } from '../engine/model-sync/filter-logic.ts';
import { supportedIdentityFunctions } from '../engine/model-sync/identity-key.ts';
import { modeRules } from '../engine/model-sync/mode-rules.ts';
import type {
  Filter,
  Identity,
  Override,
  SourceField,
  SyncField,
  SyncMode,
} from '../engine/model-sync/model-sync-plan.ts';
import { compileRecordFilter } from '../engine/model-sync/record-filter.ts';
import { silentLogger, type RunContext } from '../domain/run-context.ts';
import type { ConnectionsService } from './connections-service.ts';

/** The parts of a sync request the checks read (spec wire names). */
export interface ModelSyncInput {
  mode: SyncMode;
  fields: Array<SyncField & { new?: boolean }>;
  override_fields?: Array<SyncField & { new?: boolean }>;
  overrides?: Override[];
  filters?: Filter[];
  filter_logic?: string;
  identity?: Identity & { new_field?: boolean };
  target: { connection_id: string; object?: string };
}

export interface ModelSyncCheckDependencies {
  repositories: AppContext['repositories'];
  connectors: AppContext['connectors'];
  connections: Pick<ConnectionsService, 'open'>;
}

const unprocessable = unprocessableField;

/** Every model-field reference of the request, with its path, in the order the request gives them. */
function modelReferences(input: ModelSyncInput): Array<{ path: string; source: SourceField }> {
  const references: Array<{ path: string; source: SourceField }> = [];
  const mappings = (list: SyncField[] | undefined, name: string) => {
    for (const [index, field] of (list ?? []).entries())
      if (field.source) references.push({ path: `${name}[${index}].source`, source: field.source });
  };
  mappings(input.fields, 'fields');
  mappings(input.override_fields, 'override_fields');
  if (input.identity) references.push({ path: 'identity.source', source: input.identity.source });
  for (const [index, filter] of (input.filters ?? []).entries())
    if (filter.field) references.push({ path: `filters[${index}].field`, source: filter.field });
  for (const [index, override] of (input.overrides ?? []).entries())
    if (override.field) references.push({ path: `overrides[${index}].field`, source: override.field });
  return references;
}

/** The one model the sync reads: every source.model_id must name it (Ferry does not join models). */
async function checkModel(dependencies: ModelSyncCheckDependencies, organizationId: string, input: ModelSyncInput) {
  const references = modelReferences(input).filter((reference) => reference.source.model_id);
  const first = references[0];
  if (!first)
    throw unprocessable('fields', 'at least one field must read a model field (source.field and source.model_id)');
  const other = references.find((reference) => reference.source.model_id !== first.source.model_id);
  if (other) {
    throw unprocessable(
      `${other.path}.model_id`,
      `a sync reads one model; ${first.path}.model_id names ${first.source.model_id} and this names another (Ferry does not join models)`,
    );
  }
  const model = await dependencies.repositories.models.get(organizationId, first.source.model_id!);
  if (!model) throw unprocessable(`${first.path}.model_id`, `no model ${first.source.model_id} in this organization`);
  const fields = new Map(
    (JSON.parse(model.fields) as Array<{ id: string; name?: string; type?: string }>).map((field) => [field.id, field]),
  );

  const requireField = (path: string, name: string | undefined) => {
    if (!name) throw unprocessable(path, 'names no model field');
    if (!fields.has(name)) throw unprocessable(path, `model "${model.name}" has no field ${name}`);
  };
  const mappings = (list: SyncField[] | undefined, name: string) =>
    list?.forEach((field, index) => {
      if (field.override_value !== undefined) return;
      if (!field.source) throw unprocessable(`${name}[${index}].source`, 'is required unless override_value is set');
      requireField(`${name}[${index}].source.field`, field.source.field);
    });
  mappings(input.fields, 'fields');
  mappings(input.override_fields, 'override_fields');
  if (input.identity) requireField('identity.source.field', input.identity.source.field);
  input.filters?.forEach((filter, index) => {
    if (filter.field_type !== 'Target')
      requireField(
        filter.field ? `filters[${index}].field.field` : `filters[${index}].field_id`,
        filter.field?.field ?? filter.field_id,
      );
  });
  input.overrides?.forEach((override, index) => {
    requireField(
      override.field ? `overrides[${index}].field.field` : `overrides[${index}].field_id`,
      override.field?.field ?? override.field_id,
    );
  });
  return { id: model.id, fieldTypes: new Map([...fields].map(([id, field]) => [id, field.type])) };
}

/** The mode's identity rule and the filters, as the engine's plan check will read them. */
function checkRules(input: ModelSyncInput): void {
  const rule = modeRules[input.mode];
  if (rule.keyedBy === 'identity') {
    if (!input.identity)
      throw unprocessable('identity', `is required for mode ${input.mode} (only append and snapshot run without one)`);
    if (!supportedIdentityFunctions.includes(input.identity.function)) {
      throw unprocessable(
        'identity.function',
        `${input.identity.function} is not supported; Ferry matches identities with ${supportedIdentityFunctions.join(' or ')}`,
      );
    }
  }
  try {
    compileRecordFilter(input, new Date());
  } catch (error: unknown) {
    if (error instanceof FilterLogicError)
      throw new DomainError('unprocessable', error.message, { details: { field: 'filter_logic' }, cause: error });
    if (error instanceof TypeError)
      throw new DomainError('unprocessable', `filters: ${error.message}`, {
        details: { field: 'filters' },
        cause: error,
      });
    throw error;
  }
  const seen = new Map<string, string>();
  for (const [name, list] of [
    ['fields', input.fields],
    ['override_fields', input.override_fields ?? []],
  ] as const) {
    list.forEach((field, index) => {
      const path = `${name}[${index}].target`;
      const earlier = seen.get(field.target);
      if (earlier) throw unprocessable(path, `target field ${field.target} is already written by ${earlier}`);
      seen.set(field.target, path);
    });
  }
  input.filters?.forEach((filter, index) => {
    if (filter.field_type !== 'Target') return;
    const name = filter.field_id ?? filter.field?.field;
    if (!name || !seen.has(name))
      throw unprocessable(
        `filters[${index}].field_id`,
        `a Target filter tests a mapped target field; ${name ?? '(none)'} is not mapped`,
      );
  });
}

interface TargetDescription {
  object: TargetObject;
  /** Empty for a free-form target (a webhook): any field name is accepted. */
  fields: TargetField[];
}

/** Opens the target, checks the object, its modes and fields, and creates the fields marked `new`. */
async function checkTarget(
  dependencies: ModelSyncCheckDependencies,
  organizationId: string,
  input: ModelSyncInput,
  fieldTypes: Map<string, string | undefined>,
): Promise<void> {
  const row = await dependencies.repositories.connections.get(organizationId, input.target.connection_id);
  if (!row)
    throw unprocessable('target.connection_id', `no connection ${input.target.connection_id} in this organization`);
  const connector = dependencies.connectors.get(row.type);
  if (!connector?.capabilities.includes(Capability.modelTarget))
    throw unprocessable('target.connection_id', `a ${row.type} connection cannot be a model-sync target`);
  const objectId = input.target.object;
  if (!objectId)
    throw unprocessable(
      'target.object',
      'is required: Ferry writes into an existing object (GET /api/connections/{id}/modelsync/targetobjects lists them)',
    );

  const context: RunContext = { signal: AbortSignal.timeout(30_000), log: silentLogger, heartbeat() {} };
  const connection = await dependencies.connections.open(row);
  try {
    const target = connection.modelTarget!;
    let description: TargetDescription;
    try {
      const object = (await target.listObjects(context)).find((candidate) => candidate.id === objectId);
      if (!object) throw unprocessable('target.object', `connection "${row.name}" has no target object ${objectId}`);
      description = { object, fields: await target.describeObject(context, objectId) };
    } catch (error: unknown) {
      if (error instanceof DomainError) throw error;
      throw new DomainError(
        'unprocessable',
        `target.connection_id: could not read the target: ${(error as Error).message}`,
        { details: { field: 'target.connection_id' }, cause: error },
      );
    }
    const missingModes = modeRules[input.mode].targetModes.filter((mode) => !description.object.modes.includes(mode));
    if (missingModes.length > 0) {
      throw unprocessable(
        'mode',
        `${input.mode} needs the target object to support ${missingModes.join(' and ')}; ${objectId} supports ${description.object.modes.join(', ')}`,
      );
    }
    const toCreate = checkTargetFields(input, description);
    for (const field of toCreate) {
      const type = (fieldTypes.get(field.source?.field ?? '') ?? 'string') as UtilFieldType;
      try {
        await target.createField(context, objectId, { id: field.target, type });
      } catch (error: unknown) {
        throw new DomainError(
          'unprocessable',
          `${field.path}: could not create target field ${field.target}: ${(error as Error).message}`,
          { details: { field: field.path }, cause: error },
        );
      }
    }
  } finally {
    await connection.close().catch(() => {});
  }
}

/** The mapped fields the object lacks and that are marked `new` (to create); any other missing one is unprocessable. */
function checkTargetFields(input: ModelSyncInput, description: TargetDescription): Array<SyncField & { path: string }> {
  // An object that lists no fields takes any field (a webhook, an empty JSON Lines file); only the fields marked
  // `new` are created on it (a file gets its columns that way).
  const schemaless = description.fields.length === 0;
  const known = new Map(description.fields.map((field) => [field.id, field]));
  const toCreate: Array<SyncField & { path: string }> = [];
  for (const [name, list] of [
    ['fields', input.fields],
    ['override_fields', input.override_fields ?? []],
  ] as const) {
    list.forEach((field, index) => {
      if (known.has(field.target)) return;
      const path = `${name}[${index}].target`;
      if (field.new) toCreate.push({ ...field, path });
      else if (!schemaless)
        throw unprocessable(
          path,
          `target object ${description.object.id} has no field ${field.target} (set new: true to create it)`,
        );
    });
  }
  const identity = input.identity;
  if (identity && !schemaless) {
    const field = known.get(identity.target);
    const mappedNew = toCreate.some((created) => created.target === identity.target);
    if (!field && !mappedNew)
      throw unprocessable(
        'identity.target',
        `target object ${description.object.id} has no field ${identity.target}; identity fields are not created`,
      );
    // Only modes that find target records by identity (update, upsert, delete) need a field that can identify one;
    // create inserts and keys its own state by the identity, so any field will do.
    const rule = modeRules[input.mode];
    const findsByIdentity = rule.whenNew !== 'insert' || rule.whenChanged !== undefined || rule.deleteUnseen;
    if (field && findsByIdentity && !field.supports_identity)
      throw unprocessable('identity.target', `field ${identity.target} cannot identify records`);
  }
  return toCreate;
}

/** Runs every check; returns the model the sync reads. Target fields marked `new` exist afterwards. */
export async function checkModelSync(
  dependencies: ModelSyncCheckDependencies,
  organizationId: string,
  input: ModelSyncInput,
): Promise<{ modelId: string }> {
  const model = await checkModel(dependencies, organizationId, input);
  checkRules(input);
  await checkTarget(dependencies, organizationId, input, model.fieldTypes);
  return { modelId: model.id };
}
