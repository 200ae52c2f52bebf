// StateStore kept in process memory: for tests and for one-off runs that need no persistence.
import { randomUUID } from 'node:crypto';
import type { Baseline, RecordState, StateStore } from '../state-store.ts';

interface Entry extends RecordState {
  seenBy: string | undefined;
}

const byKey = (left: Entry, right: Entry) => (left.key < right.key ? -1 : left.key > right.key ? 1 : 0);

export function createInMemoryStateStore(): StateStore {
  const syncs = new Map<string, Map<string, Entry>>();
  const baselines = new Map<string, Baseline>();
  const generations = new Map<string, string>();
  const entries = (syncId: string) => {
    let found = syncs.get(syncId);
    if (!found) {
      found = new Map();
      syncs.set(syncId, found);
    }
    return found;
  };
  const copy = (entry: Entry): RecordState => ({
    key: entry.key,
    hash: entry.hash,
    identity: structuredClone(entry.identity),
  });
  return {
    inProcess: true,
    async differing(syncId, records) {
      const stored = entries(syncId);
      const found = new Map<string, string | undefined>();
      for (const { key, hash } of records) {
        const entry = stored.get(key);
        if (entry?.hash !== hash) found.set(key, entry?.hash);
      }
      return found;
    },
    async commit(syncId, change) {
      if (change.upserts.length === 0 && change.deletes.length === 0 && change.seen.length === 0) return undefined;
      const stored = entries(syncId);
      for (const { key, hash, identity } of change.upserts)
        stored.set(key, { key, hash, identity: structuredClone(identity), seenBy: change.executionId });
      for (const key of change.deletes) stored.delete(key);
      for (const key of change.seen) {
        const entry = stored.get(key);
        if (entry) entry.seenBy = change.executionId;
      }
      const generation = randomUUID();
      generations.set(syncId, generation);
      return generation;
    },
    async generation(syncId) {
      return generations.get(syncId);
    },
    async forEachHash(syncId, take) {
      for (const entry of [...entries(syncId).values()]) if (!take(entry.key, entry.hash)) return;
    },
    async listUnseen(syncId, executionId, { afterKey, limit }) {
      return [...entries(syncId).values()]
        .filter((entry) => entry.seenBy !== executionId && (afterKey === undefined || entry.key > afterKey))
        .sort(byKey)
        .slice(0, limit)
        .map(copy);
    },
    async baseline(syncId) {
      const found = baselines.get(syncId);
      return found ? { ...found } : undefined;
    },
    async establishBaseline(syncId, baseline) {
      if (!baselines.has(syncId)) baselines.set(syncId, { ...baseline });
    },
    async clear(syncId) {
      syncs.delete(syncId);
      baselines.delete(syncId);
      generations.delete(syncId);
    },
    async count(syncId) {
      return entries(syncId).size;
    },
  };
}
