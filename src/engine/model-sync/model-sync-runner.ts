// One execution of one model sync: read the model in batches, map and filter, diff against the
// state last delivered, send only what the mode prescribes, then commit the state of the accepted
// records — batch by batch, so memory is bounded by one batch and a crash loses nothing.
// The design and its guarantees are in docs/model-sync-engine.md.
import type { ConsoleLog } from '../console-log.ts';
import type { RunContext } from '../../domain/run-context.ts';
import { SyncErrorCode, toSyncError, type SyncError } from '../sync-error.ts';
import { throwIfAborted } from '../../connectors/connector-error.ts';
import type { TargetOperation } from '../../connectors/connector.ts';
import type { Row } from '../../connectors/records.ts';
import { discardRecordLogs, type RecordLogIndex, type RecordLogSink } from '../record-logs/record-log.ts';
import { decide, recordFor } from './batch-classifier.ts';
import { ConsideredRecord } from './considered-record.ts';
import { createDeliveryPipeline, type DeliveryPipeline } from './delivery-pipeline.ts';
import { countCategory, emptyCounts, type ExecutionCounts } from './execution-counts.ts';
import { identityKeyFunction, type IdentityKeyOf } from './identity-key.ts';
import type { ModelSyncOptions, ModelSyncPlan } from './model-sync-plan.ts';
import { checkPlan, type CheckedPlan } from './plan-check.ts';
import { jsonHash, recordJson } from './record-hash.ts';
import { modelFieldsRead } from './model-fields-read.ts';
import { readAhead } from './read-ahead.ts';
import { rowSelection } from './row-selection.ts';
import { compileRecordJson, compileRecordMapper, compileRecordMatcher, recordValueSources } from './record-mapper.ts';
import { filterReadsRecord } from './record-filter.ts';
import { createProgressReports, type ProgressReports } from './progress-reports.ts';
import { createRunPhases, type RunPhases } from './run-phases.ts';
import type { RecordState, StateChange, StateStore } from './state-store.ts';
import {
  createStateCache,
  defaultPreloadStateKeys,
  isKeptJson,
  type RowMemo,
  type StateCache,
  type StateLane,
} from './state/state-cache.ts';
import { deliver, type DeliveryOutcome } from './target-delivery.ts';

export interface ModelSyncDependencies {
  stateStore: StateStore;
  /**
   * What the process remembers of syncs' state between runs (state/state-cache.ts): one per process, shared by its
   * runs. Default: one for this run alone.
   */
  stateCache?: StateCache;
  /** Where start, progress and finish lines go; none when omitted. */
  consoleLog?: ConsoleLog;
  /** This execution's record logs (createGzipRecordLogWriter); closed by the run. Default: discarded. */
  recordLogs?: RecordLogSink;
  /**
   * Called with the counts so far after each batch (the worker keeps the execution row current), beside the next
   * batches: one call at a time, at most one every `progressReportIntervalMs`, a later report replacing one that waits
   * (progress-reports.ts). The run ends after the last call has, which has the final counts.
   */
  onProgress?: (counts: ExecutionCounts) => Promise<void>;
}

type ModelSyncStatus = 'completed' | 'canceled' | 'failed';

export interface ModelSyncResult {
  status: ModelSyncStatus;
  counts: ExecutionCounts;
  /** Why the run did not complete; `retryable` tells the queue whether to try again. */
  error?: SyncError;
  logs: RecordLogIndex;
}

