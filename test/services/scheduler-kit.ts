// A Ferry on SQLite with a fake clock and no worker role, for testing the scheduler round by round: executions it
// starts stay open until the test finishes them (as a worker would: terminal status, completed_at on the clock).
import { call, startFerry, type TestFerry } from '../kit/ferry-server.ts';
import { createFakeClock, type FakeClock } from '../kit/fake-clock.ts';
import { createModelSyncWorld, syncBody, type ModelSyncWorld } from '../api/model-sync-kit.ts';
import { connectionsService } from '../../src/services/connections-service.ts';
import { bulkSyncsService } from '../../src/services/bulk-syncs-service.ts';
import { bulkExecutionsService } from '../../src/services/bulk-executions-service.ts';
import { modelSyncExecutionsService } from '../../src/services/model-sync-executions-service.ts';
import {
  fireDueSchedules,
  type FiringRound,
  type SchedulingServices,
} from '../../src/services/scheduling/schedule-claims.ts';

export interface SchedulerWorld {
  server: TestFerry;
  clock: FakeClock;
  world: ModelSyncWorld;
  services: SchedulingServices;
  /** One scheduler round at the clock's time. */
  round(): Promise<FiringRound>;
  createBulkSync(body: Record<string, unknown>): Promise<string>;
  createModelSync(overrides?: Record<string, unknown>): Promise<string>;
  // biome-ignore lint/suspicious/noExplicitAny: rows of either executions table, read column by column
  executions(kind: 'bulk' | 'model', syncId: string): Promise<Array<Record<string, any>>>;
  /** Finishes an execution as a worker would, at the clock's time. */
  finish(kind: 'bulk' | 'model', executionId: string, status?: string): Promise<void>;
  status(kind: 'bulk' | 'model', syncId: string): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

export async function startSchedulerWorld(start: string): Promise<SchedulerWorld> {
  const clock = createFakeClock(start);
  const server = await startFerry('sqlite', {}, { clock, worker: false });
  const world = await createModelSyncWorld(server);
  const { context } = server.ferry;
  const connections = connectionsService(context);
  const services: SchedulingServices = {
    bulkSyncs: bulkSyncsService(context, connections),
    bulkExecutions: bulkExecutionsService(context),
    modelSyncExecutions: modelSyncExecutionsService(context),
  };
  const db = context.database.db;
  return {
    server,
    clock,
    world,
    services,
    round: () => fireDueSchedules(context, services, clock.now()),
    async createBulkSync(body) {
      const created = await call(server.url, 'POST', '/api/bulk/syncs', {
        key: server.apiKey,
        body: {
          name: 'Scheduled copy',
          source_connection_id: world.sourceConnectionId,
          destination_connection_id: world.targetConnectionId,
          destination_configuration: {},
          schemas: ['users', 'events'],
          ...body,
        },
      });
      if (created.status !== 200) throw new Error(created.text);
      return created.body.data.id as string;
    },
    async createModelSync(overrides = {}) {
      const created = await call(server.url, 'POST', '/api/syncs', {
        key: server.apiKey,
        body: syncBody(world, overrides),
      });
      if (created.status !== 200) throw new Error(created.text);
      return created.body.data.id as string;
    },
    async executions(kind, syncId) {
      const table = kind === 'bulk' ? 'bulk_sync_executions' : 'model_sync_executions';
      return db.selectFrom(table).selectAll().where('sync_id', '=', syncId).orderBy('created_at').execute();
    },
    async finish(kind, executionId, status = 'completed') {
      const table = kind === 'bulk' ? 'bulk_sync_executions' : 'model_sync_executions';
      const now = clock.now().toISOString();
      await db
        .updateTable(table)
        .set({ status, completed_at: now, updated_at: now })
        .where('id', '=', executionId)
        .execute();
    },
    async status(kind, syncId) {
      const path = kind === 'bulk' ? `/api/bulk/syncs/${syncId}/status` : `/api/syncs/${syncId}/status`;
      const response = await call(server.url, 'GET', path, { key: server.apiKey });
      if (response.status !== 200) throw new Error(response.text);
      return response.body.data;
    },
    async close() {
      await server.close();
      world.remove();
    },
  };
}
