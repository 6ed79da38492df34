// The table of part results, the same for the terminal and the HTML report (each row names what it
// counts: Playwright tests, k6 thresholds, monitor checks, so no column adds up different things):
// the release check's and the real-server step's.
import { textTable } from '../core/text-table.ts';
import type { PartResult } from './result.ts';

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

/** The release check's summary for the terminal. */
export const summaryText = (rows: string[][]): string => textTable(HEADERS, rows, { rightFrom: NUMERIC_FROM, rule: true });
