// The three parts of the harness, each run through its own CLI and judged by its own report:
// Playwright's JSON report, k6's JSON summary, the monitor's --json pass.
import { existsSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { LEAK_CHECK_FAILED } from '../fixtures/secrets.ts';
import { latestRunDir, readSummary } from '../load/runner/k6.ts';
import { RATE_LIMITED, saysRateLimited } from '../core/rate-limit.ts';
import { redactText } from '../core/redact.ts';
import { type FindingsFile, findingsPath } from '../explore/report.ts';
import { exec, type LineSink } from './exec.ts';

/** The harness's parts, in the order they run: the three that check the contract as written, then
 *  the explorer, which looks for what nobody wrote a check for. */
export const PARTS = ['tests', 'load', 'monitor', 'explore'] as const;
export type Part = (typeof PARTS)[number];
export type PartName = Part;

export interface PartResult {
  /** One of PARTS, or a part only some runs have (the real-server step's conformance). */
  part: PartName | 'conformance' | (string & {});
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
const unique = (xs: readonly string[]): string[] => [...new Set(xs)].sort();

export interface PartOptions {
  /** Environment for the part (TARGET_URL, REPORTS_DIR, ...). */
  env: Record<string, string | undefined>;
  reportsDir: string;
  onLine?: LineSink;
}

const TSX = ['--import', 'tsx'];

// ---- tests: npx playwright test ----

interface PwAnnotation {
  type: string;
  description?: string;
}
interface PwError {
  message?: string;
}
interface PwSpec {
  title: string;
  file: string;
  /** The test's id (one test per spec in Playwright's JSON report): its HTML report entry. */
  id?: string;
  tests: {
    status: string;
    projectName: string;
    annotations?: PwAnnotation[];
    results: {
      status: string;
      errors?: PwError[];
      error?: PwError;
      annotations?: PwAnnotation[];
      attachments?: { name: string; path?: string }[];
    }[];
  }[];
}
interface PwSuite {
  title: string;
  specs?: PwSpec[];
  suites?: PwSuite[];
}
export interface PwReport {
  suites: PwSuite[];
  stats: { expected: number; unexpected: number; flaky: number; skipped: number };
}

const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');

/** A test's error as the on-call engineer should read it: no colour codes, secrets scrubbed, a few lines. */
export function errorText(results: PwSpec['tests'][number]['results']): string | undefined {
  const failed = results.find((r) => r.status !== 'passed' && r.status !== 'skipped');
  const raw = failed?.errors?.[0]?.message ?? failed?.error?.message;
  if (!raw) return undefined;
  const all = redactText(raw.replace(ANSI, ''))
    .trim()
    .split('\n')
    .map((l) => l.trimEnd());
  // The message ends where Playwright's code frame ("  15 |   expect(...)") begins: the report links the rest.
  const frame = all.findIndex((l) => /^\s*>?\s*\d+ \|/.test(l));
  const lines = (frame > 0 ? all.slice(0, frame) : all).filter((l, i, a) => l || (i > 0 && a[i - 1]));
  const shown = lines.slice(0, 8).join('\n');
  return (lines.length > 8 ? `${shown}\n…` : shown).slice(0, 1200);
}

interface TestOutcome extends Verdict {
  status: string;
  message?: string;
  testId?: string;
  trace?: string;
  /** The known issue that names the test (its `known-issue` annotation: "id: reason (known since …)"). */
  knownIssue?: string;
  /** A known issue's test that failed as expected. */
  known: boolean;
}

/** What a test's `known-issue` annotation says, if it has one. */
const knownIssueOf = (t: PwSpec['tests'][number]): string | undefined =>
  [...(t.annotations ?? []), ...t.results.flatMap((r) => r.annotations ?? [])].find((a) => a.type === 'known-issue')?.description;

/** Every test that ran (skipped ones left out), by its full title. */
function testOutcomes(suites: PwSuite[], path: string[] = []): TestOutcome[] {
  return suites.flatMap((s) => {
    const here = s.title && !s.title.endsWith('.ts') ? [...path, s.title] : path;
    const own = (s.specs ?? []).flatMap((spec) =>
      spec.tests
        .filter((t) => t.status !== 'skipped')
        .map((t) => {
          const knownIssue = knownIssueOf(t);
          const last = t.results.at(-1)?.status;
          // A known issue's test that passed: Playwright fails it ("expected to fail, but passed"); say why.
          const fixed = knownIssue !== undefined && t.status === 'unexpected' && last === 'passed';
          return {
            check: `[${t.projectName}] ${spec.file} › ${[...here, spec.title].join(' › ')}`,
            failed: t.status === 'unexpected',
            status: t.status,
            message: fixed
              ? `known issue ${knownIssue.split(':')[0]} no longer happens (the test passed): the bug looks fixed, so remove ` +
                `its entry from the known issues`
              : t.status === 'unexpected' || t.status === 'flaky'
                ? errorText(t.results)
                : undefined,
            knownIssue,
            known: knownIssue !== undefined && t.status === 'expected' && last !== undefined && last !== 'passed',
            testId: spec.id,
            trace: t.results
              .filter((r) => r.status !== 'passed')
              .flatMap((r) => r.attachments ?? [])
              .find((a) => a.name === 'trace')?.path,
          };
        }),
    );
    return [...own, ...testOutcomes(s.suites ?? [], here)];
  });
}

/** The `drift` annotations of every test (expectAnswer and the error matchers add them). */
function testDrift(suites: PwSuite[]): string[] {
  return suites.flatMap((s) => [
    ...(s.specs ?? []).flatMap((spec) =>
      spec.tests.flatMap((t) =>
        [...(t.annotations ?? []), ...(t.results ?? []).flatMap((r) => r.annotations ?? [])]
          .filter((a) => a.type === 'drift' && a.description)
          .map((a) => a.description!),
      ),
    ),
    ...testDrift(s.suites ?? []),
  ]);
}

export interface TestRunOptions extends PartOptions {
  projects: string[];
  workers?: number;
  /** The config's CI reporters (list, blob, junit, html, json, leak check) and retries; otherwise a quick run for the matrix. */
  fullReports?: boolean;
  /** Stop at this many failed tests (the matrix, where only "caught or not" is asked of the run). */
  maxFailures?: number;
}

export async function runTests(o: TestRunOptions): Promise<PartResult> {
  const json = resolve(o.reportsDir, 'results.json');
  rmSync(json, { force: true });
  const args = ['playwright', 'test', ...o.projects.map((p) => `--project=${p}`)];
  if (o.workers) args.push(`--workers=${o.workers}`);
  if (o.maxFailures) args.push(`--max-failures=${o.maxFailures}`);
  // Quick runs: JSON and the leak check only; no traces or retries (a fault run fails on purpose).
  if (!o.fullReports)
    args.push(
      '--reporter=json,./fixtures/leak-check-reporter.ts',
      '--trace=off',
      '--retries=0',
      `--output=${join(o.reportsDir, 'test-results')}`,
    );
  const env = {
    ...o.env,
    REPORTS_DIR: o.reportsDir,
    FORCE_COLOR: '0',
    ...(o.fullReports ? { CI: 'true' } : { CI: 'false', PLAYWRIGHT_JSON_OUTPUT_FILE: json }),
  };
  let leak = false;
  const r = await exec('npx', args, env, {
    onLine: (line, stream) => {
      if (line.includes(LEAK_CHECK_FAILED)) leak = true;
      o.onLine?.(line, stream);
    },
  });
  const name = `playwright ${o.projects.join(',')}`;
  if (!existsSync(json)) return brokenRun('tests', name, r.seconds, `playwright exited ${r.code} without a report`);
  const report = JSON.parse(readFileSync(json, 'utf8')) as PwReport;
  return {
    ...judgeTestReport(report, { name, seconds: r.seconds, code: r.code, leak, reportsDir: o.reportsDir }),
    reports: o.fullReports
      ? [
          { label: 'Playwright report', path: join(o.reportsDir, 'html', 'index.html') },
          { label: 'Playwright JUnit', path: join(o.reportsDir, 'junit.xml') },
        ]
      : [],
  };
}

/** A test's HTML report id and trace, where it has them. */
const links = (t: TestOutcome): Pick<Finding, 'testId' | 'trace'> => ({
  ...(t.testId ? { testId: t.testId } : {}),
  ...(t.trace ? { trace: t.trace } : {}),
});

/** The tests part's result from Playwright's JSON report, the exit code and the leak check's verdict. */
export function judgeTestReport(
  report: PwReport,
  run: { name: string; seconds: number; code: number; leak: boolean; reportsDir: string },
): PartResult {
  const { expected, unexpected, flaky, skipped } = report.stats;
  const outcomes = testOutcomes(report.suites);
  const failures: Finding[] = outcomes.filter((t) => t.failed).map((t) => ({ title: t.check, message: t.message, ...links(t) }));
  const knowns = outcomes.filter((t) => t.known);
  if (run.leak) failures.unshift({ title: `the secret leak check found a password or token in this run's output (${run.reportsDir})` });
  if (!failures.length && run.code !== 0) failures.push({ title: `playwright exited ${run.code}` });
  return {
    part: 'tests',
    name: run.name,
    seconds: run.seconds,
    unit: 'tests',
    total: expected + unexpected + flaky,
    passed: expected - knowns.length,
    known: knowns.length,
    flaky,
    failed: unexpected + (run.leak ? 1 : 0),
    skipped,
    ok: run.code === 0 && unexpected === 0 && !run.leak,
    failures,
    flakes: outcomes.filter((t) => t.status === 'flaky').map((t) => ({ title: t.check, message: t.message, ...links(t) })),
    knowns: knowns.map((t) => ({ title: t.check, message: t.knownIssue })),
    reports: [],
    verdicts: outcomes.map(({ check, failed }) => ({ check, failed })),
    drift: unique(testDrift(report.suites)),
    ...(failures.some((f) => saysRateLimited(f.message)) ? { rateLimited: true } : {}),
  };
}

// ---- load: npm run load -- <script> (the smoke profile, the default) ----

export async function runLoad(o: PartOptions & { script: 'login' | 'credits'; duration?: string; rate?: number }): Promise<PartResult> {
  const profile = 'smoke';
  const started = Date.now();
  const r = await exec(
    process.execPath,
    [
      ...TSX,
      'load/runner/main.ts',
      o.script,
      '-e',
      `LOAD_PROFILE=${profile}`,
      ...(o.duration ? ['-e', `LOAD_DURATION=${o.duration}`] : []),
      ...(o.rate ? ['-e', `LOAD_RATE=${o.rate}`] : []),
    ],
    { ...o.env, REPORTS_DIR: o.reportsDir },
    { onLine: o.onLine },
  );
  const name = `k6 ${o.script} ${profile}${o.duration ? ` (${o.rate ? `${o.rate}/s, ` : ''}${o.duration})` : ''}`;
  // The run's own folder: `latest`, if this run is what it points at (runs here are one at a time).
  const runDir = realpathOrUndefined(latestRunDir(o.reportsDir));
  const s = runDir ? readSummary(runDir) : undefined;
  // No summary: the run stopped before k6 did anything (set-up failed); its last words say why.
  const why = r.stderr.trim().split('\n').at(-1)?.trim();
  // A set-up refused by the rate limit says so somewhere in what it printed (k6's error may span lines).
  const limitedSetup = r.stderr.split('\n').find((l) => l.includes(RATE_LIMITED));
  if (!runDir || !s || s.script !== o.script || Date.parse(s.startedAt) < started - 1000)
    return {
      ...brokenRun('load', name, r.seconds, `k6 run exited ${r.code} without a summary${why ? `: ${limitedSetup?.trim() ?? why}` : ''}`),
      ...(limitedSetup ? { rateLimited: true } : {}),
    };
  const limited = s.metrics.rate_limited?.count ?? 0;
  const crossed = s.thresholds.filter((t) => !t.ok).map((t) => ({ title: `threshold crossed: ${t.metric} ${t.rule} (${t.measured})` }));
  const checkFails = s.checks
    .filter((c) => c.fails > 0)
    .map((c) => ({ title: `check "${c.name}": ${c.fails} of ${c.passes + c.fails} failed` }));
  // Why requests failed comes first: it is the cause the thresholds and checks below only count.
  const causes = (s.causes ?? []).map((c) => ({ title: `failed requests: ${c.count} × ${c.words}` }));
  const failures: Finding[] = r.code === 0 ? [] : [...causes, ...crossed, ...checkFails];
  if (r.code !== 0 && !failures.length) failures.push({ title: `k6 exited ${r.code}` });
  if (limited)
    failures.unshift({
      title: `rate limited: the target ${RATE_LIMITED} to ${limited} of k6's requests (its rate limit); the run stopped there`,
    });
  return {
    part: 'load',
    name,
    seconds: r.seconds,
    unit: 'thresholds',
    total: s.thresholds.length,
    passed: s.thresholds.length - crossed.length,
    known: 0,
    flaky: 0,
    failed: r.code === 0 ? 0 : Math.max(1, crossed.length),
    skipped: 0,
    ok: r.code === 0,
    failures,
    flakes: [],
    reports: [
      { label: `k6 ${o.script} summary`, path: join(runDir, 'summary.txt') },
      { label: `k6 ${o.script} JSON`, path: join(runDir, 'summary.json') },
      { label: `k6 ${o.script} JUnit`, path: join(runDir, 'junit.xml') },
      ...(s.dashboard ? [{ label: `k6 ${o.script} dashboard`, path: join(runDir, s.dashboard) }] : []),
    ],
    verdicts: [
      ...s.thresholds.map((t) => ({ check: `threshold ${t.metric} ${t.rule}`, failed: !t.ok })),
      ...s.checks.map((c) => ({ check: `check "${c.name}"`, failed: c.fails > 0 })),
    ],
    ...(limited || limitedSetup ? { rateLimited: true } : {}),
  };
}

function realpathOrUndefined(p: string): string | undefined {
  try {
    return realpathSync(p);
  } catch {
    return undefined;
  }
}

// ---- monitor: npm run monitor -- --once --json ----

interface MonitorPass {
  status: 'pass' | 'fail' | 'throttled';
  checks: { name: string; status: string; message: string; drift?: string[]; knownIssue?: string }[];
}

/** One or more one-shot passes (`gapMs` apart: the across-runs check needs a later run). */
export async function runMonitor(o: PartOptions & { passes?: number; gapMs?: number }): Promise<PartResult> {
  const passes = o.passes ?? 1;
  const results: MonitorPass[] = [];
  let seconds = 0;
  let lastCode = 0;
  for (let i = 0; i < passes; i++) {
    if (i > 0) await new Promise((r) => setTimeout(r, o.gapMs ?? 0));
    // Its stdout is the JSON we read; only its log lines (stderr) are progress.
    const r = await exec(
      process.execPath,
      [...TSX, 'monitors/main.ts', '--once', '--json'],
      { ...o.env, REPORTS_DIR: o.reportsDir },
      { onLine: (l, s) => s === 'stderr' && o.onLine?.(l, s) },
    );
    seconds += r.seconds;
    lastCode = r.code;
    try {
      results.push(JSON.parse(r.stdout) as MonitorPass);
    } catch {
      results.push({
        status: 'fail',
        checks: [{ name: 'monitor', status: 'fail', message: `the monitor exited ${r.code} without a JSON result` }],
      });
    }
  }
  const ran = results.flatMap((p) => p.checks);
  const all = ran.filter((c) => c.status !== 'skipped');
  const failed = all.filter((c) => c.status === 'fail');
  const known = all.filter((c) => c.status === 'known');
  const throttled = all.filter((c) => c.status === 'throttled');
  return {
    part: 'monitor',
    name: passes > 1 ? `monitor ${passes} passes` : 'monitor pass',
    unit: 'checks',
    total: all.length,
    // A throttled check neither passed nor failed: counted in neither.
    passed: all.length - failed.length - known.length - all.filter((c) => c.status === 'throttled').length,
    known: known.length,
    flaky: 0,
    failed: failed.length,
    skipped: ran.length - all.length,
    seconds,
    ok: failed.length === 0 && lastCode === 0 && results.every((p) => p.status === 'pass'),
    failures: [...failed, ...throttled].map((c) => ({ title: `${c.name}: ${c.message.split('\n')[0]}` })),
    ...(throttled.length ? { rateLimited: true } : {}),
    flakes: [],
    knowns: known.map((c) => ({ title: c.name, message: c.knownIssue ?? c.message.split('\n')[0] })),
    reports: [{ label: 'Monitor status page', path: join(o.reportsDir, 'monitor', 'status.html') }],
    verdicts: all.map((c) => ({ check: c.name, failed: c.status === 'fail' })),
    drift: unique(results.flatMap((p) => p.checks.flatMap((c) => c.drift ?? []))),
  };
}

// ---- explore: npm run explore ----

/** The explorer's findings.json, if the run wrote one. */
export function readFindings(reportsDir: string): FindingsFile | undefined {
  const file = findingsPath(reportsDir);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as FindingsFile) : undefined;
}

/** One exploration (`seconds` of budget; `first`: stop at the first new finding, as the matrix asks). */
export async function runExplore(
  o: PartOptions & { seconds?: number; runs?: number; first?: boolean; seed?: number; requests?: number },
): Promise<PartResult> {
  rmSync(findingsPath(o.reportsDir), { force: true });
  const r = await exec(
    process.execPath,
    [...TSX, 'explore/main.ts', ...(o.first ? ['--first'] : [])],
    {
      ...o.env,
      REPORTS_DIR: o.reportsDir,
      ...(o.seconds ? { EXPLORE_SECONDS: String(o.seconds) } : {}),
      ...(o.runs ? { EXPLORE_RUNS: String(o.runs) } : {}),
      ...(o.seed !== undefined ? { EXPLORE_SEED: String(o.seed) } : {}),
      ...(o.requests !== undefined ? { EXPLORE_REQUESTS: String(o.requests) } : {}),
    },
    { onLine: o.onLine },
  );
  const name = `explore${o.first ? ' (to the first finding)' : ''}`;
  const f = readFindings(o.reportsDir);
  const why = r.stderr.trim().split('\n').at(-1)?.trim();
  if (!f) return brokenRun('explore', name, r.seconds, `npm run explore exited ${r.code} without findings.json${why ? `: ${why}` : ''}`);
  return exploreRow(f, { name, code: r.code, seconds: r.seconds, file: findingsPath(o.reportsDir) });
}

/** The row of an exploration, from the findings.json it wrote and how it exited. */
export function exploreRow(f: FindingsFile, run: { name: string; code: number; seconds: number; file: string }): PartResult {
  const { name } = run;
  const r = run;
  const fresh = f.findings.filter((x) => x.status === 'new');
  const failures: Finding[] = [
    ...fresh.map((x) => ({
      title: `${x.property}: ${x.where}: ${x.symptom}`,
      message: `${x.message}\ncounterexample: ${x.counterexample}`,
    })),
    ...f.fixed.map((x) => ({
      title: `known issue ${x.id} no longer happens (${x.why}): remove it from known-issues.json`,
      message: `counterexample: ${x.counterexample}`,
    })),
    ...(f.stopped ? [{ title: `the exploration stopped early: ${f.stopped.split('\n')[0]}` }] : []),
  ];
  if (!failures.length && r.code !== 0) failures.push({ title: `npm run explore exited ${r.code}` });
  // Counted by property, like the other parts' tests and checks: a property broken only by known
  // issues is known, not passed (its findings are listed one by one under knowns).
  const failed = f.properties.filter((p) => p.status === 'fail').length;
  const knownProps = f.properties.filter((p) => p.status === 'known').length;
  return {
    part: 'explore',
    name: `${name}, seed ${f.seed}`,
    unit: 'properties',
    total: f.properties.length,
    passed: f.properties.length - failed - knownProps,
    known: knownProps,
    flaky: 0,
    failed: Math.max(failed, failures.length ? 1 : 0),
    skipped: 0,
    seconds: r.seconds,
    ok: r.code === 0,
    failures,
    flakes: [],
    knowns: f.findings
      .filter((x) => x.status === 'known')
      .map((x) => ({ title: `${x.property}: ${x.where}: ${x.symptom}`, message: `${x.knownIssue}: counterexample ${x.counterexample}` })),
    reports: [{ label: 'Exploration findings (JSON)', path: run.file }],
    verdicts: f.properties.map((p) => ({ check: `property ${p.name}`, failed: p.status === 'fail' })),
    drift: unique(f.drift),
    ...(saysRateLimited(f.stopped) ? { rateLimited: true } : {}),
  };
}

// ---- conformance: npm run conformance -- --json ----

interface ConformanceReport {
  ok: boolean;
  outcomes: {
    name: string;
    verdict: 'same' | 'known' | 'differs' | 'skipped' | 'error';
    note?: string;
    differences: { where: string; real: string; reference: string; known?: string }[];
  }[];
}

/** The reference target against TARGET_URL, request by request (release/conformance.ts): a case
 *  whose only differences are the known ones counts as `known`, one with another difference fails. */
export async function runConformance(o: PartOptions): Promise<PartResult> {
  const r = await exec(
    process.execPath,
    [...TSX, 'release/conformance.ts', '--json'],
    { ...o.env, REPORTS_DIR: o.reportsDir },
    { onLine: (l, s) => s === 'stderr' && o.onLine?.(l, s) },
  );
  let report: ConformanceReport;
  try {
    report = JSON.parse(r.stdout) as ConformanceReport;
  } catch {
    return brokenRun(
      'conformance',
      'conformance',
      r.seconds,
      `npm run conformance exited ${r.code} without a report${r.stderr.trim() ? `: ${r.stderr.trim().split('\n').at(-1)}` : ''}`,
    );
  }
  const ran = report.outcomes.filter((c) => c.verdict !== 'skipped');
  const bad = ran.filter((c) => c.verdict === 'differs' || c.verdict === 'error');
  const knownOnes = ran.filter((c) => c.verdict === 'known');
  return {
    part: 'conformance',
    name: 'conformance with the reference',
    unit: 'cases',
    total: ran.length,
    passed: ran.length - bad.length - knownOnes.length,
    known: knownOnes.length,
    flaky: 0,
    failed: bad.length,
    skipped: report.outcomes.length - ran.length,
    seconds: r.seconds,
    ok: r.code === 0 && report.ok,
    failures: bad.map((c) => ({
      title: c.name,
      message:
        c.note ??
        c.differences
          .filter((d) => !d.known)
          .map((d) => `${d.where}: real ${d.real}; reference ${d.reference}`)
          .join('\n'),
    })),
    flakes: [],
    knowns: knownOnes.map((c) => ({ title: c.name, message: c.differences.map((d) => d.known ?? '').join('; ') })),
    reports: [],
    verdicts: ran.map((c) => ({ check: c.name, failed: c.verdict === 'differs' || c.verdict === 'error' })),
  };
}