export async function runModelSync(
  context: RunContext,
  plan: ModelSyncPlan,
  dependencies: ModelSyncDependencies,
  options: ModelSyncOptions = {},
): Promise<ModelSyncResult> {
  const now = options.now ?? (() => new Date());
  const logs = dependencies.recordLogs ?? discardRecordLogs;
  const counts = emptyCounts();
  const phases = createRunPhases();
  const consoleLine = async (level: 'INFO' | 'WARN' | 'ERROR', message: string, payload?: Record<string, unknown>) => {
    await dependencies.consoleLog?.append({ executionId: plan.executionId, level, message, payload });
  };
  let error: SyncError | undefined;
  // The state cache the run used, once its state is committed: told at the end, so it may save the sync's entry.
  let cacheUsed: { cache: StateCache; keysAskedOfStore: number | undefined } | undefined;
  try {
    await consoleLine('INFO', `Model sync started (mode ${plan.mode})`, {
      mode: plan.mode,
      target: plan.target.objectId,
    });
    const checked = await checkPlan(context, plan, now());
    const progress = createProgressReports(dependencies.onProgress, {
      intervalMs: options.progressReportIntervalMs ?? defaultProgressReportIntervalMs,
      nowMs: () => now().getTime(),
    });
    try {
      cacheUsed = await execute(
        context,
        plan,
        checked,
        { ...dependencies, logs, counts, phases, now, consoleLine, progress },
        options,
      );
      await phases.time('progress', () => progress.settle());
    } finally {
      // No update of the execution row outlives the run.
      await progress.drain();
    }
  } catch (caught: unknown) {
    error = toSyncError(caught, context.signal);
  }
  let index: RecordLogIndex = {};
  try {
    index = await phases.time('logs', () => logs.close());
  } catch (caught: unknown) {
    error ??= toSyncError(caught);
  }
  const status: ModelSyncStatus = !error ? 'completed' : error.code === SyncErrorCode.canceled ? 'canceled' : 'failed';
  const summary = { ...counts };
  try {
    // Where the run's time went (run-phases.ts), for whoever asks why a run took long.
    if (status === 'completed')
      await consoleLine('INFO', 'Model sync completed', {
        ...summary,
        phases_ms: phases.totals(),
        // How many rows' state the store had to tell: 0 when the cache held all of it (a warm run).
        ...(cacheUsed?.keysAskedOfStore !== undefined ? { state_keys_from_store: cacheUsed.keysAskedOfStore } : {}),
      });
    else
      await consoleLine(
        status === 'canceled' ? 'WARN' : 'ERROR',
        status === 'canceled' ? 'Model sync canceled' : `Model sync failed: ${error!.message}`,
        { ...summary, code: error!.code, retryable: error!.retryable },
      );
  } catch (caught: unknown) {
    // The work is done and its state committed; a lost last console line must not turn it into a failure.
    context.log.error(
      { err: caught, executionId: plan.executionId, status },
      'model sync: the final console-log line could not be written',
    );
  }
  // After the run, not on its path: a background save starts on a later turn (StateCache.ended).
  cacheUsed?.cache.ended(plan.syncId);
  return { status, counts, error, logs: index };
}

/** Least time between two onProgress calls (progress-reports.ts): a few execution-row updates a second. */
const defaultProgressReportIntervalMs = 250;

/** Rows read ahead of the batch being worked (read-ahead.ts): a PostgreSQL model's fetch (5,000 rows a round trip), so
 * that its next fetch runs while the rows of the last are worked. */
const readAheadRows = 5000;

/** At most this many batches' changes in one write during a backfill, so the queue holds a few batches at most. */
const defaultBackfillBatchesPerWrite = 5;

interface Session {
  stateStore: StateStore;
  stateCache?: StateCache;
  logs: RecordLogSink;
  counts: ExecutionCounts;
  phases: RunPhases;
  now: () => Date;
  consoleLine: (level: 'INFO' | 'WARN' | 'ERROR', message: string, payload?: Record<string, unknown>) => Promise<void>;
  progress: ProgressReports;
}

