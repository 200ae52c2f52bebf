// The streaming replication protocol's CopyData messages (the "Streaming Replication Protocol" chapter of the
// PostgreSQL documentation): the server sends XLogData (`w`, one output-plugin message) and primary keepalives
// (`k`); the client sends standby status updates (`r`) saying how far it has durably processed the log.

/** Microseconds between the Unix epoch and PostgreSQL's epoch (2000-01-01 00:00:00 UTC). */
const postgresEpochMicroseconds = 946_684_800_000_000n;

export type ServerMessage =
  | { kind: 'xlogData'; walStart: bigint; walEnd: bigint; data: Buffer }
  | { kind: 'keepalive'; walEnd: bigint; replyRequested: boolean };

export function parseServerMessage(message: Buffer): ServerMessage {
  const tag = message[0];
  if (tag === 0x77 /* w */) {
    return {
      kind: 'xlogData',
      walStart: message.readBigUInt64BE(1),
      walEnd: message.readBigUInt64BE(9),
      data: message.subarray(25),
    };
  }
  if (tag === 0x6b /* k */) {
    return { kind: 'keepalive', walEnd: message.readBigUInt64BE(1), replyRequested: message[17] === 1 };
  }
  throw new Error(`Unexpected replication message type 0x${(tag ?? 0).toString(16)}`);
}

/** A PostgreSQL timestamp (microseconds since 2000-01-01) as a Date (millisecond precision). */
export function postgresTimestampToDate(microseconds: bigint): Date {
  return new Date(Number((microseconds + postgresEpochMicroseconds) / 1000n));
}

/**
 * Written, flushed and applied are all `position`: for a logical slot the flush position becomes the slot's
 * confirmed_flush_lsn, and Ferry reports only what the destination has committed.
 */
export function standbyStatusUpdate(position: bigint, nowMs: number, replyRequested: boolean): Buffer {
  const message = Buffer.alloc(34);
  message[0] = 0x72; // r
  message.writeBigUInt64BE(position, 1);
  message.writeBigUInt64BE(position, 9);
  message.writeBigUInt64BE(position, 17);
  message.writeBigInt64BE(BigInt(nowMs) * 1000n - postgresEpochMicroseconds, 25);
  message[33] = replyRequested ? 1 : 0;
  return message;
}
