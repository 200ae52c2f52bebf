// Change capture from the MySQL/MariaDB binary log (the `changeCapture` facet, when change_detection is on).
// MySQL keeps no per-reader state on the server: a replica is just a connection reading the log from a position it
// names. So start() creates nothing server-side, drop() has nothing to drop and list() finds nothing; the binlog's
// retention (binlog_expire_logs_seconds, expire_logs_days) alone decides how long a paused stream can resume.
import type { RunContext } from '../../domain/run-context.ts';
import type { ChangeBatch, ChangeCaptureRequirement, ChangeCaptureSource, ChangeStream } from '../change-capture.ts';
import { ConnectorError } from '../connector-error.ts';
import { createBinlogChangeDecoder, type DecodedEvent } from './mysql-binlog-changes.ts';
import {
  bytesAfter,
  compareBinlogPlaces,
  decodeBinlogPosition,
  encodeBinlogPosition,
  type MysqlBinlogPosition,
} from './mysql-binlog-position.ts';
import { binaryLogFiles, currentBinlogEnd, poolQuery } from './mysql-binlog-status.ts';
import { openBinlogEvents } from './mysql-binlog-stream.ts';
import { checkMysqlChangeCapture } from './mysql-change-capture-requirements.ts';
import { batchChanges } from './mysql-change-batches.ts';
import type { MysqlClient } from './mysql-client.ts';
import type { MysqlSnapshots } from './mysql-snapshot.ts';

/** Every requirement not met that stops a stream (warnings do not), in one sentence each; undefined when none. */
export function missingRequirements(requirements: ChangeCaptureRequirement[]): string | undefined {
  const missing = requirements
    .filter((requirement) => !requirement.ok && !requirement.warning)
    .map((requirement) => requirement.message);
  return missing.length > 0 ? `Change capture cannot run: ${missing.join('; ')}` : undefined;
}

export function createMysqlChangeCapture(client: MysqlClient, snapshots: MysqlSnapshots): ChangeCaptureSource {
  // The last position each stream of this connection was confirmed at (or started from), for lag. Process memory
  // only: the engine's checkpoint is the durable copy.
  const confirmed = new Map<string, MysqlBinlogPosition>();

  async function openStream(
    context: RunContext,
    request: Parameters<ChangeCaptureSource['stream']>[1],
  ): Promise<ChangeStream> {
    const from = decodeBinlogPosition(request.from);
    if (!confirmed.has(request.streamId)) confirmed.set(request.streamId, from);
    const end = request.stopAtCurrent ? await currentBinlogEnd(poolQuery(context, client)) : undefined;
    const confirm = async (position: string) => {
      confirmed.set(request.streamId, decodeBinlogPosition(position));
    };
    if (request.stopAtCurrent && (!end || compareBinlogPlaces(from, end) >= 0)) {
      // Nothing was committed after `from`: no need to connect as a replica at all.
      return { async *[Symbol.asyncIterator]() {}, confirm, close: async () => {} };
    }
    const events = openBinlogEvents(context, client, { from, tables: request.schemaIds });
    const decoder = createBinlogChangeDecoder(context, client, { schemaIds: request.schemaIds, from });
    async function* decoded(): AsyncGenerator<DecodedEvent> {
      for await (const event of events) yield await decoder.decode(event);
    }
    async function* batches(): AsyncGenerator<ChangeBatch> {
      try {
        yield* batchChanges(decoded(), { maxChanges: request.maxChanges, end, waiting: events.buffered });
      } finally {
        await events.close();
      }
    }
    return { [Symbol.asyncIterator]: batches, confirm, close: events.close };
  }

  return {
    check: (context, schemaIds) => checkMysqlChangeCapture(context, client, schemaIds),
    async start(context, request) {
      const problem = missingRequirements(await checkMysqlChangeCapture(context, client, request.schemaIds));
      if (problem) throw new ConnectorError(problem, { code: 'unsupported' });
      const { id, position } = await snapshots.open(context, request.streamId);
      confirmed.set(request.streamId, position);
      return { position: encodeBinlogPosition(position), snapshot: { id, release: () => snapshots.release(id) } };
    },
    stream: openStream,
    async lag(context, streamId, stored) {
      const position = confirmed.get(streamId) ?? (stored === undefined ? undefined : decodeBinlogPosition(stored));
      if (!position) return undefined;
      const bytesBehind = bytesAfter(position, await binaryLogFiles(poolQuery(context, client)));
      return bytesBehind === undefined ? undefined : { bytesBehind };
    },
    // Nothing lives on the server per stream (see the top of this file).
    async drop(_context, streamId) {
      confirmed.delete(streamId);
    },
    list: async () => [],
  };
}
