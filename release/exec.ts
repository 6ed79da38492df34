// Runs one part of the harness as the user would (its own CLI, in its own process), streaming its
// output line by line to whoever shows progress.
import { spawn } from 'node:child_process';

export interface ExecResult {
  code: number;
  seconds: number;
  stdout: string;
}

export type LineSink = (line: string, stream: 'stdout' | 'stderr') => void;

export function exec(cmd: string, args: string[], env: Record<string, string | undefined>, onLine?: LineSink): Promise<ExecResult> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    const lines = (stream: NodeJS.ReadableStream, name: 'stdout' | 'stderr') => {
      const keep = name === 'stdout';
      let buf = '';
      stream.on('data', (chunk: Buffer) => {
        const text = chunk.toString();
        if (keep) stdout += text;
        buf += text;
        const parts = buf.split('\n');
        buf = parts.pop()!;
        for (const l of parts) onLine?.(l, name);
      });
      stream.on('end', () => buf && onLine?.(buf, name));
    };
    lines(child.stdout!, 'stdout');
    lines(child.stderr!, 'stderr');
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), seconds: (performance.now() - started) / 1000, stdout }));
  });
}
