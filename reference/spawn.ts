// The reference target in a child process of its own (benchmarks, the matrix, the tests' webServer):
// its own event loop, so a load generator or a test runner in this process does not steal its time.
// Resolves once it prints its URL. Clean by default (no faults, in-memory, 24 h tokens) whatever a
// developer's .env says, so figures and verdicts never rest on a fault nobody asked for; `env` sets
// what a caller does want.
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { BCRYPT_COST } from '../core/contract.ts';

export interface SpawnedTarget {
  url: string;
  /** The target's process (npm run capacity pins it to cores of its own and reads its CPU). */
  pid?: number;
  /** With TARGET_TLS=true: the CA file its certificate chains to (for TARGET_CA_FILE). */
  caFile?: string;
  close(): Promise<void>;
}

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));

/** The environment of a clean target process: what spawnTarget and Playwright's webServer start. */
export const CLEAN_TARGET_ENV = {
  TARGET_FAULTS: '',
  TARGET_DB: ':memory:',
  TARGET_TOKEN_LIFETIME_S: '86400',
  TARGET_MAX_REFRESH_S: '86400',
  // The real server's cost, whatever the environment says: benchmarks and capacity figures rest on it.
  TARGET_BCRYPT_COST: String(BCRYPT_COST),
  TARGET_GENERATION: '',
  TARGET_SMTP_URL: '',
  TARGET_RATE_LIMIT: '',
  TARGET_TLS: '',
  TARGET_TLS_DIR: '',
  TARGET_HOST: '127.0.0.1',
  TARGET_PORT: '0',
  LOG_LEVEL: 'warn',
  LOG_FORMAT: 'json',
};
const START_TIMEOUT_MS = 30_000;

export function spawnTarget(env: Record<string, string> = {}): Promise<SpawnedTarget> {
  const timeoutMs = START_TIMEOUT_MS;
  // execa kills the target if this process dies first (a benchmark that crashes leaves no stray target).
  const child = execa(process.execPath, ['--import', 'tsx', MAIN], {
    env: { ...CLEAN_TARGET_ENV, ...env },
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'inherit',
    buffer: false,
    reject: false,
  });
  const close = async () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    await child;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void close();
      reject(new Error(`the reference target did not start within ${timeoutMs} ms`));
    }, timeoutMs);
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /listening on (https?:\/\/\S+) .*\n/.exec(out);
      if (m) {
        clearTimeout(timer);
        child.stdout.removeAllListeners('data');
        child.stdout.resume();
        const caFile = /; CA certificate (\S+)\)/.exec(m[0])?.[1];
        resolve({ url: m[1]!, pid: child.pid, ...(caFile ? { caFile } : {}), close });
      }
    });
    void child.then((r) => {
      clearTimeout(timer);
      reject(new Error(`the reference target exited with code ${r.exitCode} before it was ready`));
    });
  });
}
