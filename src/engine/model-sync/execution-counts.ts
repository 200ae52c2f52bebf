// The spec's ExecutionCounts, as one execution accumulates them.
import type { TargetOperation } from '../../connectors/connector.ts';

export interface ExecutionCounts {
  /** Records the target accepted as new (an upsert of a key the state did not hold counts here). */
  insert: number;
  /** Records the target accepted as changes. */
  update: number;
  delete: number;
  /** Accepted records sent with the upsert operation (also counted in insert or update). */
  upserts: number;
  /** Records the target rejected. */
  error: number;
  warnings: number;
  /** Model rows read. */
  total: number;
}

export function emptyCounts(): ExecutionCounts {
  return { insert: 0, update: 0, delete: 0, upserts: 0, error: 0, warnings: 0, total: 0 };
}

/** The count a delivered record lands in: an upsert is an insert or an update by what the state held. */
export function countCategory(operation: TargetOperation, wasStored: boolean): 'insert' | 'update' | 'delete' {
  if (operation === 'delete') return 'delete';
  if (operation === 'insert') return 'insert';
  if (operation === 'update') return 'update';
  return wasStored ? 'update' : 'insert';
}
