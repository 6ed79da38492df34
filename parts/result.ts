// What a part's run reports, whatever the part (parts/tests.ts, load.ts, monitor.ts, explore.ts,
// conformance.ts each run one through its own CLI and judge it by its own report): one row of the
// release check's table, the real-server step's and the detection matrix's cells.
import { saysRateLimited } from '../core/rate-limit.ts';
import type { LineSink } from '../core/exec.ts';
import type { Part } from '../core/parts.ts';

export interface PartResult {
  /** One of PARTS, or a part only some runs have (the real-server step's conformance). */
  part: Part | 'conformance' | (string & {});
  /** What ran ("playwright smoke,flow,upgrade", "k6 credits smoke", "monitor pass 2/2"). */
  name: string;
  /** What the counts count, so a row never mixes them: Playwright tests, k6 thresholds, monitor
   *  checks, conformance cases (one request sent to both targets), properties (explore). */
  unit: 'tests' | 'thresholds' | 'checks' | 'cases' | 'properties';
  /** How many ran (skipped ones not included). */
  total: number;
  /** Passed at the first try. */
  passed: number;
  /** Failed as a known issue in force said they would (known-issues.json): expected, not failures. */
  known: number;
  /** Passed only on a retry (Playwright in CI): not a failure, never hidden. */
  flaky: number;
  failed: number;
  /** Skipped by design (no signing key, upgrade not allowed), shown so they never pass unseen. */
  skipped: number;
  seconds: number;
  ok: boolean;
  /** What failed, in the part's own words, with the scrubbed error when there is one. */
  failures: Finding[];
  /** What passed only on a retry, with the error of the failed attempt. */
  flakes: Finding[];
  /** What failed as a known issue said it would: the test or check, and the issue (id and reason). */
  knowns?: Finding[];
  /** Reports it wrote, for the release report's links. */
  reports: { label: string; path: string }[];
  /** Every named check that ran (test title, k6 threshold or check, monitor check) and whether it
   *  failed: the matrix uses them to find checks that no fault makes fail. */
  verdicts: Verdict[];
  /** Fields the contract does not know that the part saw (`response.Organization (register)`): news,
   *  not failures. Tests report them as `drift` annotations, the monitor as `drift` notes; k6 does not look. */
  drift?: string[];
  /** The target's rate limit cut the part short (a 429): what failed because of it is no failure of the
   *  API, and a run whose only failures are these is INCONCLUSIVE, never NO-GO. */
  rateLimited?: boolean;
  /** Requests the part sent, as the target's X-RateLimit-Remaining counted them (the release check). */
  requests?: number;
}

/** Is the part a failure of the API: it failed, and not only because the target's rate limit cut it short? */
export const failedOnItsOwn = (r: PartResult): boolean =>
  !r.ok && !(r.rateLimited && r.failures.every((f) => saysRateLimited(`${f.title}\n${f.message ?? ''}`) || r.part === 'load'));

export interface Finding {
  /** One line: the test's full title, the threshold, the monitor check. */
  title: string;
  /** The error, scrubbed of secrets (a few lines at most). */
  message?: string;
  /** A Playwright test's id (its entry in the HTML report: index.html#?testId=…). */
  testId?: string;
  /** A Playwright test's trace of its failed attempt, when traces were kept. */
  trace?: string;
}

export interface Verdict {
  check: string;
  failed: boolean;
}

const UNITS: Record<string, PartResult['unit']> = {
  tests: 'tests',
  load: 'thresholds',
  monitor: 'checks',
  conformance: 'cases',
  explore: 'properties',
};

/** A run that produced no report of its own: one failure saying why. */
export function brokenRun(part: PartResult['part'], name: string, seconds: number, why: string): PartResult {
  return {
    part,
    name,
    seconds,
    unit: UNITS[part] ?? 'checks',
    total: 0,
    passed: 0,
    known: 0,
    flaky: 0,
    failed: 1,
    skipped: 0,
    ok: false,
    failures: [{ title: why }],
    flakes: [],
    reports: [],
    verdicts: [],
  };
}

/** Several runs of one part reported as one (the matrix's login + credits). */
export function combine(name: string, runs: readonly PartResult[]): PartResult {
  const sum = (f: (r: PartResult) => number) => runs.reduce((n, r) => n + f(r), 0);
  const prefixed = (list: (r: PartResult) => Finding[]) =>
    runs.flatMap((r) => list(r).map((f) => ({ ...f, title: `${r.name}: ${f.title}` })));
  return {
    part: runs[0]!.part,
    name,
    unit: runs[0]!.unit,
    total: sum((r) => r.total),
    passed: sum((r) => r.passed),
    known: sum((r) => r.known),
    flaky: sum((r) => r.flaky),
    failed: sum((r) => r.failed),
    skipped: sum((r) => r.skipped),
    seconds: sum((r) => r.seconds),
    ok: runs.every((r) => r.ok),
    failures: prefixed((r) => r.failures),
    flakes: prefixed((r) => r.flakes),
    knowns: prefixed((r) => r.knowns ?? []),
    reports: runs.flatMap((r) => r.reports),
    verdicts: runs.flatMap((r) => r.verdicts),
    drift: unique(runs.flatMap((r) => r.drift ?? [])),
  };
}

/** Each entry once, in a stable order. */
export const unique = (xs: readonly string[]): string[] => [...new Set(xs)].sort();

export interface PartOptions {
  /** Environment for the part (TARGET_URL, REPORTS_DIR, ...). */
  env: Record<string, string | undefined>;
  reportsDir: string;
  onLine?: LineSink;
}

/** Node with the TypeScript loader: each part's CLI as a user would run it. */
export const TSX = ['--import', 'tsx'];
