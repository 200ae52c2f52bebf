// Table types for Kysely. One schema for SQLite and PostgreSQL: ids are UUID text, timestamps are ISO-8601
// UTC text (sortable and identical on both dialects), JSON is text, booleans are 0/1 integers.
import type { Generated } from 'kysely';

export interface PartnersTable {
  id: string;
  name: string;
  owner_organization_id: string | null;
  created_at: string;
}

export interface OrganizationsTable {
  id: string;
  partner_id: string;
  name: string;
  sso_domain: string | null;
  sso_org_id: string | null;
  issuer: string | null;
  client_id: string | null;
  /** AES-256-GCM sealed (persistence/secret-box.ts). */
  client_secret_sealed: string | null;
  created_at: string;
  updated_at: string;
}

interface UsersTable {
  id: string;
  organization_id: string;
  email: string;
  role: string | null;
  /** JSON array of role ids. */
  role_ids: string;
  created_at: string;
  updated_at: string;
}

export type ApiKeyKind = 'partner' | 'user' | 'organization';

export interface ApiKeysTable {
  id: string;
  kind: ApiKeyKind;
  partner_id: string;
  organization_id: string | null;
  user_id: string | null;
  /** SHA-256 of the key, hex. Keys have 192 bits of entropy, so a fast hash is enough. */
  key_hash: string;
  /** The first characters of the key, to tell keys apart in listings. */
  key_prefix: string;
  label: string | null;
  created_at: string;
  revoked_at: string | null;
}

export interface IdempotencyKeysTable {
  /** The organization id, or `partner:<id>` for partner credentials. */
  scope: string;
  key: string;
  /** SHA-256 over version, method, path and body. */
  fingerprint: string;
  state: 'in_flight' | 'completed';
  response_status: number | null;
  response_body: string | null;
  response_version: string | null;
  created_at: string;
  expires_at: string;
}

/** Installation-wide facts, e.g. the fingerprint of the secret key the data was sealed with. */
interface SettingsTable {
  name: string;
  value: string;
}

/** A row's revision: a number on SQLite, a bigint's text on PostgreSQL. Compared only for equality. */
export type RowRevision = number | string;

export interface ConnectionsTable {
  id: string;
  organization_id: string;
  name: string;
  type: string;
  /** The whole configuration as sealed JSON; null for a shared copy, which uses its parent's. */
  configuration_sealed: string | null;
  parent_connection_id: string | null;
  /** JSON array of policy ids. */
  policies: string;
  healthcheck_interval: string | null;
  /** healthy | unhealthy | untested */
  status: string;
  status_error: string | null;
  created_at: string;
  /** JSON OutputActor {id, name, type}. */
  created_by: string | null;
  updated_at: string;
  updated_by: string | null;
  /** Replaced with a new random value by the database on every insert and update (migration 0015); Ferry never sets it. */
  revision?: RowRevision;
}

interface ProxyCallsTable {
  id: string;
  connection_id: string;
  organization_id: string;
  method: string;
  path: string;
  status: number;
  error_key: string | null;
  upstream: number;
  duration_ms: number;
  request_bytes: number;
  response_bytes: number;
  truncated: number;
  at: string;
}

/** Model-sync change detection: what was last delivered per sync and identity (src/engine/model-sync/state/). */
interface ModelSyncRecordStatesTable {
  sync_id: string;
  identity_key: string;
  hash: string;
  /** JSON of the target identity fields and values. */
  identity: string;
  /** The last execution that found this key in the model (replace mode finds the rest to delete). */
  seen_execution_id: string | null;
  updated_at: string;
}

/** The first completed execution of a model sync (skip_initial_backfill looks for it). */
interface ModelSyncBaselinesTable {
  sync_id: string;
  execution_id: string;
  established_at: string;
}

/** Replaced by every transaction that changes a sync's state (migration 0010). */
interface ModelSyncStateGenerationsTable {
  sync_id: string;
  generation: string;
}

export interface JobsTable {
  id: string;
  organization_id: string;
  type: string;
  /** created | running | done | failed */
  status: string;
  result: string | null;
  error: string | null;
  created_at: string;
  updated_at: string;
}

export interface SchemaCatalogsTable {
  connection_id: string;
  organization_id: string;
  /** empty | refreshing | fresh | failed */
  cache_status: string;
  last_refresh_started: string | null;
  last_refresh_finished: string | null;
  last_error: string | null;
  job_id: string | null;
}

export interface CatalogSchemasTable {
  connection_id: string;
  schema_id: string;
  name: string;
  /** JSON FieldDescription[] */
  fields: string;
  discovered_at: string;
}

export interface SchemaOverridesTable {
  connection_id: string;
  schema_id: string;
  /** JSON UserField[] */
  user_fields: string;
  /** JSON Record<field id, FieldPatch> for discovered fields. */
  field_patches: string;
  /** JSON string[] of field ids, or null for the discovered keys. */
  primary_keys: string | null;
  updated_at: string;
}

