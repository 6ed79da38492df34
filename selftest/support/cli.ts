// Runs one of the harness's commands as a user would, for a self-test: core/exec.ts with a
// time limit, so a run that hangs fails its test instead of holding the suite.
import { join } from 'node:path';
import { exec, type ExecResult } from '../../core/exec.ts';

export type CliRun = ExecResult;

export function runCli(cmd: string, args: string[], env: Record<string, string>, timeoutMs = 120_000, cwd?: string): Promise<CliRun> {
  return exec(cmd, args, env, { timeoutMs, cwd });
}

/** Time limits with room for a slow bcrypt login on a loaded 2-core CI machine (a test of latency or
 *  of a hang sets its own). */
export const MONITOR_LATENCY_ROOM = {
  HTTP_TIMEOUT_MS: '15000',
  MONITOR_LATENCY_DEGRADED_MS: '8000',
  MONITOR_LATENCY_FAIL_MS: '12000',
} as const;

/** No retries, and MONITOR_LATENCY_ROOM. */
export const MONITOR_ROOM = { MONITOR_RETRIES: '0', ...MONITOR_LATENCY_ROOM } as const;

/** The environment of the monitor run as a program in a test (`monitor --once`, npm start's monitor
 *  pass): empty values count as unset and keep a developer's .env out; its state file and reports in
 *  `dir`; MONITOR_ROOM. */
export function monitorRunEnv(dir: string): Record<string, string> {
  return {
    TARGET_FAULTS: '',
    TARGET_GENERATION: '',
    MAIL_INBOX_URL: '',
    MONITOR_USERNAME: '',
    MONITOR_PASSWORD: '',
    MONITOR_ALERT_WEBHOOK_URL: '',
    MONITOR_PUSHGATEWAY_URL: '',
    GITHUB_STEP_SUMMARY: '',
    MONITOR_DB: join(dir, 'monitor.db'),
    REPORTS_DIR: join(dir, 'reports'),
    ...MONITOR_ROOM,
  };
}
