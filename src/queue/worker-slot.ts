// A worker's stable identity, shared by both adapters. StartOptions.workerId names a worker across restarts; since
// two live processes may be given the same name (two `ferry worker` on one machine), the worker locks a *slot* of
// it, the first free one of `<id>`, `<id>#2`, `<id>#3`, …, and claims its jobs as that slot. The lock (a file lock,
// a PostgreSQL advisory lock) is released by the operating system or the server when the process dies, so a free
// slot proves that nothing alive runs the jobs the slot still holds: its new holder may release them at once.
// Slots are tried in order, so a process that restarts while its siblings live gets its own slot back.

export interface SlotLock {
  release(): Promise<void>;
}

export interface ClaimedSlot {
  slotId: string;
  lock: SlotLock;
}

/** More slots than this means something starts workers in a loop; fail loudly rather than scan forever. */
export const maxWorkerSlots = 64;

function slotId(workerId: string, slot: number): string {
  return slot === 1 ? workerId : `${workerId}#${slot}`;
}

/** What a worker id may look like: it ends up in logs, lock file names and `locked_by`. */
export const workerIdPattern = /^[A-Za-z0-9][A-Za-z0-9._:@-]{0,99}$/;

export async function claimWorkerSlot(
  workerId: string,
  tryLock: (slotId: string) => Promise<SlotLock | undefined>,
): Promise<ClaimedSlot> {
  if (!workerIdPattern.test(workerId))
    throw new Error(`worker id ${JSON.stringify(workerId)} must match ${workerIdPattern} (letters, digits, ._:@-)`);
  for (let slot = 1; slot <= maxWorkerSlots; slot += 1) {
    const id = slotId(workerId, slot);
    const lock = await tryLock(id);
    if (lock) return { slotId: id, lock };
  }
  throw new Error(`all ${maxWorkerSlots} slots of worker id ${workerId} are held by live processes`);
}
