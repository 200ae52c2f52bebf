// A delivery (a target write, then the state commit of what it delivered) runs beside the engine's work on the next
// batches: while the target takes batch N's changes, batch N+1 is read, mapped, hashed, diffed and logged. A backfill
// spent as long in the engine and the state commits as in the target writes, one after the other (bench/model-sync).
//
// Why the guarantees hold (docs/model-sync-engine.md, "Delivery and state"):
// - A delivery commits the state of a record only after the target accepted it, as before.
// - One write at a time. The next write waits for the delivery before it, commit included, so at most one write has
//   reached the target without its state and a crash replays that one write, as without the overlap. Where a replay
//   is absorbed (a backfill's grouped upserts, updates, deletes: `overlapCommits`), the next write waits for the
//   write before it only, and runs while that one's state is committed: a crash then replays at most those two.
// - A key in flight is about to have its state moved: a batch that meets it again waits for the deliveries (settle)
//   before it diffs the key (`held`), so a duplicate identity is compared with the state the delivery left.
// - State commits never overlap, and run in the order of their writes (commit): the state cache keeps the store's
//   generation token by the commit that returned it, which assumes one commit at a time.
// - The run waits for the deliveries in flight however it ends (drain), so no write or commit outlives the run.
import { throwIfAborted } from '../../connectors/connector-error.ts';

interface Flight {
  keys: ReadonlySet<string>;
  /** Its writes are done and its commit is queued. */
  written: Promise<void>;
  /** Its commit is done. */
  done: Promise<void>;
  failure?: { error: unknown };
}

/** What a delivery is given: `written()` is called once its writes are done and its commit is queued. */
type Delivery = (written: () => void) => Promise<void>;

export interface DeliveryPipeline {
  /** The keys whose changes are in flight (their state is about to move); empty when none is. */
  readonly held: ReadonlySet<string>;
  /** Whether a delivery is in flight. */
  readonly inFlight: boolean;
  /**
   * Waits for the delivery before (its commit too, unless `overlapCommits`), then starts `delivery` of `keys` without
   * waiting for it.
   */
  launch(keys: ReadonlySet<string>, delivery: Delivery): Promise<void>;
  /** Waits for every delivery in flight; throws the first failure. */
  settle(): Promise<void>;
  /** Throws now if a delivery has failed, so that the run stops instead of working on. */
  throwIfFailed(): void;
  /** Waits for every delivery in flight, ignoring failures: the run has already failed for another reason. */
  drain(): Promise<void>;
  /** Runs a state commit once the commits queued before it have ended. */
  commit<T>(work: () => Promise<T>): Promise<T>;
}

export function createDeliveryPipeline(signal: AbortSignal, options: { overlapCommits: boolean }): DeliveryPipeline {
  let flights: Flight[] = [];
  const held = new Set<string>();
  let commits: Promise<unknown> = Promise.resolve();
  const landed = (flight: Flight) => {
    flights = flights.filter((other) => other !== flight);
    for (const key of flight.keys) held.delete(key);
  };
  return {
    held,
    get inFlight() {
      return flights.length > 0;
    },
    async launch(keys, delivery) {
      const before = flights.at(-1);
      if (before) await (options.overlapCommits ? before.written : before.done);
      // A canceled run starts no write (the target would refuse it anyway).
      throwIfAborted(signal);
      let written!: () => void;
      const flight: Flight = {
        keys,
        written: new Promise<void>((resolve) => (written = resolve)),
        done: Promise.resolve(),
      };
      flight.done = delivery(written).then(
        () => landed(flight),
        (error: unknown) => {
          flight.failure = { error };
          throw error;
        },
      );
      // A failed delivery never calls written(): whoever waits for it waits for its end, and gets its error.
      flight.written = Promise.race([flight.written, flight.done]);
      // Observed by settle, launch or drain; until then, a failure must not surface as unhandled.
      flight.written.catch(() => {});
      flights.push(flight);
      for (const key of keys) held.add(key);
    },
    async settle() {
      for (const flight of [...flights]) await flight.done;
    },
    throwIfFailed() {
      const failed = flights.find((flight) => flight.failure);
      if (failed) throw failed.failure!.error;
    },
    async drain() {
      await Promise.allSettled(flights.map((flight) => flight.done));
    },
    commit(work) {
      const result = commits.then(work);
      commits = result.catch(() => {});
      return result;
    },
  };
}