async function execute(
  context: RunContext,
  plan: ModelSyncPlan,
  checked: CheckedPlan,
  given: Session,
  options: ModelSyncOptions,
): Promise<{ cache: StateCache; keysAskedOfStore: number | undefined } | undefined> {
  const { rule } = checked;
  const keyed = rule.keyedBy !== 'none';
  const selection = rowSelection(plan);
  // Batches are diffed against what the process remembers of the state where it can (state/state-cache.ts). A cold
  // cache reads a small sync's state whole first, by default only where the store is a round trip away. Not for a
  // partial run, which diffs few rows.
  const preloadKeys = options.preloadStateKeys ?? (given.stateStore.inProcess ? 0 : defaultPreloadStateKeys);
  const cache = keyed && !selection.partial ? (given.stateCache ?? createStateCache()) : undefined;
  const { phases } = given;
  const cached = cache
    ? await phases.time('state', () => cache.open(given.stateStore, plan.syncId, { preloadKeys }))
    : undefined;
  const session = cached ? { ...given, stateStore: cached } : given;
  const { stateStore, counts } = session;
  const baseline = keyed ? await phases.time('state', () => stateStore.baseline(plan.syncId)) : undefined;
  const backfillOnly = keyed && plan.skip_initial_backfill === true && !baseline;
  if (backfillOnly)
    await session.consoleLine(
      'INFO',
      'First run with skip_initial_backfill: recording the current model without sending it',
    );
  const map = compileRecordMapper(plan, session.now());
  const keyOf = rule.keyedBy === 'identity' ? identityKeyFunction(plan.identity!) : undefined;
  const identityField = rule.keyedBy === 'identity' ? plan.identity!.target : undefined;
  // A test run reads no more than it needs: a 10-row limit reads one batch of 10.
  const batchSize = Math.min(options.batchSize ?? 1000, plan.rowLimit ?? Number.POSITIVE_INFINITY);
  const progressInterval = options.progressIntervalMs ?? 10_000;
  let lastProgress = session.now().getTime();

  const fields = await narrowedFields(context, plan, checked);
  const batches = checked.source.readQuery(context, plan.source.query, { batchSize, ...(fields ? { fields } : {}) });
  // A test run (rowLimit) reads no more than it needs; every other run reads the next batch while this one is worked.
  // The fast lane (processBatch) needs the state in memory, an identity, no resend of everything, and filters on
  // model fields only.
  const lane =
    rule.keyedBy === 'identity' && plan.sync_all_records !== true && !filterReadsRecord(plan)
      ? cached?.lane
      : undefined;
  const jsonOf = compileRecordJson(plan) ?? ((row: Row) => recordJson(map(row)));
  const matches = compileRecordMatcher(plan);
  const valueSources = lane ? recordValueSources(plan) : undefined;
  const memo = valueSources
    ? { sources: valueSources.sources, previous: lane!.previousRows(valueSources.signature), cursor: 0 }
    : undefined;
  // A backfill sends (and commits the state of) several batches a write where the target asks for it: each write
  // and each state commit is a transaction, and a first run makes one for every batch. Only where a write replayed
  // after a crash is absorbed (upsert, update, delete): an insert replayed would add a larger batch twice.
  const sendSize =
    rule.whenNew === 'insert' || baseline || backfillOnly
      ? batchSize
      : Math.max(
          batchSize,
          Math.min(
            batchSize * (options.backfillBatchesPerWrite ?? defaultBackfillBatchesPerWrite),
            checked.target.backfillWriteSize ?? 0,
          ),
        );
  // Grouped backfill writes also run while the write before them has its state committed: a crash may then replay
  // two of them, which such writes absorb (delivery-pipeline.ts).
  const overlapCommits = sendSize > batchSize;
  const tools: BatchTools = {
    backfillOnly,
    keyOf,
    map,
    jsonOf,
    matches,
    lane,
    memo,
    identityField,
    sendSize,
    outbox: { groups: new Map(), keys: new Set(), size: 0 },
    deliveries: createDeliveryPipeline(context.signal, { overlapCommits }),
  };
  const { deliveries } = tools;
  try {
    const read =
      plan.rowLimit === undefined ? readAhead(batches, Math.max(1, Math.floor(readAheadRows / batchSize))) : batches;
    for await (const rows of phases.timeEach('read', read)) {
      throwIfAborted(context.signal);
      deliveries.throwIfFailed();
      const selected = selection.select(rows);
      if (selected.length > 0)
        await phases.time('batches', () => processBatch(context, plan, checked, session, selected, tools));
      session.progress.report(counts);
      context.heartbeat({ rows: counts.total });
      if (session.now().getTime() - lastProgress >= progressInterval) {
        lastProgress = session.now().getTime();
        await session.consoleLine('INFO', `Processed ${counts.total} records`, { ...counts });
      }
      if (selection.done()) break;
    }
    // The changes still queued (fewer than a send's worth) go now, and every delivery ends before deletions and the
    // baseline.
    const queued = tools.outbox.size > 0;
    if (queued) await launchQueued(context, plan, checked, session, tools);
    await phases.time('wait', () => deliveries.settle());
    if (queued) session.progress.report(counts);
  } finally {
    // Whatever ended the run, the delivery in flight ends first: no write or state commit outlives the run.
    await deliveries.drain();
  }
  // A partial run has not read the whole model: it cannot tell which rows left it, nor stand as the baseline.
  if (selection.partial) return undefined;
  if (rule.deleteUnseen && !backfillOnly)
    await deleteUnseen(context, plan, checked, session, batchSize, identityField!);
  if (keyed)
    await session.phases.time('commit', () =>
      stateStore.establishBaseline(plan.syncId, {
        executionId: plan.executionId,
        establishedAt: session.now().toISOString(),
      }),
    );
  return cache ? { cache, keysAskedOfStore: cached?.keysAskedOfStore } : undefined;
}

