// A plain-text table for benchmark results: fixed-width columns, numbers right-aligned, so that the output
// can be pasted into bench/README.md as it is (it is also valid Markdown).

export interface Column<Row> {
  header: string;
  /** The cell text for one row. */
  cell(row: Row): string;
  /** Numbers read better right-aligned. Default 'left'. */
  align?: 'left' | 'right';
}

function renderTable<Row>(columns: readonly Column<Row>[], rows: readonly Row[]): string {
  const cells = rows.map((row) => columns.map((column) => column.cell(row)));
  const widths = columns.map((column, index) =>
    Math.max(column.header.length, 3, ...cells.map((line) => line[index]!.length)),
  );
  const pad = (text: string, index: number) =>
    columns[index]!.align === 'right' ? text.padStart(widths[index]!) : text.padEnd(widths[index]!);
  const line = (texts: string[]) => `| ${texts.map(pad).join(' | ')} |`;
  const rule = `| ${widths.map((width, index) => (columns[index]!.align === 'right' ? `${'-'.repeat(width - 1)}:` : '-'.repeat(width))).join(' | ')} |`;
  return [line(columns.map((column) => column.header)), rule, ...cells.map(line)].join('\n');
}

export function printTable<Row>(title: string, columns: readonly Column<Row>[], rows: readonly Row[]): void {
  console.log(`\n${title}\n\n${renderTable(columns, rows)}\n`);
}

/** 12345.6 → "12,346". */
export function formatCount(value: number): string {
  return Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : 'n/a';
}

/** Milliseconds with two decimals below 10 ms, one above. */
export function formatMs(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  return `${value.toFixed(value < 10 ? 2 : 1)} ms`;
}

/** Bytes as MiB with one decimal. */
export function formatBytes(value: number | undefined): string {
  return value === undefined || !Number.isFinite(value) ? 'n/a' : `${(value / 1024 / 1024).toFixed(1)} MiB`;
}