export interface QueriesTable {
  id: string;
  organization_id: string;
  connection_id: string;
  query: string;
  created_by: string;
  created_at: string;
  expires_at: string;
}

/** The bulk engine's resume point per (sync, schema); see src/engine/bulk/checkpoint-store.ts. */
interface BulkSyncCheckpointsTable {
  sync_id: string;
  schema_id: string;
  execution_id: string;
  /** loading | completed */
  phase: string;
  cursor_field: string | null;
  /** JSON of the cursor value. */
  cursor: string | null;
  /** bigint: PostgreSQL returns it as a decimal string. */
  rows: number | string;
  updated_at: string;
}

interface ChangeCaptureStreamsTable {
  sync_id: string;
  stream_id: string;
  source_connection_id: string;
  /** snapshotting | streaming */
  phase: string;
  /** The source's position (opaque) the destination last committed; null while snapshotting. */
  position: string | null;
  created_at: string;
  updated_at: string;
}

interface ExecutionConsoleLogsTable {
  /** Increasing; bigserial (a string from pg) on PostgreSQL, INTEGER on SQLite. */
  id: Generated<number | string>;
  execution_id: string;
  schema_id: string | null;
  level: string;
  message: string;
  /** JSON object. */
  payload: string | null;
  created_at: string;
}

export interface BulkSyncsTable {
  id: string;
  organization_id: string;
  name: string;
  mode: string;
  active: number;
  source_connection_id: string;
  destination_connection_id: string;
  source_configuration: string;
  destination_configuration: string;
  /** JSON: BulkSyncSettings (discovery, concurrency, cutoff, naming, policies). */
  settings: string;
  /** JSON: StoredBulkSchedules. */
  schedules: string;
  /** 1 when the request named no schemas: every schema of the source is selected, new ones included. */
  select_all_schemas: number;
  created_at: string;
  created_by: string | null;
  updated_at: string;
  updated_by: string | null;
  /** Replaced with a new random value by the database on every insert and update (migration 0015); Ferry never sets it. */
  revision?: RowRevision;
}

export interface BulkSyncSchemasTable {
  sync_id: string;
  schema_id: string;
  /** JSON: BulkSchemaSettings (enabled, fields, filters, tracking field, output name, cutoff). */
  settings: string;
}

export interface BulkSyncExecutionsTable {
  id: string;
  sync_id: string;
  organization_id: string;
  /** BulkExecutionStatus: created | scheduled | running | canceling | canceled | completed | failed | … */
  status: string;
  fetch_mode: string;
  resync_mode: string;
  is_test: number;
  /** JSON array of schema ids the start asked for; null means every enabled schema. */
  requested_schemas: string | null;
  /** JSON: per-schema executions (status, counts, times). */
  schemas: string;
  record_count: number;
  error_count: number;
  warning_count: number;
  status_message: string | null;
  cancel_requested: number;
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
  updated_at: string;
  /** Who started it: `manual` (the API) or `scheduled` (the scheduler). */
  type: string;
  /** The schedule id(s), comma-separated, that fired a scheduled execution; null otherwise. */
  schedule_id: string | null;
}

/** A query or table model: SQL (or a table) on a source connection, and its detected fields. */
export interface ModelsTable {
  id: string;
  organization_id: string;
  name: string;
  connection_id: string;
  /** The source connection's type id (ModelResponse.type), e.g. postgresql. */
  type: string;
  /** JSON: the model's configuration as the API took it, e.g. {"query": "…"} or {"table": "…"}. */
  configuration: string;
  /** The identifier field's name, when one is set. */
  identifier: string | null;
  /** JSON: ModelField[] (detected fields plus user-added additional fields). */
  fields: string;
  /** JSON: labels, tracking_columns, policies, relations, enricher. */
  settings: string;
  /** Increments on every update. */
  version: number;
  created_at: string;
  created_by: string | null;
  updated_at: string;
  updated_by: string | null;
}

/** A model sync (reverse ETL): one model's rows pushed into one target object. */
export interface ModelSyncsTable {
  id: string;
  organization_id: string;
  name: string;
  /** ModelsyncSyncTargetMode. */
  mode: string;
  active: number;
  /** The model the fields read from (model_ids has exactly this id). */
  model_id: string;
  target_connection_id: string;
  target_object: string | null;
  /** JSON: fields, override_fields, overrides, filters, filter_logic, identity, target, flags, policies (secrets sealed). */
  definition: string;
  /** JSON: the spec's Schedule. */
  schedule: string;
  created_at: string;
  created_by: string | null;
  updated_at: string;
  updated_by: string | null;
  /** Replaced with a new random value by the database on every insert and update (migration 0015); Ferry never sets it. */
  revision?: RowRevision;
}

