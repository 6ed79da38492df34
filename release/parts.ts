// The three parts of the harness, each run through its own CLI and judged by its own report:
// Playwright's JSON report, k6's JSON summary, the monitor's --json pass.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { LEAK_CHECK_FAILED } from '../fixtures/secrets.ts';
import { summaryBase } from '../load/lib/summary.ts';
import { readSummary, summaryPath } from '../load/runner/summary.ts';
import { exec, type LineSink } from './exec.ts';

/** The harness's three parts, in the order they run. */
export const PARTS = ['tests', 'load', 'monitor'] as const;
export type Part = (typeof PARTS)[number];
export type PartName = Part;

export interface PartResult {
  part: PartName;
  /** What ran ("playwright smoke,flow,upgrade", "k6 credits smoke", "monitor pass 2/2"). */
  name: string;
  checks: number;
  passed: number;
  failed: number;
  seconds: number;
  ok: boolean;
  /** What failed, in the part's own words (test titles, thresholds, check messages). */
  failures: string[];
  /** Reports it wrote, for the release report's links. */
  reports: { label: string; path: string }[];
  /** Every named check that ran (test title, k6 threshold or check, monitor check) and whether it
   *  failed: the matrix uses them to find checks that no fault makes fail. */
  verdicts: Verdict[];
  /** Fields the contract does not know that the part saw (`response.Organization (register)`): news,
   *  not failures. Tests report them as `drift` annotations, the monitor as `drift` notes; k6 does not look. */
  drift?: string[];
}

export interface Verdict {
  check: string;
  failed: boolean;
}

/** A run that produced no report of its own: one failure saying why. */
export function brokenRun(part: PartName, name: string, seconds: number, why: string): PartResult {
  return { part, name, seconds, checks: 0, passed: 0, failed: 1, ok: false, failures: [why], reports: [], verdicts: [] };
}

