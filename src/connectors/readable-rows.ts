// Rows of an object-mode stream (a driver's row stream) taken straight from its buffer with read(), waiting only
// when the buffer is empty. `for await` over the stream instead costs a promise, a result object and a microtask
// per row, which on a bulk read is much of the garbage a row leaves behind.
import type { Readable } from 'node:stream';

/**
 * Listens to `stream` from now on (so an error it emits while no one waits is kept, not thrown at the process) and
 * returns the wait to call after read() gave null: true when read() may give rows again, false at the end;
 * throws the stream's error.
 */
export function waitForRows(stream: Readable): () => Promise<boolean> {
  let failure: unknown;
  let wake: (() => void) | undefined;
  // Set by every event since the last wait: a 'readable' at the end of the result comes with an empty buffer, and
  // only the read() it asks for emits 'end'.
  let signalled = false;
  const notify = () => {
    signalled = true;
    wake?.();
  };
  stream.on('error', (error) => {
    failure ??= error;
    notify();
  });
  stream.on('readable', notify);
  stream.on('end', notify);
  stream.on('close', notify);
  return async () => {
    while (true) {
      const error = failure ?? stream.errored;
      if (error) throw error;
      if (stream.readableEnded || stream.destroyed) return false;
      if (stream.readableLength > 0 || signalled) {
        signalled = false;
        return true;
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
      wake = undefined;
    }
  };
}
