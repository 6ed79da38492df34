// Runs one k6 script with -e values and returns k6's exit code (99 = thresholds crossed,
// 107 = script error such as a refused setting, 0 = passed). runReported also writes the run's
// reports in a folder of its own (summary.ts).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fromK6Export, linkLatest, newRunDir, textTable, writeRunReports, type JsonSummary } from './summary.ts';

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
}

export interface K6Result {
  code: number;
  stdout: string;
  stderr: string;
}

export function k6Args(run: Pick<K6Run, 'script' | 'env' | 'args'>): string[] {
  const e = Object.entries(run.env).flatMap(([k, v]) => (v === undefined || v === '' ? [] : ['-e', `${k}=${v}`]));
  // No usage report (it would phone home), and __ENV holds exactly what we pass.
  return [
    'run',
    '--no-usage-report',
    '--include-system-env-vars=false',
    ...(run.args ?? []),
    ...e,
    fileURLToPath(new URL(run.script, new URL('..', import.meta.url))),
  ];
}

export function runK6(run: K6Run): Promise<K6Result> {
  return new Promise((resolve, reject) => {
    const pipe = run.output === 'pipe';
    const child = spawn(run.bin, k6Args(run), {
      stdio: ['ignore', pipe ? 'pipe' : 'inherit', pipe ? 'pipe' : 'inherit'],
      env: { ...process.env, ...run.k6Env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    // Ctrl-C: let k6 stop gracefully (it still writes its summary).
    const forward = (): void => void child.kill('SIGINT');
    process.on('SIGINT', forward);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      process.off('SIGINT', forward);
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr });
    });
  });
}

export interface ReportedRun extends K6Run {
  reportsDir: string;
  /** For the reports: the profile's name and one-line description, the target's label, MIN_CHECKS_RATE. */
  profile: { name: string; describe: string; durationS: number };
  target: string;
  minChecksRate: number;
}

export interface ReportedResult extends K6Result {
  runDir: string;
  /** Undefined when k6 stopped before its summary (a script error in the init context). */
  summary?: JsonSummary;
}

/** The web dashboard's export for every profile but smoke: no server (port -1), about 120 points. */
export function dashboardEnv(runDir: string, profile: { name: string; durationS: number }): Record<string, string> {
  if (profile.name === 'smoke') return {};
  return {
    K6_WEB_DASHBOARD: 'true',
    K6_WEB_DASHBOARD_PORT: '-1',
    K6_WEB_DASHBOARD_PERIOD: `${Math.max(1, Math.round(profile.durationS / 120))}s`,
    K6_WEB_DASHBOARD_EXPORT: join(runDir, 'dashboard.html'),
  };
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
    const r = await runK6({
      ...run,
      args: [...(run.args ?? []), '--summary-export', exportFile],
      k6Env: { ...dashboardEnv(runDir, run.profile), ...run.k6Env },
    });
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
    if (run.output !== 'pipe') process.stdout.write(`\n${textTable(summary)}  reports: ${runDir}\n`);
    return { ...r, runDir, summary };
  } finally {
    rmSync(secret, { recursive: true, force: true });
  }
}
