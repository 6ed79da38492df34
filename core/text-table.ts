// The one text table of the harness's terminal output (release check, matrix, benchmarks):
// columns as wide as their widest cell, two spaces apart, numbers right-aligned.

export interface TextTableOptions {
  /** Columns from this index on are right-aligned (numbers). Default: none. */
  rightFrom?: number;
  /** A ─ rule under the header. */
  rule?: boolean;
  /** Put before every line. */
  indent?: string;
}

export function textTable(header: readonly string[], rows: readonly (readonly string[])[], o: TextTableOptions = {}): string {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  const right = o.rightFrom ?? header.length;
  const cell = (r: readonly string[], i: number) => (i >= right ? (r[i] ?? '').padStart(widths[i]!) : (r[i] ?? '').padEnd(widths[i]!));
  const line = (r: readonly string[]) => `${o.indent ?? ''}${widths.map((_, i) => cell(r, i)).join('  ')}`.trimEnd();
  const rule = o.rule ? [(o.indent ?? '') + widths.map((w) => '─'.repeat(w)).join('  ')] : [];
  return [line(header), ...rule, ...rows.map(line)].join('\n');
}
