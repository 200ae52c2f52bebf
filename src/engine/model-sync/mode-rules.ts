// What each ModelsyncSyncTargetMode does, as data read by the runner (rules as data, style point 12).
import type { TargetOperation } from '../../connectors/connector.ts';
import type { SyncMode } from './model-sync-plan.ts';

export interface ModeRule {
  /** identity: state keyed by the identity; content: keyed by the record's hash (no identity); none: no state. */
  keyedBy: 'identity' | 'content' | 'none';
  /** The operation for a key the state does not hold. */
  whenNew: TargetOperation;
  /** The operation for a key whose values changed; undefined leaves the target record alone. */
  whenChanged?: TargetOperation;
  /** replace: keys the model no longer holds are deleted from the target. */
  deleteUnseen: boolean;
  /** What a record_not_found rejection means for this mode. */
  notFound: 'accepted' | 'warning' | 'error';
  /** Modes the target object must declare (TargetObject.modes). */
  targetModes: string[];
}

export const modeRules: Readonly<Record<SyncMode, ModeRule>> = {
  // Only rows never delivered are inserted; changes to delivered rows are not sent.
  create: { keyedBy: 'identity', whenNew: 'insert', deleteUnseen: false, notFound: 'error', targetModes: ['create'] },
  // Never creates: a row the target lacks is a warning, and is tried again next run (state not advanced).
  update: {
    keyedBy: 'identity',
    whenNew: 'update',
    whenChanged: 'update',
    deleteUnseen: false,
    notFound: 'warning',
    targetModes: ['update'],
  },
  updateOrCreate: {
    keyedBy: 'identity',
    whenNew: 'upsert',
    whenChanged: 'upsert',
    deleteUnseen: false,
    notFound: 'error',
    targetModes: ['updateOrCreate'],
  },
  replace: {
    keyedBy: 'identity',
    whenNew: 'upsert',
    whenChanged: 'upsert',
    deleteUnseen: true,
    notFound: 'accepted',
    targetModes: ['updateOrCreate', 'remove'],
  },
  // A changed row has a new content hash, so it is appended again as a new record: the log grows.
  append: { keyedBy: 'content', whenNew: 'insert', deleteUnseen: false, notFound: 'error', targetModes: ['create'] },
  // A delete the target cannot match is already done. A removed row stays in state: not re-deleted.
  remove: {
    keyedBy: 'identity',
    whenNew: 'delete',
    deleteUnseen: false,
    notFound: 'accepted',
    targetModes: ['remove'],
  },
  // The whole model every run, no state: a killed run leaves a partial snapshot and the next writes a full one.
  snapshot: { keyedBy: 'none', whenNew: 'insert', deleteUnseen: false, notFound: 'error', targetModes: ['create'] },
};
