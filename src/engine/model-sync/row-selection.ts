// Partial runs: the rows a run with `rowLimit` (a test start) or `identities` (a start for some records) reads.
// A partial run has not seen the whole model, so the runner skips replace's deletions and the baseline after it.
import type { Row } from '../../connectors/records.ts';
import type { ModelSyncPlan } from './model-sync-plan.ts';

export interface RowSelection {
  partial: boolean;
  /** The batch's rows this run processes. */
  select(rows: Row[]): Row[];
  /** True once the row limit is reached: reading can stop. */
  done(): boolean;
}

function identityText(value: unknown, caseless: boolean): string | undefined {
  if (value === null || value === undefined) return undefined;
  const text =
    value instanceof Date ? value.toISOString() : typeof value === 'object' ? JSON.stringify(value) : String(value);
  return caseless ? text.trim().toLowerCase() : text;
}

export function rowSelection(plan: ModelSyncPlan): RowSelection {
  let remaining = plan.rowLimit ?? Number.POSITIVE_INFINITY;
  let matches: ((row: Row) => boolean) | undefined;
  if (plan.identities !== undefined) {
    const caseless = plan.identity?.function === 'ISubstring';
    const wanted = new Set(plan.identities.map((identity) => identityText(identity, caseless)));
    const field = plan.identity?.source.field;
    matches = (row) => field !== undefined && wanted.has(identityText(row[field], caseless));
  }
  return {
    partial: plan.rowLimit !== undefined || plan.identities !== undefined,
    select(rows) {
      let selected = matches ? rows.filter(matches) : rows;
      if (selected.length > remaining) selected = selected.slice(0, remaining);
      remaining -= selected.length;
      return selected;
    },
    done: () => remaining <= 0,
  };
}
