// Runs one of the harness's commands as the user would (its own CLI, in its own process), streaming
// its output line by line to whoever shows progress. The release check, the matrix and the
// self-tests all run commands through this.
import { spawn } from 'node:child_process';

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

export function exec(cmd: string, args: string[], env: Record<string, string | undefined>, o: ExecOptions = {}): Promise<ExecResult> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const detached = o.timeoutMs !== undefined;
    const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached, cwd: o.cwd });
    const text = { stdout: '', stderr: '' };
    let output = '';
    const lines = (stream: NodeJS.ReadableStream, name: 'stdout' | 'stderr') => {
      let buf = '';
      stream.on('data', (chunk: Buffer) => {
        const s = chunk.toString();
        text[name] += s;
        output += s;
        buf += s;
        const parts = buf.split('\n');
        buf = parts.pop()!;
        for (const l of parts) o.onLine?.(l, name);
      });
      stream.on('end', () => buf && o.onLine?.(buf, name));
    };
    lines(child.stdout!, 'stdout');
    lines(child.stderr!, 'stderr');
    const timer = detached ? setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), o.timeoutMs) : undefined;
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), seconds: (performance.now() - started) / 1000, ...text, output });
    });
  });
}
