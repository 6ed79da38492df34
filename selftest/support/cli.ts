// Runs one of the harness's commands as a user would, for a self-test: core/exec.ts with a
// time limit, so a run that hangs fails its test instead of holding the suite.
import { exec, type ExecResult } from '../../core/exec.ts';

export type CliRun = ExecResult;

export function runCli(cmd: string, args: string[], env: Record<string, string>, timeoutMs = 120_000, cwd?: string): Promise<CliRun> {
  return exec(cmd, args, env, { timeoutMs, cwd });
}
