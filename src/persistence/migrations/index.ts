// Every migration, in order. One set for SQLite and PostgreSQL: only portable column types are used.
import type { Migration } from 'kysely';
import * as foundation from './0001-foundation.ts';
import * as connections from './0002-connections.ts';
import * as schemasQueriesJobs from './0003-schemas-queries-jobs.ts';
import * as proxyCalls from './0004-proxy-calls.ts';
import * as bulkEngine from './0005-bulk-engine.ts';
import * as modelSyncEngine from './0006-model-sync-engine.ts';
import * as bulkSyncs from './0007-bulk-syncs.ts';
import * as bulkExecutions from './0008-bulk-executions.ts';
import * as modelsAndModelSyncs from './0009-models-and-model-syncs.ts';
import * as modelSyncStateGenerations from './0010-model-sync-state-generations.ts';
import * as scheduleStates from './0011-schedule-states.ts';
import * as rolesAndPolicies from './0012-roles-and-policies.ts';
import * as eventsWebhooksNotifications from './0013-events-webhooks-notifications.ts';
import * as changeCaptureStreams from './0014-change-capture-streams.ts';
import * as rowRevisions from './0015-row-revisions.ts';

export const migrations: Record<string, Migration> = {
  '0001-foundation': foundation,
  '0002-connections': connections,
  '0003-schemas-queries-jobs': schemasQueriesJobs,
  '0004-proxy-calls': proxyCalls,
  '0005-bulk-engine': bulkEngine,
  '0006-model-sync-engine': modelSyncEngine,
  '0007-bulk-syncs': bulkSyncs,
  '0008-bulk-executions': bulkExecutions,
  '0009-models-and-model-syncs': modelsAndModelSyncs,
  '0010-model-sync-state-generations': modelSyncStateGenerations,
  '0011-schedule-states': scheduleStates,
  '0012-roles-and-policies': rolesAndPolicies,
  '0013-events-webhooks-notifications': eventsWebhooksNotifications,
  '0014-change-capture-streams': changeCaptureStreams,
  '0015-row-revisions': rowRevisions,
};