/** Several runs of one part reported as one (the matrix's login + credits). */
export function combine(name: string, runs: readonly PartResult[]): PartResult {
  const sum = (f: (r: PartResult) => number) => runs.reduce((n, r) => n + f(r), 0);
  return {
    part: runs[0]!.part,
    name,
    checks: sum((r) => r.checks),
    passed: sum((r) => r.passed),
    failed: sum((r) => r.failed),
    seconds: sum((r) => r.seconds),
    ok: runs.every((r) => r.ok),
    failures: runs.flatMap((r) => r.failures.map((f) => `${r.name}: ${f}`)),
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
interface PwSpec {
  title: string;
  file: string;
  tests: { status: string; projectName: string; annotations?: PwAnnotation[]; results?: { annotations?: PwAnnotation[] }[] }[];
}
interface PwSuite {
  title: string;
  specs?: PwSpec[];
  suites?: PwSuite[];
}
interface PwReport {
  suites: PwSuite[];
  stats: { expected: number; unexpected: number; flaky: number; skipped: number };
}

/** Every test that ran (skipped ones left out), by its full title. */
function testVerdicts(suites: PwSuite[], path: string[] = []): Verdict[] {
  return suites.flatMap((s) => {
    const here = s.title && !s.title.endsWith('.ts') ? [...path, s.title] : path;
    const own = (s.specs ?? []).flatMap((spec) =>
      spec.tests
        .filter((t) => t.status !== 'skipped')
        .map((t) => ({
          check: `[${t.projectName}] ${spec.file} › ${[...here, spec.title].join(' › ')}`,
          failed: t.status === 'unexpected',
        })),
    );
    return [...own, ...testVerdicts(s.suites ?? [], here)];
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
  /** The config's CI reporters (list, junit, html, json, leak check) and retries; otherwise a quick run for the matrix. */
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
  const base = { part: 'tests' as const, name: `playwright ${o.projects.join(',')}`, seconds: r.seconds };
  if (!existsSync(json)) return brokenRun('tests', base.name, r.seconds, `playwright exited ${r.code} without a report`);
  const report = JSON.parse(readFileSync(json, 'utf8')) as PwReport;
  const { expected, unexpected, flaky, skipped } = report.stats;
  // Skips are by design (no signing key, upgrade not allowed) but must not pass unseen.
  if (skipped) base.name += ` (${skipped} skipped)`;
  const verdicts = testVerdicts(report.suites);
  const failures = verdicts.filter((v) => v.failed).map((v) => v.check);
  if (leak) failures.unshift(`the secret leak check found a password or token in this run's output (${o.reportsDir})`);
  if (!failures.length && r.code !== 0) failures.push(`playwright exited ${r.code}`);
  return {
    ...base,
    checks: expected + unexpected + flaky,
    passed: expected + flaky,
    failed: unexpected + (leak ? 1 : 0),
    ok: r.code === 0 && unexpected === 0 && !leak,
    failures,
    reports: o.fullReports
      ? [
          { label: 'Playwright report', path: join(o.reportsDir, 'html', 'index.html') },
          { label: 'JUnit', path: join(o.reportsDir, 'junit.xml') },
        ]
      : [],
    verdicts,
    drift: unique(testDrift(report.suites)),
  };
}

// ---- load: npm run load -- <script> --profile smoke ----

export async function runLoad(o: PartOptions & { script: 'login' | 'credits'; duration?: string }): Promise<PartResult> {
  const profile = 'smoke';
  rmSync(summaryPath(o.reportsDir, o.script, profile), { force: true });
  const r = await exec(
    process.execPath,
    [...TSX, 'load/runner/main.ts', o.script, '--profile', profile, ...(o.duration ? ['--duration', o.duration] : [])],
    { ...o.env, REPORTS_DIR: o.reportsDir },
    { onLine: o.onLine },
  );
  const name = `k6 ${o.script} ${profile}${o.duration ? ` (${o.duration})` : ''}`;
  const s = readSummary(o.reportsDir, o.script, profile);
  // No summary: the run stopped before k6 did anything (set-up failed); its last words say why.
  const why = r.stderr.trim().split('\n').at(-1)?.trim();
  if (!s) return brokenRun('load', name, r.seconds, `k6 run exited ${r.code} without a summary${why ? `: ${why}` : ''}`);
  const crossed = s.thresholds.filter((t) => !t.ok).map((t) => `threshold crossed: ${t.metric} ${t.rule}`);
  const checkFails = s.checks.filter((c) => c.fails > 0).map((c) => `check "${c.name}": ${c.fails} of ${c.passes + c.fails} failed`);
  const failures = r.code === 0 ? [] : [...crossed, ...checkFails];
  if (r.code !== 0 && !failures.length) failures.push(`k6 exited ${r.code}`);
  const base = summaryBase(o.reportsDir, o.script, profile);
  return {
    part: 'load',
    name,
    seconds: r.seconds,
    checks: s.thresholds.length,
    passed: s.thresholds.length - crossed.length,
    failed: r.code === 0 ? 0 : Math.max(1, crossed.length),
    ok: r.code === 0,
    failures,
    reports: [
      { label: `k6 ${o.script} summary`, path: `${base}.txt` },
      { label: `k6 ${o.script} JSON`, path: `${base}.json` },
      { label: `k6 ${o.script} JUnit`, path: `${base}.junit.xml` },
    ],
    verdicts: [
      ...s.thresholds.map((t) => ({ check: `threshold ${t.metric} ${t.rule}`, failed: !t.ok })),
      ...s.checks.map((c) => ({ check: `check "${c.name}"`, failed: c.fails > 0 })),
    ],
  };
}

// ---- monitor: npm run monitor -- --once --json ----

interface MonitorPass {
  status: 'pass' | 'fail';
  checks: { name: string; status: string; message: string; drift?: string[] }[];
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
  const all = results.flatMap((p) => p.checks).filter((c) => c.status !== 'skipped');
  const failed = all.filter((c) => c.status === 'fail');
  return {
    part: 'monitor',
    name: passes > 1 ? `monitor ${passes} passes` : 'monitor pass',
    checks: all.length,
    passed: all.length - failed.length,
    failed: failed.length,
    seconds,
    ok: failed.length === 0 && lastCode === 0 && results.every((p) => p.status === 'pass'),
    failures: failed.map((c) => `${c.name}: ${c.message.split('\n')[0]}`),
    reports: [{ label: 'Monitor status page', path: join(o.reportsDir, 'monitor', 'status.html') }],
    verdicts: all.map((c) => ({ check: c.name, failed: c.status === 'fail' })),
    drift: unique(results.flatMap((p) => p.checks.flatMap((c) => c.drift ?? []))),
  };
}
