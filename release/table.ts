// The release check's summary table, the same for the terminal and the HTML report. Each row names
// what it counts (Playwright tests, k6 thresholds, monitor checks), so no column adds up different things.
import type { PartResult } from './parts.ts';

export const HEADERS = ['part', 'what ran', 'counted', 'ran', 'passed', 'known', 'flaky', 'failed', 'skipped', 'time'] as const;
/** Columns holding numbers (right-aligned). */
export const NUMERIC_FROM = 3;

// Retries exist only for Playwright (flaky), skips and known issues only for tests and monitor
// checks: '-' elsewhere.
const HAS_FLAKY: PartResult['unit'][] = ['tests'];
const HAS_SKIPPED: PartResult['unit'][] = ['tests', 'checks', 'cases', 'properties'];

export const rowsOf = (results: PartResult[]): string[][] =>
  results.map((r) => [
    r.part,
    r.name,
    r.unit,
    String(r.total),
    String(r.passed),
    HAS_SKIPPED.includes(r.unit) ? String(r.known) : '-',
    HAS_FLAKY.includes(r.unit) ? String(r.flaky) : '-',
    String(r.failed),
    HAS_SKIPPED.includes(r.unit) ? String(r.skipped) : '-',
    `${r.seconds.toFixed(1)} s`,
  ]);

export function textTable(rows: string[][]): string {
  const all = [[...HEADERS], ...rows];
  const widths = HEADERS.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => (i >= NUMERIC_FROM ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ');
  return [line(all[0]!), widths.map((w) => '─'.repeat(w)).join('  '), ...all.slice(1).map(line)].join('\n');
}
