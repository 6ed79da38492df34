// The reference target in a child process of its own (benchmarks, the matrix): its own event loop,
// so a load generator in this process does not steal its time. Resolves once it prints its URL.
// Clean by default (no faults, in-memory, 24 h tokens) whatever a developer's .env says, so figures
// and verdicts never rest on a fault nobody asked for; `env` sets what a caller does want.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface SpawnedTarget {
  url: string;
  close(): Promise<void>;
}

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));

const CLEAN = {
  TARGET_FAULTS: '',
  TARGET_DB: ':memory:',
  TARGET_TOKEN_LIFETIME_S: '86400',
  TARGET_MAX_REFRESH_S: '86400',
  TARGET_GENERATION: '',
  TARGET_SMTP_URL: '',
};
const START_TIMEOUT_MS = 30_000;

export function spawnTarget(env: Record<string, string> = {}): Promise<SpawnedTarget> {
  const timeoutMs = START_TIMEOUT_MS;
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    env: { ...process.env, ...CLEAN, TARGET_PORT: '0', LOG_LEVEL: 'warn', LOG_FORMAT: 'json', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const close = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void close();
      reject(new Error(`the reference target did not start within ${timeoutMs} ms`));
    }, timeoutMs);
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        child.stdout!.removeAllListeners('data');
        child.stdout!.resume();
        resolve({ url: m[1]!, close });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the reference target exited with code ${code} before it was ready`));
    });
  });
}
