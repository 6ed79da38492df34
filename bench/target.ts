// npm run bench -- target — the reference target's throughput on this machine, measured with wrk:
// credits (the load tests' hot path: token check + one indexed read) and login (bcrypt cost 10).
// The target runs in its own process; wrk gets one thread. Each case runs REPEAT times, medians printed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { API_PATHS } from '../core/contract.ts';
import { readCommandLine } from '../core/cli.ts';
import { loadSettings, runMain, setting } from '../core/settings.ts';
import { textTable } from '../core/text-table.ts';
import { spawnTarget } from '../reference/spawn.ts';
import { bearerLua, benchAccount, median, secretFile, wrk, type WrkResult } from './support.ts';

const settingsShape = { BENCH_DURATION_S: setting.int(3, 120).default(8), BENCH_REPEAT: setting.int(1, 9).default(3) };

readCommandLine({
  command: 'npm run bench -- target',
  summary: "the reference target's throughput on this machine (wrk: credits and login), medians of repeated runs",
  usage: [''],
  settings: settingsShape,
  examples: ['npm run bench -- target', 'BENCH_DURATION_S=3 BENCH_REPEAT=1 npm run bench -- target'],
  notes: ['A benchmark: minutes of both cores; figures printed, nothing asserted.'],
});

await runMain(async () => {
  const s = loadSettings(settingsShape);
  const dir = mkdtempSync(join(tmpdir(), 'hx-bench-'));
  const target = await spawnTarget();
  try {
    const account = await benchAccount(target.url);
    const creditsLua = secretFile(dir, 'credits.lua', bearerLua(account.token, API_PATHS.creditsAvailable));
    const loginLua = secretFile(
      dir,
      'login.lua',
      `wrk.method = "POST"\nwrk.path = "${API_PATHS.login}"\nwrk.headers["Content-Type"] = ` +
        `"text/plain;charset=UTF-8"\nwrk.body = '${JSON.stringify({ username: account.username, password: account.password })}'\n`,
    );

    const cases = [
      { name: `credits (GET ${API_PATHS.creditsAvailable})`, lua: creditsLua, connections: 50 },
      { name: `login (POST ${API_PATHS.login}, bcrypt cost 10)`, lua: loginLua, connections: 8 },
    ];
    const results = new Map<string, WrkResult[]>(cases.map((c) => [c.name, []]));
    for (let i = 0; i < s.BENCH_REPEAT; i++)
      for (const c of cases)
        results.get(c.name)!.push(wrk(target.url, { lua: c.lua, threads: 1, connections: c.connections, durationS: s.BENCH_DURATION_S }));

    console.log(
      `\nreference target throughput — wrk -t1, ${s.BENCH_DURATION_S}s per run, ${s.BENCH_REPEAT} runs each (interleaved), ` +
        `medians; 2 cores shared by wrk and the target\n`,
    );
    const rows = [...results].map(([name, rs]) => [
      name,
      median(rs.map((r) => r.rps)).toFixed(0),
      median(rs.map((r) => r.p50ms)).toFixed(2),
      median(rs.map((r) => r.p99ms)).toFixed(2),
      String(rs.reduce((n, r) => n + r.non2xx, 0)),
      rs.map((r) => r.rps.toFixed(0)).join(', '),
    ]);
    console.log(textTable(['endpoint', 'req/s', 'p50 ms', 'p99 ms', 'non-2xx', 'runs (req/s)'], rows, { rightFrom: 1 }));
    const ratio = median(results.get(cases[0]!.name)!.map((r) => r.rps)) / median(results.get(cases[1]!.name)!.map((r) => r.rps));
    console.log(
      `\ncredits serves ${ratio.toFixed(0)}× the login rate: a login load test is bounded by bcrypt, a credits load test by ` +
        `the load generator.`,
    );
    return 0;
  } finally {
    await target.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