/** One run of a model sync. */
export interface ModelSyncExecutionsTable {
  id: string;
  sync_id: string;
  organization_id: string;
  /** UtilExecutionStatus: created | scheduled | queued | running | canceling | canceled | completed | failed | … */
  status: string;
  /** manual | scheduled | test | identities | resync. */
  type: string;
  /** JSON: the start request's options (identities, resync, test). */
  options: string;
  /** JSON: ExecutionCounts. */
  counts: string;
  /** JSON: string[] of systemic error messages. */
  errors: string;
  /** JSON: RecordLogIndex once the run has closed its record logs. */
  record_logs: string | null;
  cancel_requested: number;
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
  updated_at: string;
  /** The schedule id that fired a scheduled execution; null otherwise. */
  schedule_id: string | null;
}

/** The scheduler's state of one firing schedule (migration 0011). */
export interface ScheduleStatesTable {
  /** `bulk` or `model`. */
  sync_kind: string;
  sync_id: string;
  /** A bulk schedule's id; `schedule` for a model sync's one schedule. */
  schedule_id: string;
  organization_id: string;
  frequency: string;
  /** The schedule's timing (and run_after) as JSON: a change makes the scheduler recompute next_fire_at. */
  fingerprint: string;
  /** Clock schedules: the next due time. Continuous: due at this time, or null for "a gap after the last run". */
  next_fire_at: string | null;
  /** runafter: completions of the preceding syncs up to this time have been seen. */
  watermark: string | null;
  /** The row's version, advanced by every claim. */
  claims: number;
  last_fired_at: string | null;
  last_execution_id: string | null;
  updated_at: string;
}

/** A role: a label users hold (users.role_ids). Built-in roles have a system_key. */
export interface RolesTable {
  id: string;
  organization_id: string;
  name: string;
  system_key: string | null;
  created_at: string;
  updated_at: string;
}

/** A policy: which roles may do which action on the objects it is attached to. Built-in ones have a system_key. */
interface PoliciesTable {
  id: string;
  organization_id: string;
  name: string;
  system_key: string | null;
  /** JSON: [{action, role_ids}]. */
  policy_actions: string;
  created_at: string;
  updated_at: string;
}

/** One event (docs/events.md): kept FERRY_EVENT_RETENTION_HOURS. */
export interface EventsTable {
  id: string;
  organization_id: string;
  /** One of the event types (src/services/event-types.ts). */
  type: string;
  /** JSON: the type's Eventing*Event payload. */
  payload: string;
  created_at: string;
}

/** An organization's one webhook. */
export interface WebhooksTable {
  id: string;
  organization_id: string;
  endpoint: string;
  /** The signing secret, sealed by the secret box; never returned. */
  secret_sealed: string;
  disabled: number;
  created_at: string;
  updated_at: string;
}

/** One attempt to deliver one event to a webhook (kept as long as events). */
export interface WebhookDeliveriesTable {
  id: string;
  webhook_id: string;
  organization_id: string;
  event_id: string;
  event_type: string;
  attempt: number;
  /** The HTTP status, when one came back. */
  status: number | null;
  latency_ms: number;
  error: string | null;
  created_at: string;
}

interface GlobalErrorSubscribersTable {
  organization_id: string;
  /** JSON: string[]. */
  emails: string;
  updated_at: string;
}

/** When the last failure email of a sync went out (one per sync per hour). */
interface FailureNotificationsTable {
  sync_id: string;
  sent_at: string;
}

export interface Database {
  schedule_states: ScheduleStatesTable;
  roles: RolesTable;
  policies: PoliciesTable;
  events: EventsTable;
  webhooks: WebhooksTable;
  webhook_deliveries: WebhookDeliveriesTable;
  global_error_subscribers: GlobalErrorSubscribersTable;
  failure_notifications: FailureNotificationsTable;
  models: ModelsTable;
  model_syncs: ModelSyncsTable;
  model_sync_executions: ModelSyncExecutionsTable;
  bulk_sync_executions: BulkSyncExecutionsTable;
  bulk_syncs: BulkSyncsTable;
  bulk_sync_schemas: BulkSyncSchemasTable;
  bulk_sync_checkpoints: BulkSyncCheckpointsTable;
  change_capture_streams: ChangeCaptureStreamsTable;
  execution_console_logs: ExecutionConsoleLogsTable;
  jobs: JobsTable;
  schema_catalogs: SchemaCatalogsTable;
  catalog_schemas: CatalogSchemasTable;
  schema_overrides: SchemaOverridesTable;
  queries: QueriesTable;
  model_sync_record_states: ModelSyncRecordStatesTable;
  model_sync_baselines: ModelSyncBaselinesTable;
  model_sync_state_generations: ModelSyncStateGenerationsTable;
  proxy_calls: ProxyCallsTable;
  connections: ConnectionsTable;
  settings: SettingsTable;
  partners: PartnersTable;
  organizations: OrganizationsTable;
  users: UsersTable;
  api_keys: ApiKeysTable;
  idempotency_keys: IdempotencyKeysTable;
}
