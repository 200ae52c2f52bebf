// CheckpointStore kept in memory: for tests and one-off runs (a CLI copy) that need no resume.
import type { BulkCheckpoint, CheckpointStore, StoredCheckpoint, StoredStreamState } from './checkpoint-store.ts';

export function createMemoryCheckpointStore(now: () => Date = () => new Date()): CheckpointStore {
  const rows = new Map<string, StoredCheckpoint>();
  const streams = new Map<string, StoredStreamState>();
  const key = (syncId: string, schemaId: string) => JSON.stringify([syncId, schemaId]);
  return {
    async load(syncId, schemaId) {
      const found = rows.get(key(syncId, schemaId));
      return found ? structuredClone(found) : undefined;
    },
    async save(checkpoint: BulkCheckpoint) {
      rows.set(
        key(checkpoint.syncId, checkpoint.schemaId),
        structuredClone({ ...checkpoint, updatedAt: now().toISOString() }),
      );
    },
    async clear(syncId, schemaId) {
      rows.delete(key(syncId, schemaId));
    },
    async loadStream(syncId) {
      const found = streams.get(syncId);
      return found ? structuredClone(found) : undefined;
    },
    async saveStream(state) {
      const at = now().toISOString();
      const createdAt = streams.get(state.syncId)?.createdAt ?? at;
      streams.set(state.syncId, structuredClone({ ...state, createdAt, updatedAt: at }));
    },
    async clearStream(syncId) {
      streams.delete(syncId);
    },
    async listStreams() {
      return [...streams.values()].map((state) => structuredClone(state));
    },
  };
}