/**
 * The model's columns the plan reads, when that is fewer than the model has; undefined to read them all. Fields the
 * model lacks stay absent, as they would be reading every column (they map to null).
 */
async function narrowedFields(
  context: RunContext,
  plan: ModelSyncPlan,
  checked: CheckedPlan,
): Promise<string[] | undefined> {
  const wanted = modelFieldsRead(plan);
  const columns = (await checked.source.describeQuery(context, plan.source.query)).map((field) => field.id);
  const read = columns.filter((column) => wanted.has(column));
  return read.length < columns.length ? read : undefined;
}

interface BatchTools {
  backfillOnly: boolean;
  /** Identity modes' key of a model row; undefined for append (content) and snapshot (none), keyed by the record's hash. */
  keyOf: IdentityKeyOf | undefined;
  map: (row: Row) => Row;
  /** recordJson(map(row)), without the record where the plan allows (compileRecordJson). */
  jsonOf: (row: Row) => string;
  /** jsonOf(row) === json, without making the JSON (compileRecordMatcher); undefined where the plan does not allow. */
  matches: ((row: Row, json: string) => boolean) | undefined;
  /** The state cache's answers for the fast lane, when processBatch first looks for rows the state holds unchanged. */
  lane: StateLane | undefined;
  /** The last run's unchanged rows and how far this run has met them (where the plan's layout allows). */
  memo: RunMemo | undefined;
  identityField: string | undefined;
  /** Records per target write. */
  sendSize: number;
  /** Changes decided but not yet sent. */
  outbox: Outbox;
  /** The delivery of the changes sent last, in flight while the next batches are worked, and the state commits. */
  deliveries: DeliveryPipeline;
}

/**
 * Changes wait here until a send's worth (`sendSize`) has gathered, or the read ends: when few rows changed, a
 * thousand batches' changes go in a few target writes instead of a thousand small ones. Nothing queued has reached
 * the target and its state has not moved, so a crash or cancel only means the next run sends it again.
 */
interface Outbox {
  groups: Map<TargetOperation, ConsideredRecord[]>;
  /** The queued keys: a key seen again before its change is sent first sends the queue (its state must be current). */
  keys: Set<string>;
  size: number;
}

function anyShared(left: ReadonlyMap<string, unknown>, right: ReadonlySet<string>): boolean {
  // Walks the smaller of the two.
  if (right.size < left.size) {
    for (const key of right) if (left.has(key)) return true;
  } else {
    for (const key of left.keys()) if (right.has(key)) return true;
  }
  return false;
}

