// Aligned columns under a header, the way `kubectl get` prints: readable in a terminal, and `--json` is there for
// scripts.
export function printTable(output: NodeJS.WritableStream, header: string[], rows: string[][]): void {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column]!)))
      .join('  ')
      .trimEnd();
  output.write(`${[line(header), ...rows.map(line)].join('\n')}\n`);
}
