// How far a sync's change stream is behind its source, for the sync status route (docs/change-capture.md, "Console
// log, lag and metrics"). The bytes come from the source connector's own `lag()`, the one the run's `Applied …`
// lines and the /metrics gauge use, measured from the position the stream last checkpointed: any process can answer,
// whether or not a run of the sync is streaming in it.
import type { AppContext } from '../app-context.ts';
import { Capability, type Connection } from '../connectors/connector.ts';
import { silentLogger } from '../domain/run-context.ts';
import type { StoredStreamState } from '../engine/bulk/checkpoint-store.ts';
import type { BulkSyncRow } from '../persistence/repositories/bulk-syncs-repository.ts';
import type { ConnectionsService } from './connections-service.ts';

/** How long the source may take to say how far behind the stream is before the status answers without it. */
const measureTimeoutMs = 10_000;

export interface ChangeStreamStatus {
  /** The recorded stream; undefined before the sync's first change-capture run created one. */
  stream: StoredStreamState | undefined;
  /** The source's retained log past the stream's position; undefined when it could not be measured. */
  bytesBehind: number | undefined;
  /** FERRY_CDC_LAG_WARN_BYTES: above it the stream is reported as a warning. */
  warnBytes: number;
  /** Why bytesBehind is undefined although a stream exists (the source unreachable, the position's log purged). */
  unmeasured?: string;
}

export function changeStreamStatusReader(
  context: Pick<AppContext, 'repositories' | 'connectors' | 'config'>,
  connections: Pick<ConnectionsService, 'open'>,
  loadStream: (syncId: string) => Promise<StoredStreamState | undefined>,
) {
  /** The sync's change stream and how far behind it is; undefined when the sync does not use change capture. */
  return async function changeStreamStatus(sync: BulkSyncRow): Promise<ChangeStreamStatus | undefined> {
    if (sync.mode !== 'replicate') return undefined;
    const source = await context.repositories.connections.getAnywhere(sync.source_connection_id);
    // A type that cannot stream its log needs no connection opened to say so.
    if (!source || !context.connectors.get(source.type)?.capabilities.includes(Capability.changeCapture))
      return undefined;
    const warnBytes = context.config.changeCaptureLagWarnBytes;
    let connection: Connection | undefined;
    try {
      connection = await connections.open(source);
      const capture = connection.changeCapture;
      if (!capture) return undefined;
      const stored = await loadStream(sync.id);
      // A stream of another source connection is about to be dropped and replaced: the sync has none yet.
      const stream = stored?.sourceConnectionId === sync.source_connection_id ? stored : undefined;
      if (!stream) return { stream, bytesBehind: undefined, warnBytes };
      const run = { signal: AbortSignal.timeout(measureTimeoutMs), log: silentLogger, heartbeat() {} };
      try {
        const lag = await capture.lag(run, stream.streamId, stream.position ?? undefined);
        return lag
          ? { stream, bytesBehind: lag.bytesBehind, warnBytes }
          : { stream, bytesBehind: undefined, warnBytes, unmeasured: 'the source does not know the position' };
      } catch (error: unknown) {
        const message = error instanceof Error ? error.message : String(error);
        return { stream, bytesBehind: undefined, warnBytes, unmeasured: `the source could not be asked: ${message}` };
      }
    } catch {
      // The connection's stored configuration no longer opens: there is nothing to stream from.
      return undefined;
    } finally {
      await connection?.close().catch(() => {});
    }
  };
}
