// The plan's filters and filter_logic compiled into one predicate over (model row, mapped record).
import type { Row } from '../../connectors/records.ts';
import { allFilters, evaluateFilterLogic, parseFilterLogic } from './filter-logic.ts';
import { filterPredicates } from './filter-functions.ts';
import type { Filter, ModelSyncPlan } from './model-sync-plan.ts';

export type RecordFilter = (row: Row, record: Row) => boolean;

/** The value a filter compares: a mapped-record field for a Target filter, else a model-row field. */
function comparedValue(filter: Filter, row: Row, record: Row): unknown {
  if (filter.field_type === 'Target') return record[filter.field_id ?? filter.field?.field ?? ''];
  return row[filter.field?.field ?? filter.field_id ?? ''];
}

/** Throws FilterLogicError for bad logic and TypeError for an unknown function, before any row is read. */
export function compileRecordFilter(plan: Pick<ModelSyncPlan, 'filters' | 'filter_logic'>, now: Date): RecordFilter {
  const filters = plan.filters ?? [];
  if (filters.length === 0) return () => true;
  const predicates = filters.map((filter) => {
    const predicate = filterPredicates[filter.function];
    if (!predicate) throw new TypeError(`unknown filter function ${String(filter.function)}`);
    return predicate;
  });
  const logic = plan.filter_logic?.trim()
    ? parseFilterLogic(plan.filter_logic, filters.length)
    : allFilters(filters.length);
  return (row, record) =>
    evaluateFilterLogic(logic, (index) =>
      predicates[index](comparedValue(filters[index], row, record), filters[index].value, now),
    );
}

/** Whether the plan's filters read the mapped record (a Target filter), or only the model row. */
export function filterReadsRecord(plan: Pick<ModelSyncPlan, 'filters'>): boolean {
  return (plan.filters ?? []).some((filter) => filter.field_type === 'Target');
}
