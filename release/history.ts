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
  /** The verdict in words (GO, NO-GO, or another a later check gives); older records have only `go`. */
  verdict?: string;
  /** Neither GO nor NO-GO: the target's rate limit cut the run short (exit 3). */
  inconclusive?: boolean;
  seconds: number;
  /** What failed, by what the parts count (tests, thresholds, checks, properties): never added up,
   *  a failed test and a crossed threshold are not the same thing. */
  failures?: Partial<Record<string, number>>;
  /** Records before the counts were kept apart: tests, thresholds and checks added up. */
  failed?: number;
  flaky: number;
  /** The parts that failed, by name. */
  failedParts: string[];
  /** The causes of the failures, the most widespread first (release/causes.ts). */
  causes?: string[];
  /** What was tested: TARGET_VERSION, the target's own version answer, the harness's commit. */
  targetVersion?: string;
  servedVersion?: string;
  harness?: string;
}

/** "5 tests, 1 threshold, 2 checks failed" (or an old record's sum, said as such). */
export function failedText(r: CheckRecord): string {
  if (r.failures) {
    const parts = Object.entries(r.failures)
      .filter(([, n]) => n)
      .map(([unit, n]) => `${n} ${n === 1 ? unit.replace(/ies$/, 'y').replace(/s$/, '') : unit}`);
    return parts.length ? `${parts.join(', ')} failed` : '';
  }
  return r.failed ? `${r.failed} failed (tests, thresholds and checks added up)` : '';
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

/** "GO 30.5 s", "NO-GO 42.3 s, 2 checks failed (monitor pass)": one check in words. */
export const describeCheck = (r: CheckRecord): string => {
  const failed = failedText(r);
  return (
    `${r.verdict ?? (r.go ? 'GO' : r.inconclusive ? 'INCONCLUSIVE' : 'NO-GO')} ${r.seconds.toFixed(1)} ` +
    `s${failed ? `, ${failed} (${r.failedParts.join(', ')})` : ''}${r.flaky ? `, ${r.flaky} flaky` : ''}`
  );
};