async function warning(session: Session, message: string, record: Row): Promise<void> {
  session.counts.warnings += 1;
  await session.logs.write('warnings', { message, record });
}

/** One `records` log line, `{ action, key, record }`, built around the record's canonical JSON (already made for its
 * diff) instead of serializing the record again: every model row gets one, so this is on the hot path. */
function logRecord(logs: RecordLogSink, action: string, key: string, json: string): Promise<void> | undefined {
  return logs.writeJson('records', `{"action":"${action}","key":${JSON.stringify(key)},"record":${json}}`);
}

interface RunMemo {
  /** The model fields the values are read from. */
  sources: string[];
  previous: RowMemo | undefined;
  /** The next of `previous`'s rows this run expects to meet. */
  cursor: number;
}

function sameValues(row: Row, values: unknown[], sources: string[]): boolean {
  for (let index = 0; index < sources.length; index += 1) if (row[sources[index]!] !== values[index]) return false;
  return true;
}

/** The row's values as a memo row holds them. */
const valuesOf = (memo: RunMemo, row: Row): unknown[] => memo.sources.map((source) => row[source]);

/** Whether the row is the memo's next previous row, with the very same values, and its slot still holds the same
 * string (so no text is compared). */
function isNextPreviousRow(memo: RunMemo, row: Row): boolean {
  const { previous, cursor } = memo;
  return (
    previous !== undefined &&
    cursor < previous.keys.length &&
    previous.slots[cursor]!.kept === previous.kept[cursor] &&
    sameValues(row, previous.values[cursor]!, memo.sources)
  );
}

/** After a row with this key went the longer way: step past it in the previous rows if it is next (or one further). */
function followPrevious(memo: RunMemo, key: string): void {
  const keys = memo.previous?.keys;
  if (!keys) return;
  if (keys[memo.cursor] === key) memo.cursor += 1;
  else if (keys[memo.cursor + 1] === key) memo.cursor += 2;
}

/** Rows worked between two turns of the event loop while a delivery is in flight: a few hundred microseconds. */
const rowsPerTurn = 200;

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** What a filter on model fields only is given for the mapped record, which it never reads. */
const noRecord: Row = Object.freeze({});

