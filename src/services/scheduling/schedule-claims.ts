// Firing due schedules. Each sync's due schedules are claimed together, in one transaction that also inserts the
// execution (type `scheduled`) and enqueues its job through the same start the API uses:
//   - the sync's row is locked (PostgreSQL: FOR UPDATE SKIP LOCKED; a sync another process is firing is left to it);
//   - an open execution of the sync means "not now": nothing is written, the schedule stays due and fires once that
//     execution has finished (coalesced, not stacked);
//   - each state row is advanced with `UPDATE … WHERE claims = <the version read>`; a row another process advanced in
//     the meantime rolls the whole claim back.
// A due time therefore produces exactly one execution, however many processes run the scheduler.
import type { AppContext } from '../../app-context.ts';
import {
  type FiringSchedule,
  mergedSelection,
  needsSchemaKinds,
  nextDueAfterFiring,
  strongestResyncMode,
} from '../../domain/schedules/index.ts';
import { createKyselyConsoleLog } from '../../persistence/stores/kysely-console-log.ts';
import { bulkExecutionsRepository } from '../../persistence/repositories/bulk-executions-repository.ts';
import { modelSyncExecutionsRepository } from '../../persistence/repositories/model-sync-executions-repository.ts';
import { scheduleStatesRepository, type SyncKind } from '../../persistence/repositories/schedule-states-repository.ts';
import type { ScheduledSyncRow } from '../../persistence/repositories/scheduled-syncs-repository.ts';
import { lockSyncRow } from '../../persistence/repositories/sync-row-lock.ts';
import type { BulkExecutionsService, StartBulkExecution } from '../bulk-executions-service.ts';
import type { BulkSyncsService } from '../bulk-syncs-service.ts';
import type { ModelSyncExecutionsService } from '../model-sync-executions-service.ts';
import { parseModelSync } from '../model-syncs-service.ts';
import { checkDue, type DueFiring } from './due-firings.ts';
import { firingSchedulesOf } from './firing-schedules-of.ts';
import { reconcileScheduleStates } from './schedule-reconciler.ts';

/** What the scheduler reports for each execution it starts (the metrics hook's argument). */
export interface ScheduleFiredEvent {
  kind: SyncKind;
  syncId: string;
  organizationId: string;
  /** The schedules this execution fires (several when they were due together). */
  scheduleIds: string[];
  executionId: string;
  /** The earliest due time among them. */
  dueAt: Date;
  /** When the scheduler started the execution (inserted its row and job). */
  startedAt: Date;
}

export interface SchedulingServices {
  bulkSyncs: BulkSyncsService;
  bulkExecutions: BulkExecutionsService;
  modelSyncExecutions: ModelSyncExecutionsService;
}

export interface FiringRound {
  fired: ScheduleFiredEvent[];
  /** The earliest future due time seen; null when none is known. */
  upcoming: Date | null;
}

type SchedulingContext = Pick<AppContext, 'database' | 'repositories' | 'log' | 'config' | 'clock'>;

class ClaimLost extends Error {}

/** One round: bring the state rows up to date, then fire every sync that has due schedules. */
export async function fireDueSchedules(
  context: SchedulingContext,
  services: SchedulingServices,
  now: Date,
  /** Called as soon as each execution's claim has committed. */
  onFired: (event: ScheduleFiredEvent) => void = () => {},
): Promise<FiringRound> {
  const db = context.database.db;
  const { syncs, states } = await reconcileScheduleStates(context, now);
  const statesBySync = new Map<string, typeof states>();
  for (const state of states) {
    const key = `${state.sync_kind}:${state.sync_id}`;
    statesBySync.set(key, [...(statesBySync.get(key) ?? []), state]);
  }
  const round: FiringRound = { fired: [], upcoming: null };
  const fireSync = async (sync: ScheduledSyncRow) => {
    const schedules = firingSchedulesOf(sync.kind, sync.schedule);
    const check = await checkDue(
      db,
      sync,
      schedules,
      statesBySync.get(`${sync.kind}:${sync.id}`) ?? [],
      now,
      context.config.continuousGapMs,
    );
    if (check.upcoming && (!round.upcoming || check.upcoming < round.upcoming)) round.upcoming = check.upcoming;
    for (const { state, watermark } of check.passed)
      await scheduleStatesRepository(db).advance(state, state.claims, { watermark, updated_at: now.toISOString() });
    if (check.due.length === 0) return;
    try {
      const fired = await claim(context, services, sync, check.due, now);
      if (fired) {
        round.fired.push(fired);
        onFired(fired);
      }
    } catch (error) {
      context.log.error(
        { err: error, syncId: sync.id, organizationId: sync.organization_id, scheduleId: idsOf(check.due).join(',') },
        'scheduler: could not fire a due schedule; it stays due',
      );
    }
  };
  // Processes start from different places in the list, so that several of them share a burst of due syncs instead
  // of queueing on the same rows; on PostgreSQL a few syncs are fired at once (SQLite has one connection).
  const order = rotated(syncs, Math.floor(Math.random() * syncs.length));
  const parallel = context.database.dialect === 'postgres' ? claimConcurrency : 1;
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(parallel, order.length) }, async () => {
      while (next < order.length) await fireSync(order[next++]);
    }),
  );
  return round;
}

/** Syncs fired at once by one process's round on PostgreSQL. */
const claimConcurrency = 4;

function rotated<T>(items: T[], start: number): T[] {
  return [...items.slice(start), ...items.slice(0, start)];
}

