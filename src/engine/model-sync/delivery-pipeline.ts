// One delivery (a target write, then the state commit of what it delivered) runs beside the engine's work on the next
// batches: while the target takes batch N's changes, batch N+1 is read, mapped, hashed, diffed and logged. A backfill
// spent as long in the engine and the state commits as in the target writes, one after the other (bench/model-sync).
//
// Why the guarantees hold (docs/model-sync-engine.md, "Delivery and state"):
// - A delivery commits the state of a record only after the target accepted it, as before.
// - At most one delivery is in flight: the next waits for the one before, write and commit. So at most one write has
//   reached the target without its state, and a crash replays that one write, as without the overlap.
// - A key in flight is about to have its state moved: a batch that meets it again waits for the delivery before it
//   diffs the key (held), so a duplicate identity is compared with the state the delivery left.
// - State commits never overlap (commit): the state cache keeps the store's generation token by the commit that
//   returned it, which assumes one commit at a time.
// - The run waits for the delivery in flight however it ends (drain), so no write or commit outlives the run.
import { throwIfAborted } from '../../connectors/connector-error.ts';

interface Flight {
  keys: ReadonlySet<string>;
  done: Promise<void>;
  failure?: { error: unknown };
}

export interface DeliveryPipeline {
  /** The keys whose changes are in flight (their state is about to move); empty when none is. */
  readonly held: ReadonlySet<string>;
  /** Waits for the delivery in flight, then starts `delivery` of `keys` without waiting for it. */
  launch(keys: ReadonlySet<string>, delivery: () => Promise<void>): Promise<void>;
  /** Waits for the delivery in flight; throws its error. */
  settle(): Promise<void>;
  /** Throws now if the delivery in flight has failed, so that the run stops instead of working on. */
  throwIfFailed(): void;
  /** Waits for the delivery in flight, ignoring its failure: the run has already failed for another reason. */
  drain(): Promise<void>;
  /** Runs a state commit once the commit running (if any) has ended. */
  commit<T>(work: () => Promise<T>): Promise<T>;
}

const nothing: ReadonlySet<string> = new Set();

export function createDeliveryPipeline(signal: AbortSignal): DeliveryPipeline {
  let flight: Flight | undefined;
  let commits: Promise<unknown> = Promise.resolve();
  const settle = async () => {
    const current = flight;
    if (!current) return;
    await current.done;
    if (flight === current) flight = undefined;
  };
  return {
    get held() {
      return flight?.keys ?? nothing;
    },
    async launch(keys, delivery) {
      await settle();
      // A canceled run starts no write (the target would refuse it anyway).
      throwIfAborted(signal);
      const current: Flight = { keys, done: Promise.resolve() };
      current.done = delivery().then(
        () => {
          // Done and committed: its keys no longer wait for anything.
          if (flight === current) flight = undefined;
        },
        (error: unknown) => {
          current.failure = { error };
          throw error;
        },
      );
      // Observed by settle or drain; until then, its failure must not surface as unhandled.
      current.done.catch(() => {});
      flight = current;
    },
    settle,
    throwIfFailed() {
      if (flight?.failure) throw flight.failure.error;
    },
    async drain() {
      await flight?.done.catch(() => {});
    },
    commit(work) {
      const result = commits.then(work);
      commits = result.catch(() => {});
      return result;
    },
  };
}
