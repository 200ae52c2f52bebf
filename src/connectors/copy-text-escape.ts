// PostgreSQL's COPY text format escapes four characters in a field with a backslash: the backslash itself, newline,
// carriage return and tab (the line and column separators). Shared by the connectors that print COPY text.

// Four indexOf scans beat one regular expression test on the short strings of a row.
const needsEscape = (text: string) =>
  text.includes('\\') || text.includes('\n') || text.includes('\r') || text.includes('\t');

/** `text` as one COPY text field. */
export function escapeCopyText(text: string): string {
  if (!needsEscape(text)) return text;
  return text.replace(/[\\\n\r\t]/g, (character) =>
    character === '\\' ? '\\\\' : character === '\n' ? '\\n' : character === '\r' ? '\\r' : '\\t',
  );
}
