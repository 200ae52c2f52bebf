// The plan of one model-sync execution: plain data (wire names from the spec's SyncResponse) plus
// the opened connections. The API/worker builds it from the stored sync; the engine only reads it.
import type { Connection } from '../../connectors/connector.ts';

/** The spec's ModelsyncSyncTargetMode. */
export const SyncMode = {
  create: 'create',
  update: 'update',
  updateOrCreate: 'updateOrCreate',
  replace: 'replace',
  append: 'append',
  remove: 'remove',
  snapshot: 'snapshot',
} as const;
export type SyncMode = (typeof SyncMode)[keyof typeof SyncMode];

/** The spec's SchemaIdentityFunction. The engine implements Equality and ISubstring (see identity-key.ts). */
export const IdentityFunction = {
  equality: 'Equality',
  iSubstring: 'ISubstring',
  oneOf: 'OneOf',
  domainMatch: 'DomainMatch',
  hostnameMatch: 'HostnameMatch',
} as const;
export type IdentityFunction = (typeof IdentityFunction)[keyof typeof IdentityFunction];

/** The spec's Source: a model field. One plan reads one model, so `model_id` is informative only. */
export interface SourceField {
  field: string;
  model_id?: string;
}

/** The spec's SyncField: a model field, or a constant `override_value`, written to a target field. */
export interface SyncField {
  target: string;
  source?: SourceField;
  /** When set the source is ignored and this constant is written. */
  override_value?: string;
}

export interface Identity {
  source: SourceField;
  target: string;
  function: IdentityFunction;
}

/** The spec's FilterFunction. */
export const FilterFunction = {
  Equality: 'Equality',
  Inequality: 'Inequality',
  IsNull: 'IsNull',
  IsNotNull: 'IsNotNull',
  True: 'True',
  False: 'False',
  OnOrAfter: 'OnOrAfter',
  OnOrBefore: 'OnOrBefore',
  GreaterThan: 'GreaterThan',
  GreaterThanEqual: 'GreaterThanEqual',
  LessThan: 'LessThan',
  LessThanEqual: 'LessThanEqual',
  StringContains: 'StringContains',
  StringStartsWith: 'StringStartsWith',
  StringEndsWith: 'StringEndsWith',
  StringDoesNotContain: 'StringDoesNotContain',
  StringDoesNotStartWith: 'StringDoesNotStartWith',
  StringDoesNotEndWith: 'StringDoesNotEndWith',
  StringOneOf: 'StringOneOf',
  StringNotOneOf: 'StringNotOneOf',
  Between: 'Between',
  ArrayContains: 'ArrayContains',
  ArrayDoesNotContain: 'ArrayDoesNotContain',
  InTheLast: 'InTheLast',
  RelativeOnOrBefore: 'RelativeOnOrBefore',
  RelativeOnOrAfter: 'RelativeOnOrAfter',
  StringLike: 'StringLike',
  StringNotLike: 'StringNotLike',
  StringMatchesTrimmed: 'StringMatchesTrimmed',
} as const;
export type FilterFunction = (typeof FilterFunction)[keyof typeof FilterFunction];

/**
 * The spec's Filter. `field_type` Model (default) tests the model field `field.field` (or
 * `field_id`); Target tests the value the mapping would write to target field `field_id`.
 */
export interface Filter {
  field?: SourceField;
  field_id?: string;
  field_type?: 'Model' | 'Target';
  function: FilterFunction;
  value?: unknown;
  label?: string;
}

/**
 * The spec's Override: when model field `field` (or `field_id`) passes `function`/`value`, every
 * target field mapped from that model field receives `override` instead of the model's value.
 */
export interface Override {
  field?: SourceField;
  field_id?: string;
  function?: FilterFunction;
  value?: unknown;
  override?: unknown;
}

export interface ModelSyncPlan {
  /** The sync's id: the key of its change-detection state. */
  syncId: string;
  /** The sync's name, for targets that show it to their receiver (a webhook's `object.name`). */
  syncName?: string;
  executionId: string;
  source: { connection: Connection; query: string };
  target: { connection: Connection; objectId: string };
  mode: SyncMode;
  /** Required for every mode but append and snapshot. */
  identity?: Identity;
  fields: SyncField[];
  override_fields?: SyncField[];
  overrides?: Override[];
  filters?: Filter[];
  /** "(1 AND 2) OR 3": 1-based filter positions; absent means every filter must pass. */
  filter_logic?: string;
  sync_all_records?: boolean;
  skip_initial_backfill?: boolean;
  /**
   * A partial run (the API's `test` start): read at most this many model rows. Like `identities`, a partial run
   * sends and records what it reads, but deletes nothing for `replace` and does not establish the baseline.
   */
  rowLimit?: number;
  /** A partial run for these identity values only (compared as text; ISubstring ignores case and spaces). */
  identities?: string[];
}

/** Engine tuning, with defaults. */
export interface ModelSyncOptions {
  /** Model rows per batch, and so records per target write (but see `backfillBatchesPerWrite`). Default 1000. */
  batchSize?: number;
  /**
   * During a backfill (a sync with no completed run yet, in a mode whose writes a replay absorbs: updateOrCreate,
   * replace, update, remove), at most this many batches' changes are sent in one write and committed in one state
   * transaction, within the target's `backfillWriteSize`. Default 5.
   */
  backfillBatchesPerWrite?: number;
  /** Minimum time between two progress entries in the console log. Default 10,000 ms. */
  progressIntervalMs?: number;
  /**
   * Minimum time between two `onProgress` calls (the worker's execution-row updates); a batch's report within it
   * waits, replaced by later ones, for the first batch after it or the end of the run, unless its delivered counts
   * moved. Default 250 ms; 0: one call a batch, as soon as the one before has ended.
   */
  progressReportIntervalMs?: number;
  /**
   * When the state cache holds nothing trustworthy for the sync (state/state-cache.ts), a sync whose state holds at most
   * this many keys has it read into the cache at the start of the run, and its batches are diffed there instead of by
   * one statement each in the state store (within the cache's byte budget). Default: 500,000 for a store a round trip
   * away (PostgreSQL), 0 for one in this process (embedded SQLite, memory), where it does not pay. 0: never.
   */
  preloadStateKeys?: number;
  /** The clock, for relative filters and console timestamps. Default `() => new Date()`. */
  now?: () => Date;
}
