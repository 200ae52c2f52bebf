// Reads ahead: up to `depth` of the source's next batches are requested before the current one is handed on, so
// reading them (database round trips, row parsing in the driver's callbacks) overlaps the engine's work on this one.
// A source that fetches several batches a round trip (PostgreSQL: 5,000 rows, five batches) needs a depth of that
// many for its next round trip to start while the rows it fetched are still being worked; with one, the engine waited
// for every fetch. Reading changes no state, so the delivery guarantees are untouched; memory holds `depth` more
// batches. The source's next() is called one at a time, each after the one before has settled.
export async function* readAhead<T>(source: AsyncIterable<T>, depth = 1): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]();
  const ahead: Array<Promise<IteratorResult<T>>> = [];
  let last: Promise<IteratorResult<T>> | undefined;
  const request = () => {
    const next: Promise<IteratorResult<T>> = last
      ? last.then((result) => (result.done ? result : iterator.next()))
      : iterator.next();
    // Awaited in its turn; if the consumer stops first, its failure must not surface as unhandled.
    next.catch(() => {});
    last = next;
    ahead.push(next);
  };
  try {
    request();
    for (;;) {
      const result = await ahead.shift()!;
      if (result.done) return;
      while (ahead.length < depth) request();
      yield result.value;
    }
  } finally {
    // The consumer stopped early (break, a failure): close the source after the reads in flight, so a cursor is
    // closed and its connection released either way.
    await Promise.allSettled(ahead);
    await iterator.return?.();
  }
}
