// Reads one batch ahead: the source's next batch is requested before the current one is handed on, so reading batch
// n+1 (a database round trip, row parsing in the driver's callbacks) overlaps the engine's work on batch n. Reading
// changes no state, so the delivery guarantees are untouched; memory holds two batches instead of one.
export async function* readAhead<T>(source: AsyncIterable<T>): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]();
  let next = iterator.next();
  try {
    for (;;) {
      const result = await next;
      if (result.done) return;
      next = iterator.next();
      // Awaited on the next turn; if the consumer stops first, its failure must not surface as unhandled.
      next.catch(() => {});
      yield result.value;
    }
  } finally {
    // The consumer stopped early (break, a failure): close the source. An async generator runs return() after the
    // read in flight, so a cursor is closed and its connection released either way.
    await iterator.return?.();
  }
}
