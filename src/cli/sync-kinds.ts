// The two kinds of sync the CLI drives, and the API paths of each: model syncs (/api/syncs) and bulk syncs
// (/api/bulk/syncs). Which one an id is comes from the entity lookup, so `ferry executions …` takes a bare id.
import { type ApiClient, CliError } from './api-client.ts';
import { entityOf } from './api-wire.ts';

export type CliSyncKind = 'model' | 'bulk';

export const syncPaths = {
  model: {
    list: '/api/syncs',
    sync: (syncId: string) => `/api/syncs/${syncId}`,
    executions: (syncId: string) => `/api/syncs/${syncId}/executions`,
    execution: (syncId: string, executionId: string) => `/api/syncs/${syncId}/executions/${executionId}`,
    cancel: (syncId: string, executionId: string) => `/api/syncs/${syncId}/executions/${executionId}/cancel`,
    consoleLog: (syncId: string, executionId: string) => `/api/syncs/${syncId}/executions/${executionId}/consolelog`,
  },
  bulk: {
    list: '/api/bulk/syncs',
    sync: (syncId: string) => `/api/bulk/syncs/${syncId}`,
    executions: (syncId: string) => `/api/bulk/syncs/${syncId}/executions`,
    execution: (syncId: string, executionId: string) => `/api/bulk/syncs/${syncId}/executions/${executionId}`,
    cancel: (syncId: string, executionId: string) => `/api/bulk/syncs/${syncId}/executions/${executionId}/cancel`,
    consoleLog: (syncId: string, executionId: string) =>
      `/api/bulk/syncs/${syncId}/executions/${executionId}/consolelog`,
  },
} as const;

const encode = (id: string) => encodeURIComponent(id);

/** A sync id → its kind. */
export async function resolveSync(client: ApiClient, syncId: string): Promise<CliSyncKind> {
  const found = await client.find(`/api/entities/${encode(syncId)}`);
  const entity = found === undefined ? undefined : entityOf(found);
  if (entity?.type === 'sync') return 'model';
  if (entity?.type === 'bulk_sync') return 'bulk';
  if (entity) throw new CliError(`${syncId} is a ${entity.type || 'different entity'}, not a sync or a bulk sync`);
  throw new CliError(`no sync or bulk sync ${syncId} in this organization`);
}

/** An execution id → its kind and its sync. */
export async function resolveExecution(
  client: ApiClient,
  executionId: string,
): Promise<{ kind: CliSyncKind; syncId: string }> {
  const found = await client.find(`/api/entities/${encode(executionId)}`);
  const entity = found === undefined ? undefined : entityOf(found);
  const syncOf = (relationship: string) => {
    const syncId = entity?.related[relationship];
    if (!syncId) throw new CliError(`the entity lookup of ${executionId} names no ${relationship}`);
    return syncId;
  };
  if (entity?.type === 'sync_execution') return { kind: 'model', syncId: syncOf('sync') };
  if (entity?.type === 'bulk_sync_execution') return { kind: 'bulk', syncId: syncOf('bulk_sync') };
  if (entity) throw new CliError(`${executionId} is a ${entity.type || 'different entity'}, not an execution`);
  throw new CliError(`no execution ${executionId} in this organization`);
}
