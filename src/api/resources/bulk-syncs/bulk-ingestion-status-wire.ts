// A sync's change stream → the spec's `ingestion_status` of GET /api/bulk/syncs/{id}/status, with Ferry's
// `bytes_behind` (docs/change-capture.md, "The sync status").
import Type from 'typebox';
import type { ChangeStreamStatus } from '../../../services/change-stream-status.ts';

export const BulkSyncIngestionStatus = Type.Object(
  {
    enabled: Type.Optional(Type.Boolean()),
    highwater_mark: Type.Optional(Type.String()),
    is_running: Type.Optional(Type.Boolean()),
    position: Type.Optional(Type.String()),
    position_time: Type.Optional(Type.String()),
    status: Type.Optional(Type.Union([Type.Literal('ok'), Type.Literal('warning'), Type.Literal('error')])),
    status_message: Type.Optional(Type.String()),
    updated_at: Type.Optional(Type.String()),
    bytes_behind: Type.Optional(
      Type.Integer({
        minimum: 0,
        description:
          "Ferry extension: the source's log the change stream has not consumed yet, in bytes (PostgreSQL: WAL retained by the replication slot; MySQL/MariaDB: binlog after the stream's position). Above FERRY_CDC_LAG_WARN_BYTES the status is `warning`.",
        'x-ferry-extension': true,
      }),
    ),
  },
  { title: 'BulkSyncIngestionStatus' },
);

const bytes = (value: number) => value.toLocaleString('en-US');

/** `running`: an execution of the sync is open (a change-capture run streams, or copies the snapshot). */
export function ingestionStatusToWire(capture: ChangeStreamStatus, running: boolean) {
  const { stream, bytesBehind, warnBytes } = capture;
  const common = { enabled: true, is_running: running };
  if (!stream)
    return {
      ...common,
      status: 'ok' as const,
      status_message: 'No change stream yet: the next run copies a snapshot and starts streaming from it.',
    };
  const where = {
    ...(stream.position === null ? {} : { position: stream.position }),
    updated_at: stream.updatedAt,
  };
  if (stream.phase === 'snapshotting')
    return {
      ...common,
      ...where,
      status: 'ok' as const,
      status_message: 'Copying the initial snapshot; changes stream once it is copied.',
      ...(bytesBehind === undefined ? {} : { bytes_behind: bytesBehind }),
    };
  if (bytesBehind === undefined)
    return {
      ...common,
      ...where,
      status: 'error' as const,
      status_message: `How far the change stream is behind is not known: ${capture.unmeasured ?? 'the source does not say'}.`,
    };
  const over = bytesBehind > warnBytes;
  return {
    ...common,
    ...where,
    status: over ? ('warning' as const) : ('ok' as const),
    status_message: over
      ? `The change stream is ${bytes(bytesBehind)} bytes behind the source, over the warning threshold of ${bytes(warnBytes)} (FERRY_CDC_LAG_WARN_BYTES): the source keeps that much log until Ferry catches up.`
      : `The change stream is ${bytes(bytesBehind)} bytes behind the source (warning threshold ${bytes(warnBytes)}).`,
    bytes_behind: bytesBehind,
  };
}
