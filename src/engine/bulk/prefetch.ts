// One batch of lookahead: the next batch is read while the current one is written, so source and
// destination latencies overlap. Memory stays bounded by two batches, and backpressure holds because
// nothing further is requested until the consumer takes the prefetched batch.

export async function* prefetchOne<T>(iterable: AsyncIterable<T>): AsyncGenerator<T> {
  const iterator = iterable[Symbol.asyncIterator]();
  let pending = iterator.next();
  // The consumer may stop (error, cancel) while a read is in flight; its rejection is handled below.
  pending.catch(() => {});
  let finished = false;
  try {
    while (true) {
      const result = await pending;
      if (result.done) {
        finished = true;
        return;
      }
      pending = iterator.next();
      pending.catch(() => {});
      yield result.value;
    }
  } finally {
    if (!finished) {
      // Wait for the read in flight, then close the source (releases its cursor and client).
      const last = await pending.catch(() => ({ done: true }) as IteratorResult<T>);
      if (!last.done) await iterator.return?.();
    }
  }
}
