// The tests part: `npx playwright test` over the projects asked for, judged by Playwright's JSON
// report (each test by its full title, known issues by their annotation, drift by the tests'
// annotations) and the leak check's verdict.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { exec } from '../core/exec.ts';
import { saysRateLimited } from '../core/rate-limit.ts';
import { redactText } from '../core/redact.ts';
import { LEAK_CHECK_FAILED } from '../fixtures/secrets.ts';
import { brokenRun, type Finding, type PartOptions, type PartResult, unique, type Verdict } from './result.ts';

/** Playwright's own command line, run with this Node: `npx playwright` without npm's start-up. */
const PLAYWRIGHT_CLI = createRequire(import.meta.url).resolve('@playwright/test/cli');

/** The Playwright projects (playwright.config.ts). */
export const PROJECTS = ['smoke', 'flow', 'upgrade'] as const;

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
  /** Only these spec files (under tests/), of those projects: the matrix runs a fault against the specs
   *  its catalog entry names. */
  files?: readonly string[];
  workers?: number;
  /** The config's CI reporters (list, blob, junit, html, json, leak check) and retries; otherwise a quick run for the matrix. */
  fullReports?: boolean;
  /** Stop at this many failed tests (the matrix, where only "caught or not" is asked of the run). */
  maxFailures?: number;
}

export async function runTests(o: TestRunOptions): Promise<PartResult> {
  const json = resolve(o.reportsDir, 'results.json');
  rmSync(json, { force: true });
  const args = [PLAYWRIGHT_CLI, 'test', ...o.projects.map((p) => `--project=${p}`), ...(o.files ?? []).map((f) => `tests/${f}`)];
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
  const r = await exec(process.execPath, args, env, {
    onLine: (line, stream) => {
      if (line.includes(LEAK_CHECK_FAILED)) leak = true;
      o.onLine?.(line, stream);
    },
  });
  const name = `playwright ${o.files?.length ? o.files.join(' ') : o.projects.join(',')}`;
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
