// normalize_names: how source names become destination names. The rules, exactly (also in
// docs/bulk-engine.md; test/engine/bulk/name-normalization.test.ts checks each clause):
// - disabled: the name is kept as the source spells it.
// - enabled:
//   1. Unicode NFKD, then combining marks are removed (`Café` → `Cafe`);
//   2. lower-cased;
//   3. every run of characters other than `a-z`, `0-9` and `_` becomes one `_`;
//   4. leading and trailing `_` are removed;
//   5. a name that starts with a digit gets a leading `_`; an empty result becomes `_`;
//   6. cut to 63 characters (PostgreSQL's identifier limit, the tightest of the SQL destinations),
//      and `_` left at the end by the cut removed (so normalising twice changes nothing).
// - legacy (the older rule, kept for syncs created with it): lower-cased, and each character other
//   than `a-z`, `0-9` and `_` becomes `_`, one for one; nothing is trimmed, folded or cut.
// Two fields that normalise to the same name are told apart by suffixes `_2`, `_3`, … in source
// order (uniqueNames), because a destination table cannot have two columns of one name.
import type { NormalizeNames } from './bulk-sync-plan.ts';

const identifierLimit = 63;

export function normalizeName(name: string, rule: NormalizeNames): string {
  switch (rule) {
    case 'disabled':
      return name;
    case 'legacy':
      return name.toLowerCase().replace(/[^a-z0-9_]/g, '_');
    case 'enabled': {
      let result = name
        .normalize('NFKD')
        .replace(/\p{M}/gu, '')
        .toLowerCase()
        .replace(/[^a-z0-9_]+/g, '_')
        .replace(/^_+|_+$/g, '');
      if (result === '') result = '_';
      if (/^[0-9]/.test(result)) result = `_${result}`;
      return result.slice(0, identifierLimit).replace(/(.)_+$/, '$1');
    }
  }
}

/** Normalises each name and makes the results unique with `_2`, `_3`, … suffixes (first one wins). */
export function uniqueNames(names: readonly string[], rule: NormalizeNames): string[] {
  const taken = new Set<string>();
  return names.map((name) => {
    const base = normalizeName(name, rule);
    let candidate = base;
    for (let suffix = 2; taken.has(candidate); suffix += 1) candidate = `${base}_${suffix}`;
    taken.add(candidate);
    return candidate;
  });
}

/** The default output name of a source schema: its last dotted part (the table name), normalised. */
export function defaultOutputName(schemaId: string, rule: NormalizeNames): string {
  return normalizeName(schemaId.slice(schemaId.lastIndexOf('.') + 1), rule);
}
