// Runs a k6 script and keeps its reports. k6 prints its own end-of-test summary (the standard one,
// thresholds with their measured values); the scripts define no handleSummary, because one would
// replace it. The runner asks k6 for the same figures as JSON (--summary-export) and writes, in a
// folder of its own per run (REPORTS_DIR/load/<time>-<script>-<profile>/):
//   summary.json   thresholds with ok and the measured value, checks, every metric's values
//   junit.xml      one test case per threshold and per check
//   summary.txt    the harness's table (also printed after k6's summary)
//   dashboard.html k6's web dashboard export (time series), for every profile but smoke
// and points REPORTS_DIR/load/latest at it. k6's export holds setup()'s data (our tokens): it goes to
// a private temp folder, is read once and removed; nothing from setup_data is ever written.
// Exit codes are k6's: 0 passed, 99 thresholds crossed, 107 script error (such as a refused setting).
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir, totalmem } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { escapeMarkup } from '../../core/escape.ts';
import { ensureTool, ToolNotFound } from '../../core/go-tools.ts';
import { writeFileReplacing } from '../../core/safe-write.ts';
import { textTable } from '../../core/text-table.ts';
import { terminalText } from '../../core/terminal.ts';
import { withoutRefusedK6Env } from './k6-env.ts';
import { CAUSE_WORDS, CAUSES, causeMetric } from '../lib/causes.ts';

export const LOAD_DIR = fileURLToPath(new URL('..', import.meta.url));

export interface K6Run {
  bin: string;
  /** A file under load/, e.g. 'login.ts'. */
  script: string;
  /** -e values; only these reach the script (the system environment is not passed to __ENV). */
  env: Record<string, string | undefined>;
  /** Extra k6 arguments, e.g. ['--quiet']. */
  args?: string[];
  /** 'inherit' shows k6's output; 'pipe' collects it (returned). */
  output?: 'inherit' | 'pipe';
  /** Environment of the k6 process itself (K6_* options such as the web dashboard's). */
  k6Env?: Record<string, string>;
  /** Stops k6 as Ctrl-C does (it still writes its summary). */
  stop?: AbortSignal;
}

export interface K6Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** `-e KEY=VALUE` for each value given (blank and undefined are left out). */
export const envArgs = (env: Record<string, string | undefined>): string[] =>
  Object.entries(env).flatMap(([k, v]) => (v === undefined || v === '' ? [] : ['-e', `${k}=${v}`]));

/** A script under load/ (or an absolute path: an archive). */
export const scriptPath = (script: string): string => fileURLToPath(new URL(script, new URL('..', import.meta.url)));

export function k6Args(run: Pick<K6Run, 'script' | 'env' | 'args'>): string[] {
  const e = envArgs(run.env);
  // No usage report (it would phone home), and __ENV holds exactly what we pass.
  return ['run', '--no-usage-report', '--include-system-env-vars=false', ...(run.args ?? []), ...e, scriptPath(run.script)];
}

/**
 * k6 is a Go program, and its VUs allocate on every request: with Go's default (a collection each time
 * the heap doubles) the collector took a sixth of k6's CPU at credits' rates, more for a script that
 * loads more code per VU (measured on one core, µs of k6 CPU per request: a bare script 76, credits.ts
 * 93; with GOGC=400, 65 and 70). So k6 gets a larger heap goal, GOGC=400 (50 VUs: 100 → 174 MB), under
 * a ceiling of a quarter of this machine's memory (GOMEMLIMIT, where the collector works harder again).
 * A GOGC or GOMEMLIMIT of the user's own wins.
 */
export function goRuntimeEnv(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  return {
    ...(env.GOGC === undefined && { GOGC: '400' }),
    ...(env.GOMEMLIMIT === undefined && { GOMEMLIMIT: `${Math.floor(totalmem() / 4 / 2 ** 20)}MiB` }),
  };
}

/** The pinned k6 (found, or installed with Go); undefined, its reason said on stderr, when there is none (exit 3). */
export async function k6OrSay(userBin: string | undefined): Promise<string | undefined> {
  try {
    return await ensureTool('k6', userBin);
  } catch (err) {
    if (!(err instanceof ToolNotFound)) throw err;
    process.stderr.write(`${err.message}\n`);
    return undefined;
  }
}

