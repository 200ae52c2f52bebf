// The statements a row-based binlog still carries as text (QUERY events): transaction control, and DDL. Change
// capture needs to know which table a TRUNCATE empties and which an ALTER TABLE reshapes; everything else in a
// QUERY event (CREATE, DROP, GRANT, …) changes no tracked row.

export type BinlogStatement =
  | { kind: 'begin' }
  | { kind: 'commit' }
  | { kind: 'rollback' }
  | { kind: 'truncate'; table: string }
  | { kind: 'alter'; table: string }
  | { kind: 'other' };

// An identifier: `back``ticked` or bare; optionally qualified by a database.
const name = '(`(?:[^`]|``)+`|[\\w$]+)';
const qualified = `${name}(?:\\s*\\.\\s*${name})?`;
const leadingComments = /^(?:\s+|\/\*(?!!)[\s\S]*?\*\/|#[^\n]*\n|--\s[^\n]*\n)*/;
const truncatePattern = new RegExp(`^truncate\\s+(?:table\\s+)?${qualified}`, 'i');
const alterPattern = new RegExp(
  `^alter\\s+(?:online\\s+)?(?:ignore\\s+)?table\\s+(?:if\\s+exists\\s+)?${qualified}`,
  'i',
);

function unquote(identifier: string): string {
  return identifier.startsWith('`') ? identifier.slice(1, -1).replaceAll('``', '`') : identifier;
}

/** `database.table` for a statement's table name, unqualified names being in the statement's default database. */
function tableId(defaultDatabase: string, first: string, second: string | undefined): string {
  return second === undefined ? `${defaultDatabase}.${unquote(first)}` : `${unquote(first)}.${unquote(second)}`;
}

export function parseBinlogStatement(text: string, defaultDatabase: string): BinlogStatement {
  const statement = text.replace(leadingComments, '');
  if (/^(begin|start\s+transaction)\b/i.test(statement)) return { kind: 'begin' };
  if (/^commit\b/i.test(statement)) return { kind: 'commit' };
  if (/^rollback\b(?!\s+to\b)/i.test(statement)) return { kind: 'rollback' };
  const truncate = truncatePattern.exec(statement);
  if (truncate) return { kind: 'truncate', table: tableId(defaultDatabase, truncate[1]!, truncate[2]) };
  const alter = alterPattern.exec(statement);
  if (alter) return { kind: 'alter', table: tableId(defaultDatabase, alter[1]!, alter[2]) };
  return { kind: 'other' };
}
