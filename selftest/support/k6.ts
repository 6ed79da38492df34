import { ensureTool } from '../../core/go-tools.ts';
import { k6Args } from '../../load/runner/k6.ts';
import { loadSettingsShape } from '../../load/runner/settings.ts';
import { latestRunDir, readSummary, type JsonSummary } from '../../load/runner/k6.ts';
import { targetSettings } from '../../reference/settings.ts';
import { runCli } from '../support/cli.ts';
import { tempDir } from '../support/temp.ts';

export type Summary = JsonSummary;

export interface Run {
  code: number;
  output: string;
  reportsDir: string;
  /** The summary.json of the run (`npm run load` writes one per run; plain k6 none). */
  summary(script: string, profile?: string): Summary;
}

// Every setting the runner reads is given here, blank unless the test sets it, so a developer's
// .env (dotenv never overrides a variable that is present) cannot point a test elsewhere.
const BLANK = Object.fromEntries(Object.keys({ ...loadSettingsShape, ...targetSettings }).map((k) => [k, '']));

const withSummary = (r: { code: number; output: string }, reportsDir: string): Run => ({
  ...r,
  reportsDir,
  summary: (script, profile = 'smoke') => {
    const s = readSummary(latestRunDir(reportsDir));
    if (!s || s.script !== script || s.profile !== profile) throw new Error(`no k6 summary for ${script} ${profile} in ${reportsDir}`);
    return s;
  },
});

/** k6's latency thresholds with room for a loaded 2-core CI machine: for a run that proves something
 *  else (latency thresholds have their own cases in selftest/load/faults.test.ts). */
export const K6_LATENCY_ROOM = { LOAD_P95_MS: '20000', LOAD_P99_MS: '30000' } as const;

/** `npm run load -- <args>` with `env` (plus blanks for everything else). */
export async function runLoad(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const reportsDir = tempDir('hx-load-test-');
  const r = await runCli('node_modules/.bin/tsx', ['load/runner/main.ts', ...args], {
    ...BLANK,
    LOG_FORMAT: 'json',
    REPORTS_DIR: reportsDir,
    ...env,
  });
  return withSummary(r, reportsDir);
}

/** `k6 run [extra] -e ... load/<script>` directly, as a user would without the orchestrator (k6's own summary, no files). */
export async function runK6Direct(script: string, e: Record<string, string>, extra: string[] = [], cwd?: string): Promise<Run> {
  const bin = await ensureTool('k6');
  const r = await runCli(bin, k6Args({ script, env: e, args: ['--quiet', ...extra] }), {}, undefined, cwd);
  return withSummary(r, cwd ?? '');
}

/** A short, readable excerpt of a run's output for assertion messages. */
export const tail = (r: Run, lines = 25): string => r.output.trim().split('\n').slice(-lines).join('\n');

export const failedChecks = (s: Summary): string[] => s.checks.filter((c) => c.fails > 0).map((c) => c.name);
export const crossedThresholds = (s: Summary): string[] => s.thresholds.filter((t) => !t.ok).map((t) => `${t.metric}: ${t.rule}`);