export async function runK6(run: K6Run): Promise<K6Result> {
  const pipe = run.output === 'pipe';
  const child = execa(run.bin, k6Args(run), {
    stdin: 'ignore',
    stdout: pipe ? 'pipe' : 'inherit',
    stderr: pipe ? 'pipe' : 'inherit',
    env: { ...goRuntimeEnv(), ...withoutRefusedK6Env(), ...run.k6Env },
    reject: false,
    stripFinalNewline: false,
    // k6's output at a high rate (warnings per VU, the summary) can pass execa's 100 MB default.
    maxBuffer: 256 * 1024 * 1024,
  });
  // Ctrl-C: let k6 stop gracefully (it still writes its summary).
  const forward = (): void => void child.kill('SIGINT');
  process.on('SIGINT', forward);
  run.stop?.addEventListener('abort', forward);
  const r = await child.finally(() => {
    process.off('SIGINT', forward);
    run.stop?.removeEventListener('abort', forward);
  });
  // Not started at all (no such binary): an error, as from spawn.
  if (r.exitCode === undefined && r.signal === undefined) throw r;
  return { code: r.exitCode ?? 128, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

export interface ReportedRun extends K6Run {
  reportsDir: string;
  /** For the reports: the profile's name and one-line description, the target's label, MIN_CHECKS_RATE. */
  profile: { name: string; describe: string; durationS: number };
  target: string;
  minChecksRate: number;
  /** Runs k6 writing its summary export to `exportFile` (default: one runK6; load/runner/instances.ts: N processes). */
  execute?: (run: K6Run, exportFile: string) => Promise<K6Result>;
}

export interface ReportedResult extends K6Result {
  runDir: string;
  /** Undefined when k6 stopped before its summary (a script error in the init context). */
  summary?: JsonSummary;
}

/** The web dashboard's export for every profile but smoke: no server (port -1), about 120 points,
 *  into the run's folder. A K6_WEB_DASHBOARD_* of the user's own wins, each one (as k6 reads them from
 *  the environment the runner passes on): their export file, their live dashboard's port. */
export function dashboardEnv(
  runDir: string,
  profile: { name: string; durationS: number },
  env: NodeJS.ProcessEnv = process.env,
): Record<string, string> {
  if (profile.name === 'smoke') return {};
  const ours: Record<string, string> = {
    K6_WEB_DASHBOARD: 'true',
    K6_WEB_DASHBOARD_PORT: '-1',
    K6_WEB_DASHBOARD_PERIOD: `${Math.max(1, Math.round(profile.durationS / 120))}s`,
    K6_WEB_DASHBOARD_EXPORT: join(runDir, 'dashboard.html'),
  };
  return Object.fromEntries(Object.entries(ours).filter(([k]) => !env[k]));
}

/** runK6, then the run's reports in REPORTS_DIR/load/<time>-<script>-<profile>/ and `latest` pointed at it. */
export async function runReported(run: ReportedRun): Promise<ReportedResult> {
  const startedAt = new Date();
  const script = basename(run.script).replace(/\.[jt]s$/, '');
  const runDir = newRunDir(run.reportsDir, script, run.profile.name, startedAt);
  // k6 writes setup()'s data (tokens) into its export: a private folder, removed whatever happens.
  const secret = mkdtempSync(join(tmpdir(), 'hx-k6-export-'));
  const exportFile = join(secret, 'export.json');
  try {
    const t0 = performance.now();
    const k6Run = { ...run, k6Env: { ...dashboardEnv(runDir, run.profile), ...run.k6Env } };
    const r = run.execute
      ? await run.execute(k6Run, exportFile)
      : await runK6({ ...k6Run, args: [...(run.args ?? []), '--summary-export', exportFile] });
    if (!existsSync(exportFile)) return { ...r, runDir };
    const summary = fromK6Export(JSON.parse(readFileSync(exportFile, 'utf8')), {
      script,
      profile: run.profile.name,
      describe: run.profile.describe,
      target: run.target,
      startedAt,
      durationMs: performance.now() - t0,
      minChecksRate: run.minChecksRate,
    });
    writeRunReports(runDir, summary);
    linkLatest(run.reportsDir, runDir);
    // Beside k6's own summary (printed above by k6), the harness's table.
    if (run.output !== 'pipe') process.stdout.write(terminalText(`\n${summaryText(summary)}  reports: ${runDir}\n`));
    return { ...r, runDir, summary };
  } finally {
    rmSync(secret, { recursive: true, force: true });
  }
}

// ---- the reports ----

/** What the runner writes as summary.json; the release check, the benchmark and the self-tests read it. */
export interface JsonSummary {
  script: string;
  profile: string;
  describe: string;
  target: string;
  /** When the run started (ISO time). */
  startedAt: string;
  /** Wall time of the k6 process, setup() included. */
  durationMs: number;
  passed: boolean;
  /** Below this pass rate a check's JUnit case fails (MIN_CHECKS_RATE). */
  minChecksRate: number;
  /** `measured` is the value the rule was judged on, as k6 shows it: `p(95)=148ms`, `rate=0.00%`. */
  thresholds: { metric: string; rule: string; ok: boolean; measured: string }[];
  checks: { name: string; passes: number; fails: number }[];
  /** Why requests failed, most frequent first: k6's error codes grouped into causes (load/lib/causes.ts), in words. */
  causes?: { cause: string; count: number; words: string }[];
  metrics: Record<string, Record<string, number>>;
  /** The dashboard export beside this file, when the profile has one. */
  dashboard?: string;
  /** A run split over k6 processes (LOAD_INSTANCES): each one's segment and figures (load/runner/merge.ts). */
  instances?: InstanceFigures[];
}

export interface InstanceFigures {
  segment: string;
  exitCode: number;
  requests: number;
  p95Ms?: number;
}

export interface RunInfo {
  script: string;
  profile: string;
  describe: string;
  target: string;
  startedAt: Date;
  durationMs: number;
  minChecksRate: number;
}

/** k6's --summary-export (the legacy JSON layout k6 v1 still writes); `instances` is the merge's. */
export interface K6Export {
  metrics: Record<string, Record<string, number | Record<string, boolean>>>;
  root_group: K6Group;
  instances?: InstanceFigures[];
}
export interface K6Group {
  checks: Record<string, { name: string; passes: number; fails: number }> | { name: string; passes: number; fails: number }[];
  groups: Record<string, K6Group> | K6Group[];
}

const allChecks = (g: K6Group): { name: string; passes: number; fails: number }[] => [
  ...Object.values(g.checks ?? {}),
  ...Object.values(g.groups ?? {}).flatMap(allChecks),
];

/** k6's own rounding: two decimals, trailing zeros dropped (148ms, 2.69ms, 1.5s). */
const trim = (n: number): string => n.toFixed(2).replace(/\.?0+$/, '');

/** A duration in ms the way k6 prints it. */
export function humanizeMs(ms: number): string {
  if (ms < 1) return `${trim(ms * 1000)}µs`;
  if (ms < 1000) return `${trim(ms)}ms`;
  if (ms < 60_000) return `${trim(ms / 1000)}s`;
  const m = Math.floor(ms / 60_000);
  return `${m}m${trim((ms - m * 60_000) / 1000)}s`;
}

/** The value a threshold rule was judged on, shown as k6 shows it: `p(95)=148ms`, `rate=0.00%`, `count=201`. */
export function measuredValue(metric: string, rule: string, values: Record<string, number>): string {
  const agg = /^\s*([a-z]+(?:\(\d+(?:\.\d+)?\))?)/.exec(rule)?.[1] ?? rule;
  const v = agg === 'rate' ? (values.rate ?? values.value) : values[agg];
  if (v === undefined || !Number.isFinite(v)) return `${agg}=n/a`;
  // k6 truncates rates to two decimals of a percent.
  if (agg === 'rate') return `rate=${(Math.trunc(v * 10_000) / 100).toFixed(2)}%`;
  if (agg === 'count') return `count=${v}`;
  return `${agg}=${/duration|_time|waiting|blocked|connecting|sending|receiving/.test(metric) ? humanizeMs(v) : trim(v)}`;
}

/** The harness's summary from k6's export; setup_data is not read. */
export function fromK6Export(raw: K6Export, run: RunInfo): JsonSummary {
  const metrics: Record<string, Record<string, number>> = {};
  const thresholds: JsonSummary['thresholds'] = [];
  for (const [name, m] of Object.entries(raw.metrics)) {
    const values: Record<string, number> = {};
    for (const [k, v] of Object.entries(m)) if (typeof v === 'number') values[k === 'value' ? 'rate' : k] = v;
    metrics[name] = values;
    // In the export a threshold maps to true when it was crossed.
    const rules = (m.thresholds ?? {}) as Record<string, boolean>;
    for (const [rule, crossed] of Object.entries(rules))
      thresholds.push({ metric: name, rule, ok: !crossed, measured: measuredValue(name, rule, values) });
  }
  thresholds.sort((a, b) => (a.metric + a.rule < b.metric + b.rule ? -1 : 1));
  const causes = CAUSES.map((cause) => ({ cause, count: metrics[causeMetric(cause)]?.count ?? 0, words: CAUSE_WORDS[cause] }))
    .filter((c) => c.count > 0)
    .sort((a, b) => b.count - a.count);
  return {
    script: run.script,
    profile: run.profile,
    describe: run.describe,
    target: run.target,
    startedAt: run.startedAt.toISOString(),
    durationMs: run.durationMs,
    passed: thresholds.every((t) => t.ok),
    minChecksRate: run.minChecksRate,
    thresholds,
    checks: allChecks(raw.root_group).map(({ name, passes, fails }) => ({ name, passes, fails })),
    ...(causes.length ? { causes } : {}),
    metrics,
    ...(raw.instances && { instances: raw.instances }),
  };
}

const fmt = (n: number | undefined, digits = 1): string => (n === undefined || !Number.isFinite(n) ? '-' : n.toFixed(digits));

/** The summary's line about the processes. */
export function instancesLine(instances: readonly InstanceFigures[]): string {
  const each = instances
    .map((i) => `${i.segment}: ${i.requests} requests, p95 ${i.p95Ms === undefined ? '-' : i.p95Ms.toFixed(1)} ms, exit ${i.exitCode}`)
    .join('; ');
  return (
    `  ${instances.length} k6 processes by execution segment, as the k6-operator's runners (${each}); ` +
    `the percentiles above are the worst process's (an upper bound of the run's)`
  );
}

/** The harness's table: one line for the endpoint, the checks, the thresholds with what was measured. */
export function summaryText(s: JsonSummary): string {
  const m = (name: string) => s.metrics[`${name}{name:${s.script}}`] ?? {};
  const reqs = m('http_reqs');
  const dur = m('http_req_duration');
  const failed = m('http_req_failed');
  const lines = [
    `k6 ${s.describe} against ${s.target} (${fmt(s.durationMs / 1000)} s)`,
    textTable(
      ['endpoint', 'requests', 'req/s', 'failed', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms'],
      [
        [
          s.script,
          String(reqs.count ?? 0),
          fmt(reqs.rate),
          `${fmt((failed.rate ?? 0) * 100, 2)}%`,
          ...[dur.med, dur['p(95)'], dur['p(99)'], dur.max].map((v) => fmt(v)),
        ],
      ],
      { rightFrom: 1, indent: '  ' },
    ),
    `  checks:`,
    ...s.checks.map((c) => `    ${c.fails === 0 ? '✓' : '✗'} ${c.name}: ${c.passes} passed, ${c.fails} failed`),
    // A 429 has its own line below ("rate limited").
    ...((causes) => (causes.length ? ['  failed requests, by cause:', ...causes.map((c) => `    ${c.count} × ${c.words}`)] : []))(
      (s.causes ?? []).filter((c) => c.cause !== 'rate_limited'),
    ),
    `  thresholds:`,
    ...s.thresholds.map((t) => `    ${t.ok ? '✓' : '✗'} ${t.metric}: ${t.rule} ${t.measured}`),
  ];
  const limited = rateLimitedCount(s);
  if (limited)
    lines.push(
      `  rate limited: ${limited} answers were the target's rate limit (429), counted apart; the run stopped there, and ` +
        'the thresholds it crossed say nothing of the API',
    );
  if (s.instances) lines.push(instancesLine(s.instances));
  const dropped = s.metrics.dropped_iterations?.count;
  if (dropped) lines.push(`  ${dropped} iterations dropped: the VU limit was too low for the rate asked (raise MAX_VUS)`);
  return `${lines.join('\n')}\n`;
}

const xml = escapeMarkup;

/** Answers that were the target's rate limit (the scripts' rate_limited counter). */
export const rateLimitedCount = (s: JsonSummary): number => s.metrics.rate_limited?.count ?? 0;

export function junitXml(s: JsonSummary): string {
  const checkFails = (c: { passes: number; fails: number }) => c.passes / Math.max(1, c.passes + c.fails) < s.minChecksRate;
  const cases = [
    ...s.thresholds.map(
      (t) =>
        `    <testcase classname="k6.${xml(s.script)}.thresholds" name="${xml(`${t.metric}: ${t.rule}`)}">` +
        (t.ok ? '' : `<failure message="${xml(`threshold crossed: ${t.metric} ${t.rule} (${t.measured})`)}"/>`) +
        `<system-out>${xml(t.measured)}</system-out></testcase>`,
    ),
    ...s.checks.map(
      (c) =>
        `    <testcase classname="k6.${xml(s.script)}.checks" name="${xml(c.name)}">` +
        (checkFails(c) ? `<failure message="${xml(`${c.fails} of ${c.passes + c.fails} answers failed this check`)}"/>` : '') +
        `<system-out>${c.passes} passed, ${c.fails} failed</system-out></testcase>`,
    ),
  ];
  const failures = s.thresholds.filter((t) => !t.ok).length + s.checks.filter(checkFails).length;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="k6 load" tests="${cases.length}" failures="${failures}">`,
    `  <testsuite name="${xml(`${s.script} ${s.profile}`)}" tests="${cases.length}" failures="${failures}" ` +
      `time="${fmt(s.durationMs / 1000, 3)}" timestamp="${xml(s.startedAt)}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

// ---- one folder per run, and REPORTS_DIR/load/latest ----

export const loadReportsDir = (reportsDir: string): string => join(reportsDir, 'load');
export const latestRunDir = (reportsDir: string): string => join(loadReportsDir(reportsDir), 'latest');

/** A new folder for one run: REPORTS_DIR/load/20261125-161700-credits-load (a suffix when two start in the same second). */
export function newRunDir(reportsDir: string, script: string, profile: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  const base = join(loadReportsDir(reportsDir), `${stamp}-${script}-${profile}`);
  mkdirSync(loadReportsDir(reportsDir), { recursive: true });
  for (let i = 1; ; i++) {
    const dir = i === 1 ? base : `${base}-${i}`;
    if (existsSync(dir)) continue;
    mkdirSync(dir);
    return dir;
  }
}

/** Points `latest` at the run's folder (replaced atomically: a reader never finds it missing). */
export function linkLatest(reportsDir: string, runDir: string): void {
  const link = latestRunDir(reportsDir);
  const tmp = `${link}.${process.pid}.tmp`;
  rmSync(tmp, { force: true });
  symlinkSync(basename(runDir), tmp);
  renameSync(tmp, link);
}

export function writeRunReports(runDir: string, s: JsonSummary): void {
  if (existsSync(join(runDir, 'dashboard.html'))) s.dashboard = 'dashboard.html';
  writeFileReplacing(join(runDir, 'summary.json'), `${JSON.stringify(s, null, 2)}\n`);
  writeFileReplacing(join(runDir, 'junit.xml'), junitXml(s));
  writeFileReplacing(join(runDir, 'summary.txt'), summaryText(s));
}

export function readSummary(runDir: string): JsonSummary | undefined {
  const path = join(runDir, 'summary.json');
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as JsonSummary;
  } catch {
    return undefined; // a run killed while writing
  }
}

/** Every finished run under REPORTS_DIR/load, newest first. */
export function listRuns(reportsDir: string): { dir: string; summary: JsonSummary }[] {
  const root = loadReportsDir(reportsDir);
  if (!existsSync(root)) return [];
  return readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && /^\d{8}-\d{6}-/.test(d.name))
    .map((d) => d.name)
    .sort()
    .reverse()
    .flatMap((name) => {
      const summary = readSummary(join(root, name));
      return summary ? [{ dir: join(root, name), summary }] : [];
    });
}