async function processBatch(
  context: RunContext,
  plan: ModelSyncPlan,
  checked: CheckedPlan,
  session: Session,
  rows: Row[],
  tools: BatchTools,
): Promise<void> {
  const { logs, counts } = session;
  const { rule } = checked;
  const { outbox, deliveries } = tools;
  const { stateStore } = session;
  const candidates = new Map<string, ConsideredRecord>();
  const seen: string[] = [];
  // The fast lane: a row whose values the state holds (by its JSON, from memory) is logged as unchanged right away,
  // with no record object, no candidate and no diff; most rows of most runs are such rows. A row whose key is already
  // in this batch or still queued goes the whole way, so duplicates and queued changes are handled as before.
  const { lane, memo } = tools;
  const unchanged = lane ? new Map<string, string>() : undefined;
  // A key already a candidate in this batch, still queued or in flight, or a row the filters drop, goes the whole way.
  const fastLaneTakes = (key: string, row: Row) =>
    !candidates.has(key) &&
    !(outbox.size > 0 && outbox.keys.has(key)) &&
    !(deliveries.held.size > 0 && deliveries.held.has(key)) &&
    checked.filter(row, noRecord);
  const warn = (message: string, record: Row) => warning(session, message, record);
  let sinceTurn = 0;
  for (const row of rows) {
    // A batch is worked without a turn of the event loop (its awaits are settled promises), and the delivery in
    // flight needs one for each of its round trips: without this, the target waited for the batch to end.
    if (++sinceTurn === rowsPerTurn) {
      sinceTurn = 0;
      if (deliveries.inFlight) await nextTurn();
    }
    counts.total += 1;
    let fastKey: string | undefined;
    let fastJson: string | undefined;
    if (unchanged) {
      // The next of the last run's unchanged rows, with the very same model values: the same record, so unchanged
      // unless its key was committed since; nothing is built, looked up or compared as text.
      if (memo && isNextPreviousRow(memo, row)) {
        const at = memo.cursor;
        const previous = memo.previous!;
        const key = previous.keys[at]!;
        if (fastLaneTakes(key, row)) {
          memo.cursor = at + 1;
          const kept = previous.kept[at]!;
          lane!.rememberRow(key, previous.slots[at]!, kept, previous.values[at]!);
          if (rule.deleteUnseen) seen.push(key);
          const wait = logRecord(logs, 'unchanged', key, kept);
          if (wait) await wait;
          continue;
        }
      }
      fastKey = tools.keyOf!(row);
      if (memo && fastKey !== undefined) followPrevious(memo, fastKey);
      if (fastKey !== undefined && !unchanged.has(fastKey) && fastLaneTakes(fastKey, row)) {
        const slot = lane!.slot(fastKey);
        const kept = slot?.kept;
        // The kept JSON is compared where it stands (no JSON made for the row); a kept hash needs the row's JSON.
        let same = false;
        if (kept !== undefined && isKeptJson(kept) && tools.matches) same = tools.matches(row, kept);
        else if (kept !== undefined) {
          fastJson = tools.jsonOf(row);
          same = isKeptJson(kept) ? kept === fastJson : kept === jsonHash(fastJson);
        }
        if (same) {
          const json = isKeptJson(kept!) ? kept! : fastJson!;
          unchanged.set(fastKey, json);
          // A kept hash the row matched (a preloaded slot) keeps the row's JSON from now on.
          const held = isKeptJson(kept!) ? slot : lane!.confirm(fastKey, json);
          if (memo && held && isKeptJson(held.kept)) lane!.rememberRow(fastKey, held, held.kept, valuesOf(memo, row));
          if (rule.deleteUnseen) seen.push(fastKey);
          const wait = logRecord(logs, 'unchanged', fastKey, json);
          if (wait) await wait;
          continue;
        }
      }
    }
    const record = tools.map(row);
    if (!checked.filter(row, record)) {
      await logs.write('records', { action: 'filtered', record });
      continue;
    }
    const json = fastJson ?? recordJson(record);
    // Without an identity the key is the content hash; with one, the hash waits until something asks for it.
    const hash = tools.keyOf ? undefined : jsonHash(json);
    const key = tools.keyOf ? (unchanged ? fastKey : tools.keyOf(row)) : hash;
    if (key === undefined) {
      await warn('the identity value is empty; the record cannot be matched', record);
      continue;
    }
    const previous =
      candidates.get(key)?.record ?? (unchanged?.has(key) ? (JSON.parse(unchanged.get(key)!) as Row) : undefined);
    if (previous && rule.keyedBy === 'identity')
      await warn('another model row has the same identity in this batch; the later row wins', previous);
    // Snapshot sends every row, duplicates included; a unique key keeps them apart.
    const slot = rule.keyedBy === 'none' ? `${key}#${counts.total}` : key;
    candidates.set(
      slot,
      new ConsideredRecord(key, json, record, tools.identityField, hash, memo ? valuesOf(memo, row) : undefined),
    );
  }
  // A key whose earlier change is in flight or still queued (a duplicate identity, or the same content for append) must
  // be diffed against the state that change leaves: that delivery ends first, and the queue is sent and committed.
  if (rule.keyedBy !== 'none' && deliveries.held.size > 0 && anyShared(candidates, deliveries.held))
    await session.phases.time('wait', () => deliveries.settle());
  if (rule.keyedBy !== 'none' && outbox.size > 0 && anyShared(candidates, outbox.keys)) {
    await launchQueued(context, plan, checked, session, tools);
    await session.phases.time('wait', () => deliveries.settle());
  }
  if (rule.keyedBy !== 'none' && candidates.size > 0) {
    // The store returns only the records whose stored hash differs; every other one is stored with its hash.
    const differing = await stateStore.differing(plan.syncId, [...candidates.values()]);
    for (const candidate of candidates.values())
      candidate.previous = !differing.has(candidate.key)
        ? 'same'
        : differing.get(candidate.key) === undefined
          ? 'none'
          : 'changed';
  }

  const recordOnly: ConsideredRecord[] = [];
  const classify = { rule, backfillOnly: tools.backfillOnly, syncAllRecords: plan.sync_all_records === true };
  for (const candidate of candidates.values()) {
    const decision = decide(candidate, classify);
    if (candidate.previous !== 'none' && rule.deleteUnseen) seen.push(candidate.key);
    if (decision.kind === 'send') {
      const group = outbox.groups.get(decision.operation) ?? [];
      group.push(candidate);
      outbox.groups.set(decision.operation, group);
      outbox.keys.add(candidate.key);
      outbox.size += 1;
      continue;
    }
    if (decision.kind === 'record_only') recordOnly.push(candidate);
    // A promise only when the log must be waited for: no await (and no microtask) per unchanged row otherwise.
    const wait = logRecord(logs, decision.kind, candidate.key, candidate.json);
    if (wait) await wait;
  }

  // The batch's own state (what a skipped backfill recorded, the keys replace saw) is committed in one transaction
  // with the delivery it launches, or alone, after the commit running (if any): one commit a batch, as before.
  const own: OwnState = { upserts: recordOnly, seen };
  if (outbox.size >= tools.sendSize) await launchQueued(context, plan, checked, session, tools, own);
  else
    await session.phases.time('commit', () =>
      deliveries.commit(() =>
        stateStore.commit(plan.syncId, { executionId: plan.executionId, upserts: own.upserts, deletes: [], seen }),
      ),
    );
}

