// Runs one k6 script with -e values and returns k6's exit code (99 = thresholds crossed,
// 107 = script error such as a refused setting, 0 = passed).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

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
    const child = spawn(run.bin, k6Args(run), { stdio: ['ignore', pipe ? 'pipe' : 'inherit', pipe ? 'pipe' : 'inherit'] });
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
