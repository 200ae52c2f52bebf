// Reads a response body up to a byte cap. Bytes past the cap are never kept: the stream is read
// chunk by chunk, the chunk that crosses the cap is sliced, and the stream is destroyed at once so
// the socket stops delivering (memory stays at most `cap` bytes plus one in-flight chunk).
import type { Readable } from 'node:stream';

export interface CappedBody {
  bytes: Buffer;
  truncated: boolean;
}

export async function readCappedBody(stream: Readable, cap: number): Promise<CappedBody> {
  const chunks: Buffer[] = [];
  let kept = 0;
  let truncated = false;
  try {
    for await (const chunk of stream) {
      const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
      const room = cap - kept;
      if (buffer.length > room) {
        if (room > 0) chunks.push(buffer.subarray(0, room));
        kept += Math.max(room, 0);
        truncated = true;
        break;
      }
      chunks.push(buffer);
      kept += buffer.length;
    }
  } finally {
    // Breaking out of for-await destroys the stream; this also covers errors thrown above.
    if (!stream.destroyed) stream.destroy();
  }
  return { bytes: Buffer.concat(chunks, kept), truncated };
}
