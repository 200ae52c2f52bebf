// Turns one schema's changes of a batch into the few destination steps that give the same end state. Pure: the
// rules are unit-tested without a destination (test/engine/bulk/change-collapse.test.ts).
//
// - Within a run of changes between two barriers (truncate, schema), changes to one key collapse to the last one:
//   a delete wins over what came before it; an upsert overlays the fields it carries on the key's earlier upsert.
//   A field the log did not carry (`unchanged`, PostgreSQL's unchanged TOASTed value) keeps the earlier upsert's
//   value, or, with no earlier upsert in the run, is left out of the write so the destination keeps its own value.
// - Upserts are grouped by the exact set of fields they carry, because a destination write fills the fields a
//   record lacks with null: a group is written with only its own fields.
// - Barriers stay in place: everything before a truncate is written before it, everything after, after it.
// - A schema without a primary key (REPLICA IDENTITY FULL at the source) cannot collapse: its changes are applied in
//   order, deletes by the whole row, and an upsert first deletes rows equal to it, so a replayed batch converges.
import type { Change } from '../../connectors/change-capture.ts';
import type { FieldDescription, Row } from '../../connectors/records.ts';

export type ChangeStep =
  /** Source rows (source field ids), all carrying exactly the same fields. */
  | { kind: 'upsert'; rows: Row[] }
  /** Source key rows: the key fields, or every field for a table without a primary key. */
  | { kind: 'delete'; keys: Row[] }
  /** Rows of a table without a key, inserted as they are (after their equal rows were deleted). */
  | { kind: 'insert'; rows: Row[] }
  | { kind: 'truncate' }
  | { kind: 'schema'; fields: FieldDescription[] };

type Collapsed = { kind: 'upsert'; row: Row } | { kind: 'delete'; key: Row };

/** A key's identity as a string: values of different JS types that print alike never meet within one source. */
function keyOf(row: Row, primaryKey: readonly string[]): string {
  return JSON.stringify(primaryKey.map((field) => valueKey(row[field])));
}

function valueKey(value: unknown): unknown {
  if (typeof value === 'bigint') return `n:${value}`;
  if (value instanceof Date) return `d:${value.toISOString()}`;
  if (Buffer.isBuffer(value)) return `b:${value.toString('hex')}`;
  return value ?? null;
}

function carried(change: Extract<Change, { kind: 'upsert' }>): Row {
  if (!change.unchanged || change.unchanged.length === 0) return change.row;
  const row: Row = { ...change.row };
  for (const field of change.unchanged) delete row[field];
  return row;
}

function flushKeyed(collapsed: Map<string, Collapsed>, steps: ChangeStep[]): void {
  if (collapsed.size === 0) return;
  const keys: Row[] = [];
  const groups = new Map<string, Row[]>();
  for (const entry of collapsed.values()) {
    if (entry.kind === 'delete') {
      keys.push(entry.key);
      continue;
    }
    const signature = JSON.stringify(Object.keys(entry.row).sort());
    const group = groups.get(signature);
    if (group) group.push(entry.row);
    else groups.set(signature, [entry.row]);
  }
  if (keys.length > 0) steps.push({ kind: 'delete', keys });
  for (const rows of groups.values()) steps.push({ kind: 'upsert', rows });
  collapsed.clear();
}

/**
 * The steps for one schema's changes, in source order. `primaryKey` is the source's key fields; empty for a table
 * without one.
 */
export function collapseChanges(changes: readonly Change[], primaryKey: readonly string[]): ChangeStep[] {
  const steps: ChangeStep[] = [];
  if (primaryKey.length === 0) return unkeyedSteps(changes);
  const collapsed = new Map<string, Collapsed>();
  for (const change of changes) {
    switch (change.kind) {
      case 'upsert': {
        const key = keyOf(change.row, primaryKey);
        const before = collapsed.get(key);
        const row = carried(change);
        collapsed.delete(key);
        collapsed.set(key, { kind: 'upsert', row: before?.kind === 'upsert' ? { ...before.row, ...row } : row });
        break;
      }
      case 'delete': {
        const key = keyOf(change.key, primaryKey);
        collapsed.delete(key);
        collapsed.set(key, { kind: 'delete', key: change.key });
        break;
      }
      case 'truncate':
        // Nothing before a truncate survives it: the pending writes are dropped rather than written and erased.
        collapsed.clear();
        steps.push({ kind: 'truncate' });
        break;
      case 'schema':
        flushKeyed(collapsed, steps);
        steps.push({ kind: 'schema', fields: change.fields });
        break;
    }
  }
  flushKeyed(collapsed, steps);
  return steps;
}

function unkeyedSteps(changes: readonly Change[]): ChangeStep[] {
  const steps: ChangeStep[] = [];
  const last = () => steps[steps.length - 1];
  for (const change of changes) {
    if (change.kind === 'upsert') {
      const row = carried(change);
      // Deleting the equal rows first makes the insert idempotent when a batch is replayed after a crash.
      steps.push({ kind: 'delete', keys: [row] }, { kind: 'insert', rows: [row] });
    } else if (change.kind === 'delete') {
      const previous = last();
      if (previous?.kind === 'delete') previous.keys.push(change.key);
      else steps.push({ kind: 'delete', keys: [change.key] });
    } else if (change.kind === 'truncate') steps.push({ kind: 'truncate' });
    else steps.push({ kind: 'schema', fields: change.fields });
  }
  return steps;
}
