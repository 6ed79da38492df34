// Runs one of the harness's commands as the user would (its own CLI, in its own process), streaming
// its output line by line to whoever shows progress. The release check, the matrix and the
// self-tests all run commands through this, on execa (the harness's one process runner).
import { execa } from 'execa';

export interface ExecResult {
  code: number;
  seconds: number;
  stdout: string;
  stderr: string;
  /** stdout and stderr as they arrived. */
  output: string;
}

export type LineSink = (line: string, stream: 'stdout' | 'stderr') => void;

export interface ExecOptions {
  onLine?: LineSink;
  /** Kill the command with its whole process group (npm's children included) after this long, so a
   *  hung run fails instead of holding its caller. Without it the command stays in our process
   *  group, so Ctrl-C reaches it. */
  timeoutMs?: number;
  /** Working folder (default: ours). */
  cwd?: string;
}

/** A line transform that shows each line to `sink` and passes it on unchanged. */
const tee = (sink: LineSink, stream: 'stdout' | 'stderr') => ({
  *transform(line: unknown) {
    sink(String(line).replace(/\r?\n$/, ''), stream);
    yield line;
  },
  preserveNewlines: true,
});

export async function exec(cmd: string, args: string[], env: Record<string, string | undefined>, o: ExecOptions = {}): Promise<ExecResult> {
  const started = performance.now();
  const detached = o.timeoutMs !== undefined;
  const child = execa(cmd, args, {
    env,
    cwd: o.cwd,
    detached,
    stdin: 'ignore',
    stdout: o.onLine ? tee(o.onLine, 'stdout') : 'pipe',
    stderr: o.onLine ? tee(o.onLine, 'stderr') : 'pipe',
    all: true,
    reject: false,
    stripFinalNewline: false,
  });
  // execa's own timeout kills the command only; a detached command is killed with its group.
  const timer = detached ? setTimeout(() => child.pid && process.kill(-child.pid, 'SIGKILL'), o.timeoutMs) : undefined;
  const r = await child.finally(() => clearTimeout(timer));
  // Not started at all (no such command): an error, as from spawn.
  if (r.exitCode === undefined && r.signal === undefined) throw r;
  return {
    code: r.exitCode ?? 128,
    seconds: (performance.now() - started) / 1000,
    stdout: r.stdout,
    stderr: r.stderr,
    output: r.all ?? '',
  };
}