const idsOf = (due: DueFiring[]) => due.map((firing) => firing.schedule.scheduleId);

function describe(schedule: FiringSchedule): string {
  const { frequency, ...timing } = schedule.timing;
  const fields = Object.entries(timing)
    .map(([field, value]) => `${field} ${value}`)
    .join(', ');
  return `${schedule.scheduleId} (${frequency}${fields ? `: ${fields}` : ''})`;
}

async function claim(
  context: SchedulingContext,
  services: SchedulingServices,
  sync: ScheduledSyncRow,
  due: DueFiring[],
  now: Date,
): Promise<ScheduleFiredEvent | undefined> {
  const db = context.database.db;
  const logFields = { syncId: sync.id, organizationId: sync.organization_id, scheduleId: idsOf(due).join(',') };
  // Cheap early exit when another process has claimed these due times since this round read them; the versioned
  // update in the transaction below is what guarantees it.
  const current = await scheduleStatesRepository(db).ofSync(sync.kind, sync.id);
  const seen = new Map(current.map((state) => [state.schedule_id, state.claims]));
  if (due.some((firing) => seen.get(firing.state.schedule_id) !== firing.state.claims)) return undefined;
  // Reading the sync's schemas may open its source (select-all syncs); that happens before the transaction, which
  // then holds its locks only for the writes.
  let bulkStart: StartBulkExecution | undefined;
  let bulkRow: Awaited<ReturnType<typeof context.repositories.bulkSyncs.getAnywhere>>;
  let modelRow: Awaited<ReturnType<typeof context.repositories.modelSyncs.getAnywhere>>;
  if (sync.kind === 'bulk') {
    bulkRow = await context.repositories.bulkSyncs.getAnywhere(sync.id);
    if (!bulkRow) return undefined;
    const scopes = due.map((firing) => firing.schedule.scope);
    const schemas = needsSchemaKinds(scopes)
      ? (await services.bulkSyncs.schemas(bulkRow))
          .filter((schema) => schema.enabled)
          .map((schema) => ({ id: schema.id, incremental: Boolean(schema.tracking_field) }))
      : [];
    const selection = mergedSelection(scopes, schemas);
    const resyncMode = strongestResyncMode(scopes.map((scope) => scope?.resync_mode));
    bulkStart = {
      ...(resyncMode !== 'normal' ? { resync_mode: resyncMode } : {}),
      ...(selection !== 'all' ? { schemas: selection } : {}),
    };
  } else {
    modelRow = await context.repositories.modelSyncs.getAnywhere(sync.id);
    if (!modelRow) return undefined;
  }
  const table = sync.kind === 'bulk' ? 'bulk_syncs' : 'model_syncs';
  const dueAt = new Date(Math.min(...due.map((firing) => firing.dueAt.getTime())));
  try {
    return await db.transaction().execute(async (tx) => {
      if (!(await lockSyncRow(tx, context.database.dialect, table, sync.id, { skipLocked: true }))) return undefined;
      const current = await tx.selectFrom(table).select('active').where('id', '=', sync.id).executeTakeFirst();
      if (current?.active !== 1) return undefined;
      const open =
        sync.kind === 'bulk'
          ? await bulkExecutionsRepository(tx).open(sync.id)
          : await modelSyncExecutionsRepository(tx).open(sync.organization_id, sync.id);
      if (open) {
        context.log.debug({ ...logFields, executionId: open.id }, 'scheduler: due while a run is open; fires after it');
        return undefined;
      }
      if (bulkStart?.schemas?.length === 0) {
        await advanceAll(tx, due, now, null);
        context.log.info(logFields, 'scheduler: the due schedules select no schema of the sync; nothing to run');
        return undefined;
      }
      const origin = { type: 'scheduled' as const, scheduleId: idsOf(due).join(',') };
      const execution =
        sync.kind === 'bulk'
          ? await services.bulkExecutions.startWithin(tx, bulkRow!, bulkStart!, origin)
          : await services.modelSyncExecutions.startWithin(tx, parseModelSync(modelRow!), {}, origin);
      await advanceAll(tx, due, now, execution.id);
      const which = due.map((firing) => describe(firing.schedule)).join(' and ');
      await createKyselyConsoleLog(tx, () => now).append({
        executionId: execution.id,
        level: 'INFO',
        message: `Started by the scheduler: schedule ${which}, due at ${dueAt.toISOString()}.`,
        payload: { scheduleIds: idsOf(due), dueAt: dueAt.toISOString(), ...bulkStart },
      });
      return {
        kind: sync.kind,
        syncId: sync.id,
        organizationId: sync.organization_id,
        scheduleIds: idsOf(due),
        executionId: execution.id,
        dueAt,
        startedAt: now,
      } satisfies ScheduleFiredEvent;
    });
  } catch (error) {
    if (error instanceof ClaimLost) return undefined;
    throw error;
  }
}

async function advanceAll(
  tx: Parameters<typeof scheduleStatesRepository>[0],
  due: DueFiring[],
  now: Date,
  executionId: string | null,
): Promise<void> {
  const states = scheduleStatesRepository(tx);
  for (const firing of due) {
    const won = await states.advance(firing.state, firing.state.claims, {
      next_fire_at: nextDueAfterFiring(firing.schedule, now)?.toISOString() ?? null,
      watermark: firing.watermark ?? firing.state.watermark,
      last_fired_at: now.toISOString(),
      last_execution_id: executionId,
      updated_at: now.toISOString(),
    });
    // Another process claimed this due time first: roll back this claim, execution included.
    if (!won) throw new ClaimLost();
  }
}
