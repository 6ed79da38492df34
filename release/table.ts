// The release check's summary table, the same for the terminal and the HTML report.
import type { PartResult } from './parts.ts';

export const HEADERS = ['part', 'what ran', 'checks', 'passed', 'failed', 'time'] as const;

export const rowsOf = (results: PartResult[]): string[][] =>
  results.map((r) => [r.part, r.name, String(r.checks), String(r.passed), String(r.failed), `${r.seconds.toFixed(1)} s`]);

export function textTable(rows: string[][]): string {
  const all = [[...HEADERS], ...rows];
  const widths = HEADERS.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => (i >= 2 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ');
  return [line(all[0]!), widths.map((w) => '─'.repeat(w)).join('  '), ...all.slice(1).map(line)].join('\n');
}
