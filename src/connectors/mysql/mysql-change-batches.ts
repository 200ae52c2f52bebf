// Decoded binlog events → ChangeBatches of at most `maxChanges`. A batch carries a position only when it ends where
// no transaction is open, so a stream resumed from it neither misses nor repeats a transaction; a transaction larger
// than a batch is split into batches without a position (memory stays bounded by one batch plus the reader's small
// buffer). A batch is handed over as soon as the reader has nothing more waiting, so a quiet source has low lag,
// and merged up to `maxChanges` while the consumer is busy.
import type { ChangeBatch, Change } from '../change-capture.ts';
import type { DecodedEvent } from './mysql-binlog-changes.ts';
import { compareBinlogPlaces, encodeBinlogPosition, type MysqlBinlogPosition } from './mysql-binlog-position.ts';

/** A batch with no changes that only moves the position is sent at most this often (by source commit time). */
const positionOnlyEveryMs = 1000;

export async function* batchChanges(
  decoded: AsyncIterable<DecodedEvent>,
  options: {
    maxChanges: number;
    /** The log's end when the stream was opened, for stopAtCurrent: the batches end once it is reached. */
    end?: { file: string; offset: number };
    /** How many events the reader holds that `decoded` has not yet produced. */
    waiting(): number;
  },
): AsyncGenerator<ChangeBatch> {
  const maxChanges = Math.max(1, Math.floor(options.maxChanges));
  let committed: Change[] = [];
  let open: Change[] = [];
  let position: MysqlBinlogPosition | undefined;
  let committedAt: Date | undefined;
  let lastSentAt = Number.NEGATIVE_INFINITY;
  const take = (): ChangeBatch => {
    const batch: ChangeBatch = { changes: committed };
    if (position) batch.position = encodeBinlogPosition(position);
    if (committedAt) batch.committedAt = committedAt;
    if (committedAt) lastSentAt = committedAt.getTime();
    committed = [];
    position = undefined;
    return batch;
  };
  for await (const event of decoded) {
    for (const change of event.changes) {
      if (committed.length + open.length >= maxChanges) {
        if (committed.length > 0) yield take();
        else {
          yield { changes: open };
          open = [];
        }
      }
      open.push(change);
    }
    if (!event.place) continue;
    committed.push(...open);
    open = [];
    position = event.place.position;
    if (event.place.committedAt) committedAt = event.place.committedAt;
    const reachedEnd = options.end !== undefined && compareBinlogPlaces(position, options.end) >= 0;
    if (reachedEnd) {
      yield take();
      return;
    }
    if (options.waiting() > 0) continue;
    const quietFor = (committedAt?.getTime() ?? lastSentAt) - lastSentAt;
    if (committed.length > 0 || quietFor >= positionOnlyEveryMs) yield take();
  }
  // The reader was closed: what is complete still goes out (a transaction cut short by the close does not).
  if (committed.length > 0) yield take();
}
