// The trend of release checks: one JSON line per check in REPORTS_DIR/release-history.jsonl (the
// verdict, its time, what failed), read back for the last few. Small on purpose: the newest 200 are
// kept. A line that does not parse (a run killed mid-write) is skipped, never fatal.
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const HISTORY_FILE = 'release-history.jsonl';
const KEEP = 200;

export interface CheckRecord {
  /** When the check started (ISO time). */
  at: string;
  /** TARGET_ENV or the target's host. */
  label: string;
  go: boolean;
  /** Neither GO nor NO-GO: the target's rate limit cut the run short (exit 3). */
  inconclusive?: boolean;
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
  if (!existsSync(file)) return [];
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

/** Appends one check; past KEEP lines the file is rewritten with the newest (replaced atomically). */
export function appendHistory(reportsDir: string, rec: CheckRecord): CheckRecord[] {
  mkdirSync(reportsDir, { recursive: true });
  const file = join(reportsDir, HISTORY_FILE);
  // After a torn last line, start on a new one so this record stays whole.
  const torn = existsSync(file) && !readFileSync(file, 'utf8').endsWith('\n') && readFileSync(file, 'utf8').length > 0;
  appendFileSync(file, `${torn ? '\n' : ''}${JSON.stringify(rec)}\n`);
  const all = readHistory(reportsDir);
  if (all.length > KEEP) {
    const kept = all.slice(-KEEP);
    writeFileSync(`${file}.tmp`, kept.map((r) => `${JSON.stringify(r)}\n`).join(''));
    renameSync(`${file}.tmp`, file);
    return kept;
  }
  return all;
}

/** "GO 30.5 s", "NO-GO 42.3 s, 2 failed (monitor pass)": one check in words. */
export const describeCheck = (r: CheckRecord): string =>
  `${r.go ? 'GO' : r.inconclusive ? 'INCONCLUSIVE' : 'NO-GO'} ${r.seconds.toFixed(1)} ` +
  `s${r.failed ? `, ${r.failed} failed (${r.failedParts.join(', ')})` : ''}${r.flaky ? `, ${r.flaky} flaky` : ''}`;
