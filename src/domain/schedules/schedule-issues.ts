// What validation returns. `field` is the path the API puts in ApiError `metadata.field` (docs/errors.md), e.g.
// `additional_schedules[1].hour`; every schedule issue is a 422 `unprocessable` refusal.

export interface ScheduleIssue {
  field: string;
  message: string;
}

export type Validated<T> = { ok: true; value: T } | { ok: false; issues: ScheduleIssue[] };

export function joinPath(parent: string, child: string): string {
  if (!parent) return child;
  return child.startsWith('[') ? `${parent}${child}` : `${parent}.${child}`;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Clients generated from the spec (Go's omitempty aside) send `null` or `""` for an unset string; both mean absent. */
export function isAbsent(value: unknown): boolean {
  return value === undefined || value === null || value === '';
}
