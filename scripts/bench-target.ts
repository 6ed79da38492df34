// npm run bench:target — the reference target's throughput on this machine, measured with wrk:
// credits (the load tests' hot path: token check + one indexed read) and login (bcrypt cost 10).
// The target runs in its own process; wrk gets one thread. Each case runs REPEAT times, medians printed.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TemporalClient } from '../core/client.ts';
import { spawnTarget } from '../target/spawn.ts';

const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 8);
const REPEAT = Number(process.env.BENCH_REPEAT ?? 3);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

interface WrkResult { rps: number; p50ms: number; p99ms: number; non2xx: number; requests: number }

function wrk(url: string, script: string, connections: number): WrkResult {
  const out = execFileSync('wrk', ['-t1', `-c${connections}`, `-d${DURATION_S}s`, '--latency', '-s', script, url], { encoding: 'utf8' });
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

const dir = mkdtempSync(join(tmpdir(), 'hx-bench-'));
const target = await spawnTarget();
try {
  const api = new TemporalClient({ baseUrl: target.url });
  const account = { username: `hx-bench-${Date.now()}`, password: `bench-${Math.random()}`, email_address: `hx-bench-${Date.now()}@example.test` };
  if ((await api.register(account)).status !== 200) throw new Error('could not register the benchmark account');
  const login = await api.login({ username: account.username, password: account.password });
  const token = (login.body as { token: string }).token;
  // Secrets go into wrk scripts in a private temp dir, never on a command line or in the output.
  const creditsLua = join(dir, 'credits.lua');
  writeFileSync(creditsLua, `wrk.method = "GET"\nwrk.path = "/v2/account/credits/available"\nwrk.headers["Authorization"] = "Bearer ${token}"\n`, { mode: 0o600 });
  const loginLua = join(dir, 'login.lua');
  writeFileSync(loginLua, `wrk.method = "POST"\nwrk.path = "/v2/auth/login"\nwrk.headers["Content-Type"] = "text/plain;charset=UTF-8"\nwrk.body = '${JSON.stringify({ username: account.username, password: account.password })}'\n`, { mode: 0o600 });

  const cases = [
    { name: 'credits (GET /v2/account/credits/available)', script: creditsLua, connections: 50 },
    { name: 'login (POST /v2/auth/login, bcrypt cost 10)', script: loginLua, connections: 8 },
  ];
  const results = new Map<string, WrkResult[]>(cases.map((c) => [c.name, []]));
  for (let i = 0; i < REPEAT; i++) for (const c of cases) results.get(c.name)!.push(wrk(target.url, c.script, c.connections));

  console.log(`\nreference target throughput — wrk -t1, ${DURATION_S}s per run, ${REPEAT} runs each (interleaved), medians; 2 cores shared by wrk and the target\n`);
  console.log('endpoint'.padEnd(48) + 'req/s'.padStart(10) + 'p50 ms'.padStart(10) + 'p99 ms'.padStart(10) + 'non-2xx'.padStart(10) + '   runs (req/s)');
  for (const [name, rs] of results) {
    console.log(
      name.padEnd(48) +
        median(rs.map((r) => r.rps)).toFixed(0).padStart(10) +
        median(rs.map((r) => r.p50ms)).toFixed(2).padStart(10) +
        median(rs.map((r) => r.p99ms)).toFixed(2).padStart(10) +
        String(rs.reduce((n, r) => n + r.non2xx, 0)).padStart(10) +
        '   ' + rs.map((r) => r.rps.toFixed(0)).join(', '),
    );
  }
  const ratio = median(results.get(cases[0]!.name)!.map((r) => r.rps)) / median(results.get(cases[1]!.name)!.map((r) => r.rps));
  console.log(`\ncredits serves ${ratio.toFixed(0)}× the login rate: a login load test is bounded by bcrypt, a credits load test by the load generator.`);
} finally {
  await target.close();
  rmSync(dir, { recursive: true, force: true });
}
