// The trend of release checks: one JSON line per check in REPORTS_DIR/release-history.jsonl (the
// verdict, its time, what failed), read back for the last few. Small on purpose: the newest 200 are
// kept. A line that does not parse (a run killed mid-write) is skipped, never fatal.
import { existsSync, readFileSync } from 'node:fs';
import { isSymlink, writeFileReplacing } from '../core/safe-write.ts';
import { join } from 'node:path';

export const HISTORY_FILE = 'release-history.jsonl';
const KEEP = 200;

export interface CheckRecord {
  /** When the check started (ISO time). */
  at: string;
  /** TARGET_ENV or the target's host. */
  label: string;
  go: boolean;
  seconds: number;
  /** Failed tests, thresholds and monitor checks, added up across parts, and the flaky tests. */
  failed: number;
  flaky: number;
  /** The parts that failed, by name. */
  failedParts: string[];
}

const isRecord = (x: unknown): x is CheckRecord =>
  typeof x === 'object' && x !== null && typeof (x as CheckRecord).at === 'string' && typeof (x as CheckRecord).go === 'boolean';

export function readHistory(reportsDir: string): CheckRecord[] {
  const file = join(reportsDir, HISTORY_FILE);
  // A link is not this folder's history: not read (it is replaced by the next check).
  if (!existsSync(file) || isSymlink(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .flatMap((line) => {
      try {
        const x: unknown = JSON.parse(line);
        return isRecord(x) ? [x] : [];
      } catch {
        return [];
      }
    });
}

/** Adds one check, keeping the newest KEEP: the file is rewritten whole and renamed into place (a
 *  torn line of a killed run dropped), never appended to through a symbolic link (core/safe-write.ts). */
export function appendHistory(reportsDir: string, rec: CheckRecord): CheckRecord[] {
  const kept = [...readHistory(reportsDir), rec].slice(-KEEP);
  writeFileReplacing(join(reportsDir, HISTORY_FILE), kept.map((r) => `${JSON.stringify(r)}\n`).join(''));
  return kept;
}

/** "GO 30.5 s", "NO-GO 42.3 s, 2 failed (monitor pass)": one check in words. */
export const describeCheck = (r: CheckRecord): string =>
  `${r.go ? 'GO' : 'NO-GO'} ${r.seconds.toFixed(1)} ` +
  `s${r.failed ? `, ${r.failed} failed (${r.failedParts.join(', ')})` : ''}${r.flaky ? `, ${r.flaky} flaky` : ''}`;
