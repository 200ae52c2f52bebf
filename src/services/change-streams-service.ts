// The life of the change streams Ferry creates on sources (docs/change-capture.md). A stream is created by a sync's
// first change-capture run and recorded in the stream state table; it is dropped when the sync stops using it: the
// sync deleted, its mode no longer replicate, its source connection changed, or change capture switched off on the
// connection. That happens at the moment of the change (best effort: the source may be unreachable then) and again
// by a sweep at start-up and on a timer in worker-role processes. Only recorded streams are ever dropped: a slot
// Ferry has no row for (another installation's, the user's own) is never touched.
import type { AppContext } from '../app-context.ts';
import type { Connection } from '../connectors/connector.ts';
import type { RunContext } from '../domain/run-context.ts';
import type { StoredStreamState } from '../engine/bulk/checkpoint-store.ts';
import { createKyselyCheckpointStore } from '../persistence/stores/kysely-checkpoint-store.ts';
import { changeStreamStatusReader } from './change-stream-status.ts';
import type { ConnectionsService } from './connections-service.ts';

/** The spec's configuration key that turns change capture on, for every source type that has it. */
const changeDetectionKey = 'change_detection';
/** How long one drop may take before the sweep moves on (the source may hang). */
const dropTimeoutMs = 30_000;

export function changeStreamsService(
  context: Pick<AppContext, 'database' | 'repositories' | 'connectors' | 'log' | 'clock' | 'config'>,
  connections: Pick<ConnectionsService, 'effectiveConfiguration' | 'open'>,
) {
  const store = createKyselyCheckpointStore(context.database.db, context.clock.now);
  const status = changeStreamStatusReader(context, connections, (syncId) => store.loadStream(syncId));

  async function configurationOf(connectionId: string): Promise<Record<string, unknown> | undefined> {
    const row = await context.repositories.connections.getAnywhere(connectionId);
    return row && ((await connections.effectiveConfiguration(row)) as Record<string, unknown>);
  }

  /** Why the recorded stream is no longer wanted; undefined while its sync still streams from it. */
  async function unwantedBecause(state: StoredStreamState): Promise<string | undefined> {
    const sync = await context.repositories.bulkSyncs.getAnywhere(state.syncId);
    if (!sync) return 'its sync was deleted';
    if (sync.mode === 'snapshot') return 'its sync no longer replicates';
    if (sync.source_connection_id !== state.sourceConnectionId) return 'its sync has another source connection';
    const configuration = await configurationOf(state.sourceConnectionId);
    if (!configuration) return 'its source connection was deleted';
    if (configuration[changeDetectionKey] !== true) return 'change capture was switched off on its connection';
    return undefined;
  }

  async function drop(state: StoredStreamState, why: string): Promise<void> {
    const row = await context.repositories.connections.getAnywhere(state.sourceConnectionId);
    const connector = row && context.connectors.get(row.type);
    if (!row || !connector) {
      // Nothing left to reach the stream through: the row is forgotten, and the operator told.
      context.log.warn(
        { syncId: state.syncId, streamId: state.streamId, connectionId: state.sourceConnectionId },
        'change stream: its source connection no longer exists; drop the stream on the source by hand',
      );
      await store.clearStream(state.syncId);
      return;
    }
    // Opened with change capture on, whatever the stored configuration now says, so the facet can drop its stream.
    const configuration = { ...(await connections.effectiveConfiguration(row)), [changeDetectionKey]: true };
    let connection: Connection | undefined;
    const run: RunContext = { signal: AbortSignal.timeout(dropTimeoutMs), log: context.log, heartbeat() {} };
    try {
      connection = connector.open(configuration);
      await connection.changeCapture?.drop(run, state.streamId);
      await store.clearStream(state.syncId);
      context.log.info({ syncId: state.syncId, streamId: state.streamId, why }, 'change stream dropped');
    } finally {
      await connection?.close().catch(() => {});
    }
  }

  /** Drops the given recorded streams that are no longer wanted; failures are logged and left to the next sweep. */
  async function reconcile(states: StoredStreamState[]): Promise<number> {
    let dropped = 0;
    for (const state of states) {
      try {
        const why = await unwantedBecause(state);
        if (!why) continue;
        await drop(state, why);
        dropped += 1;
      } catch (error: unknown) {
        context.log.warn(
          { err: error, syncId: state.syncId, streamId: state.streamId },
          'change stream: dropping failed; the next sweep tries again',
        );
      }
    }
    return dropped;
  }

  return {
    status,
    /** Every recorded stream whose sync no longer uses it is dropped. Resolves to how many were. */
    sweep: async () => reconcile(await store.listStreams()),
    /** After a sync was saved or deleted. */
    async syncChanged(syncId: string): Promise<void> {
      const state = await store.loadStream(syncId);
      if (state) await reconcile([state]);
    },
    /**
     * Before a connection is deleted: the streams on it are dropped while it can still be reached, since afterwards
     * nothing could (a stream that cannot be dropped now is logged, for the operator to drop on the source).
     */
    async connectionDeleting(connectionId: string): Promise<void> {
      const states = (await store.listStreams()).filter((state) => state.sourceConnectionId === connectionId);
      for (const state of states)
        await drop(state, 'its source connection is being deleted').catch((error: unknown) =>
          context.log.warn(
            { err: error, syncId: state.syncId, streamId: state.streamId, connectionId },
            'change stream: dropping failed before its connection was deleted; drop the stream on the source by hand',
          ),
        );
    },
    /** After a connection's configuration was saved or the connection deleted. */
    async connectionChanged(connectionId: string): Promise<void> {
      await reconcile((await store.listStreams()).filter((state) => state.sourceConnectionId === connectionId));
    },
  };
}

export type ChangeStreamsService = ReturnType<typeof changeStreamsService>;
