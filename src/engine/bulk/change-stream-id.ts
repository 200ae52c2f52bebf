// The name of a sync's change stream on its source (a PostgreSQL replication slot is named this): `ferry_` and the
// sync id without dashes, which fits PostgreSQL's slot-name rules (lower case, digits, underscores, at most 63).
export function changeStreamIdOf(syncId: string): string {
  return `ferry_${syncId.replaceAll('-', '').toLowerCase()}`;
}
