// GitHub-flavoured Markdown tables: cells escaped so that no value (a reason quoting a node, a
// name with a pipe) can break the table, columns padded so the raw text reads as a table too.

export type Align = 'left' | 'right';

export interface Column {
  readonly title: string;
  readonly align?: Align;
}

/**
 * One cell's text made safe inside a table row: backslashes first (so an escape of ours cannot
 * be undone by one in the text), then pipes, then line breaks, which would end the row.
 */
export function escapeCell(text: string): string {
  return text
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/\r\n|\r|\n/g, '<br>');
}

export function markdownTable(columns: readonly Column[], rows: readonly (readonly string[])[]): string {
  const header = columns.map((c) => escapeCell(c.title));
  const body = rows.map((row) => columns.map((_, i) => escapeCell(row[i] ?? '')));
  // A delimiter needs three dashes at least; the colon marks right alignment.
  const widths = columns.map((_, i) => Math.max(3, header[i]!.length, ...body.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((cell, i) => (columns[i]!.align === 'right' ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join(' | ')} |`;
  const delimiter = `| ${columns.map((c, i) => (c.align === 'right' ? `${'-'.repeat(widths[i]! - 1)}:` : '-'.repeat(widths[i]!))).join(' | ')} |`;
  return [line(header), delimiter, ...body.map(line)].join('\n');
}
