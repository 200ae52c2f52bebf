// Reading a source's change-capture requirements (ChangeCaptureSource.check): which failing ones stop the whole
// stream, and which belong to one table. A table's requirement is named `<requirement>:<schema id>` (the PostgreSQL
// facet's `replica_identity:public.items`); a bare `replica_identity` names no table, and the caller asks again
// table by table.
import type { ChangeCaptureRequirement } from '../../connectors/change-capture.ts';

const perTableRequirements = ['replica_identity', 'table_owner'];

/** A failing requirement that refuses the stream; a failing warning (wal_sender_timeout = 0) is only reported. */
export function refuses(requirement: ChangeCaptureRequirement): boolean {
  return !requirement.ok && requirement.warning !== true;
}

/** Whether the requirement is about one table rather than the server or the role. */
export function isTableRequirement(requirement: ChangeCaptureRequirement): boolean {
  return perTableRequirements.includes(requirement.name.split(':')[0]!);
}

/** The schema id a table requirement names, when it names one. */
export function requirementTable(requirement: ChangeCaptureRequirement): string | undefined {
  const separator = requirement.name.indexOf(':');
  return separator < 0 ? undefined : requirement.name.slice(separator + 1);
}