/** State a batch records besides its deliveries. */
interface OwnState {
  upserts: RecordState[];
  seen: string[];
}

const noOwnState: OwnState = { upserts: [], seen: [] };

/**
 * Sends everything queued as the next delivery, once the one in flight has ended, and goes on without waiting for it:
 * the writes, `sendSize` records each, then the commit of the accepted records' state (with `own`). The state moves
 * only then, and only for what the target accepted.
 */
async function launchQueued(
  context: RunContext,
  plan: ModelSyncPlan,
  checked: CheckedPlan,
  session: Session,
  tools: BatchTools,
  own: OwnState = noOwnState,
): Promise<void> {
  const { outbox, deliveries } = tools;
  const { groups, keys } = outbox;
  outbox.groups = new Map();
  outbox.keys = new Set();
  outbox.size = 0;
  await session.phases.time('wait', () =>
    deliveries.launch(keys, async (written) => {
      const outcomes = await writeQueued(context, plan, checked, session, tools, groups);
      // The commit takes its place in the queue now, in the order of the writes, so the next write may start while
      // this one's outcome is logged (delivery-pipeline.ts); it commits once the outcome has given it the states.
      let give!: (change: StateChange) => void;
      let refuse!: (error: unknown) => void;
      const change = new Promise<StateChange>((resolve, reject) => {
        give = resolve;
        refuse = reject;
      });
      const committed = deliveries.commit(() =>
        session.phases.timeBeside('delivery_commit', async () => session.stateStore.commit(plan.syncId, await change)),
      );
      written();
      try {
        const upserts = await tallyOutcomes(session, checked, outcomes);
        upserts.push(...own.upserts);
        give({ executionId: plan.executionId, upserts, deletes: [], seen: own.seen });
      } catch (error: unknown) {
        refuse(error);
        throw error;
      }
      await committed;
    }),
  );
}

interface WriteOutcome {
  operation: TargetOperation;
  outcome: DeliveryOutcome<ConsideredRecord>;
}

