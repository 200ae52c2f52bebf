// The worker role: claims jobs from the queue and runs them in this process. `ferry serve` runs it next to the API
// unless --no-worker; any number of processes may run it against one database. It runs up to
// FERRY_WORKER_CONCURRENCY executions at once; stop() hands the running ones back for another worker to resume.
import { join } from 'node:path';
import type { AppContext } from '../app-context.ts';
import { JobHandedBack } from '../queue/job-deferral.ts';
import type { JobHandler, RunningWorker } from '../queue/job-queue.ts';
import { modelSyncExecutionsService } from '../services/model-sync-executions-service.ts';
import { type Scheduler, startScheduler } from './scheduler.ts';
import {
  bulkExecutionTask as bulkExecutionTaskName,
  bulkExecutionsService,
} from '../services/bulk-executions-service.ts';
import { bulkSyncsService } from '../services/bulk-syncs-service.ts';
import { connectionsService } from '../services/connections-service.ts';
import { bulkExecutionTask } from './bulk-execution-task.ts';
import { modelSyncExecutionTask as modelSyncExecutionTaskName } from '../services/model-sync-executions-service.ts';
import { modelSyncExecutionTask } from './model-sync-execution-task.ts';
import { createStateCache } from '../engine/model-sync/state/state-cache.ts';
import { createStateCacheFiles } from '../persistence/state-cache-files.ts';
import { createKyselyStateStore } from '../persistence/stores/kysely-state-store.ts';
import {
  failureEmailTask as failureEmailTaskName,
  webhookDeliveryTask as webhookDeliveryTaskName,
} from '../services/execution-transitions.ts';
import { failureEmailTask } from './failure-email-task.ts';
import { webhookDeliveryTask } from './webhook-delivery-task.ts';
import { eventsService } from '../services/events-service.ts';
import { startEventRetention } from '../services/event-retention.ts';
import { startChangeStreamSweep } from './change-stream-sweep.ts';

export interface Worker {
  /** The scheduler loop of this process; absent when FERRY_SCHEDULER=false. */
  scheduler: Scheduler | undefined;
  stop(): Promise<void>;
}

export async function startWorker(context: AppContext, options: { concurrency?: number } = {}): Promise<Worker> {
  const connections = connectionsService(context);
  const bulkSyncs = bulkSyncsService(context, connections);
  const failureEmails = failureEmailTask(context);
  let scheduler: Scheduler | undefined;
  // What this process knows of its model syncs' state, saved when it stops for the first runs after the restart.
  const stateCache = createStateCache({
    maxBytes: context.config.stateCacheBytes,
    archive: createStateCacheFiles(join(context.config.dataDir, 'state-cache')),
  });
  // Read back now, beside the start, not by the first run of each sync (a run that opens its sync meanwhile waits
  // for it): the first run after a restart then costs what a warm run does.
  const restored = stateCache
    .restore(createKyselyStateStore(context.database.db, context.clock.now))
    .catch((error: unknown) => {
      context.log.warn(
        { err: error },
        'the saved state cache could not be read; the first runs diff their state in full',
      );
    });
  // A finished execution may make a continuous or runafter schedule due: the scheduler looks at once. A job handed
  // back (its organization at its limit) finished nothing, and comes back every few seconds: no nudge.
  const nudging =
    (handler: JobHandler): JobHandler =>
    (payload, job) =>
      handler(payload, job).then(
        () => scheduler?.nudge(),
        (error: unknown) => {
          if (!(error instanceof JobHandedBack)) scheduler?.nudge();
          throw error;
        },
      );
  const running: RunningWorker = await context.queue.start({
    tasks: {
      [bulkExecutionTaskName]: nudging(bulkExecutionTask(context, connections, bulkSyncs)),
      [modelSyncExecutionTaskName]: nudging(modelSyncExecutionTask(context, connections, stateCache)),
      [webhookDeliveryTaskName]: webhookDeliveryTask(context, eventsService(context)),
      ...(failureEmails ? { [failureEmailTaskName]: failureEmails } : {}),
    },
    concurrency: options.concurrency ?? context.config.workerConcurrency,
    leaseMs: context.config.queueLeaseMs,
    heartbeatIntervalMs: context.config.queueHeartbeatMs,
    // Restarted on the same machine and data, this worker takes its own slot back and resumes its jobs at once.
    workerId: context.config.workerId,
    // A stopping worker interrupts its runs (after the grace): they checkpoint and go back to the queue.
    stopTimeoutMs: context.config.workerShutdownGraceMs,
    log: context.log,
    // A cancel requested through another process reaches this one through the execution row (checked every 5 s).
    isCancelled: async (job) => {
      const executionId = (job.payload as { executionId?: string } | null)?.executionId;
      if (!executionId) return false;
      const executions =
        job.task === modelSyncExecutionTaskName
          ? context.repositories.modelSyncExecutions
          : context.repositories.bulkExecutions;
      const execution = await executions.getAnywhere(executionId);
      return execution?.cancel_requested === 1;
    },
  });
  // Started once the queue worker runs, so that what it fires is picked up at once.
  if (context.config.scheduler)
    scheduler = startScheduler(context, {
      bulkSyncs,
      bulkExecutions: bulkExecutionsService(context),
      modelSyncExecutions: modelSyncExecutionsService(context),
    });
  const retention = startEventRetention(context);
  const streamSweep = startChangeStreamSweep(context, bulkSyncs.changeStreams);
  return {
    scheduler,
    async stop() {
      retention.stop();
      await streamSweep.stop();
      await scheduler?.stop();
      await running.stop();
      await restored;
      // After the runs ended (or were handed back), so that each entry is the state its sync's last commit left.
      await stateCache.persist().catch((error: unknown) => {
        context.log.warn({ err: error }, 'the state cache could not be saved; the next runs diff their state in full');
      });
    },
  };
}
