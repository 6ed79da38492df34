// What the benchmarks share: the median, a benchmark account with its token, secrets written to
// private files (never on a command line or in the output), and one wrk run parsed into figures.
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execaSync } from 'execa';
import { namedAccount } from '../core/accounts.ts';
import { TemporalClient } from '../core/client.ts';

/** The benchmarks, by name: bench/<name>.ts, this file and the dispatcher (main.ts) left out. */
export const benchmarks = (): string[] =>
  readdirSync(new URL('.', import.meta.url))
    .filter((f) => f.endsWith('.ts') && f !== 'main.ts' && f !== 'support.ts')
    .map((f) => f.slice(0, -'.ts'.length))
    .sort();

export const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

export interface BenchAccount {
  username: string;
  password: string;
  token: string;
}

/** Registers a fresh account on the target and logs it in. */
export async function benchAccount(url: string): Promise<BenchAccount> {
  const api = new TemporalClient({ baseUrl: url });
  const id = Date.now().toString(36);
  const account = namedAccount('bench', id, `bench-${Math.random().toString(36).slice(2)}`);
  const reg = await api.register(account);
  if (reg.status !== 200) throw new Error(`could not register the benchmark account: register answered ${reg.status}`);
  const login = await api.login(account);
  const token = (login.body as { token?: unknown } | undefined)?.token;
  if (login.status !== 200 || typeof token !== 'string') throw new Error(`benchmark login answered ${login.status}`);
  return { username: account.username, password: account.password, token };
}

/** Writes a file only this user can read, in `dir` (a private temp dir). */
export function secretFile(dir: string, name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content, { mode: 0o600 });
  return path;
}

/** A wrk Lua script that sends the bearer token (wrk takes headers on its command line otherwise). */
export const bearerLua = (token: string, path?: string): string =>
  `wrk.method = "GET"\n${path ? `wrk.path = "${path}"\n` : ''}wrk.headers["Authorization"] = "Bearer ${token}"\n`;

export interface WrkResult {
  rps: number;
  p50ms: number;
  p99ms: number;
  non2xx: number;
  requests: number;
}

/** One wrk run; `cpus` pins it (taskset), as npm run capacity pins k6. */
export function wrk(url: string, o: { lua: string; threads: number; connections: number; durationS: number; cpus?: string }): WrkResult {
  const args = [`-t${o.threads}`, `-c${o.connections}`, `-d${o.durationS}s`, '--latency', '-s', o.lua, url];
  const { stdout: out } = o.cpus ? execaSync('taskset', ['-c', o.cpus, 'wrk', ...args]) : execaSync('wrk', args);
  const ms = (label: string) => {
    const m = new RegExp(`${label}%\\s+([\\d.]+)(us|ms|s)`).exec(out);
    if (!m) return NaN;
    const v = Number(m[1]);
    return m[2] === 'us' ? v / 1000 : m[2] === 's' ? v * 1000 : v;
  };
  return {
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]),
    p50ms: ms('50'),
    p99ms: ms('99'),
    non2xx: Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0),
    requests: Number(/(\d+) requests in/.exec(out)?.[1]),
  };
}