/** Sends the groups, `sendSize` records a write. */
async function writeQueued(
  context: RunContext,
  plan: ModelSyncPlan,
  checked: CheckedPlan,
  session: Session,
  tools: BatchTools,
  groups: Map<TargetOperation, ConsideredRecord[]>,
): Promise<WriteOutcome[]> {
  const { rule } = checked;
  const outcomes: WriteOutcome[] = [];
  for (const [operation, queued] of groups) {
    for (let start = 0; start < queued.length; start += tools.sendSize) {
      const outcome = await session.phases.timeBeside('write', () =>
        deliver(
          context,
          checked.target,
          {
            objectId: plan.target.objectId,
            operation: operation,
            identity: tools.identityField ? [tools.identityField] : [],
            rule,
            sync: { id: plan.syncId, name: plan.syncName ?? plan.syncId },
          },
          queued.slice(start, start + tools.sendSize),
          (candidate) => recordFor(operation, candidate),
        ),
      );
      outcomes.push({ operation, outcome });
    }
  }
  return outcomes;
}

/** Counts and logs what the target did with each record sent, and returns the accepted records' state. */
async function tallyOutcomes(session: Session, checked: CheckedPlan, outcomes: WriteOutcome[]): Promise<RecordState[]> {
  const { logs, counts } = session;
  const { rule } = checked;
  const upserts: RecordState[] = [];
  for (const { operation, outcome } of outcomes) {
    for (const candidate of outcome.accepted) {
      const category = countCategory(operation, candidate.previous !== 'none');
      counts[category] += 1;
      if (operation === 'upsert') counts.upserts += 1;
      // The candidate is its own state (key, hash, identity, JSON, values): no second object per delivered record.
      if (rule.keyedBy !== 'none') upserts.push(candidate);
      // A promise only when the log must be waited for, as for the records log.
      const wait = logs.writeJson(`${category}s`, JSON.stringify(recordFor(operation, candidate)));
      if (wait) await wait;
      const waitRecord = logRecord(logs, category, candidate.key, candidate.json);
      if (waitRecord) await waitRecord;
    }
    for (const { item, rejection } of outcome.rejected) {
      counts.error += 1;
      await logs.write('errors', { code: rejection.code, message: rejection.message, record: item.record });
      await logRecord(logs, 'rejected', item.key, item.json);
    }
    for (const { item, rejection } of outcome.warned) {
      await warning(session, rejection.message, item.record);
      await logRecord(logs, 'not_found', item.key, item.json);
    }
  }
  return upserts;
}

/** replace: keys delivered before but absent from the model this run are deleted from the target. */
async function deleteUnseen(
  context: RunContext,
  plan: ModelSyncPlan,
  checked: CheckedPlan,
  session: Session,
  batchSize: number,
  identityField: string,
): Promise<void> {
  const { counts, logs } = session;
  let afterKey: string | undefined;
  for (;;) {
    throwIfAborted(context.signal);
    const page = await session.stateStore.listUnseen(plan.syncId, plan.executionId, { afterKey, limit: batchSize });
    if (page.length === 0) return;
    afterKey = page.at(-1)!.key;
    const outcome = await deliver(
      context,
      checked.target,
      {
        objectId: plan.target.objectId,
        operation: 'delete',
        identity: [identityField],
        rule: checked.rule,
        sync: { id: plan.syncId, name: plan.syncName ?? plan.syncId },
      },
      page,
      (state) => state.identity,
    );
    for (const state of outcome.accepted) {
      counts.delete += 1;
      await logs.write('deletes', state.identity);
      await logs.write('records', { action: 'delete', key: state.key, record: state.identity });
    }
    for (const { item, rejection } of [...outcome.rejected, ...outcome.warned]) {
      counts.error += 1;
      await logs.write('errors', { code: rejection.code, message: rejection.message, record: item.identity });
    }
    await session.stateStore.commit(plan.syncId, {
      executionId: plan.executionId,
      upserts: [],
      deletes: outcome.accepted.map((state) => state.key),
      seen: [],
    });
    session.progress.report(counts);
    context.heartbeat({ rows: counts.total, deleted: counts.delete });
  }
}
