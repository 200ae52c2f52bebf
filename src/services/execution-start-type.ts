// Who started an execution, as its `type` shows it (the spec's examples show "scheduled"): the API (`manual`, or a
// model sync's test, identities and resync starts) or the scheduler (`scheduled`).
export type ExecutionStartType = 'manual' | 'scheduled';
