// npm run bench -- load — how far the k6 scripts push the bundled target on loopback:
//   1. credits throughput of the harness's script (load/credits.ts, its checks, tags, thresholds and
//      counter included), of a bare k6 script that only GETs credits and checks status 200 and a
//      numeric `response`, and of wrk, on the same endpoint with the same account's token; both k6
//      scripts run the same constant-arrival-rate executor far above what the target can do (so the
//      VUs run back to back) with BENCH_CONNECTIONS VUs; the three take turns, BENCH_REPEAT times
//      each; medians and ratios (the harness's script should cost no more than k6 itself: ≥ 0.95×);
//   2. the login rate the target sustains with bcrypt (load/login.ts at rising arrival rates).
// The target runs in its own process. On a 2-core machine the load generator and the target
// compete for the same CPUs: the figures are this machine's, not the target's ceiling.
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { API_PATHS } from '../core/contract.ts';
import { readCommandLine } from '../core/cli.ts';
import { loadSettings, runMain, setting } from '../core/settings.ts';
import type { JsonSummary } from '../load/runner/k6.ts';
import { spawnTarget } from '../reference/spawn.ts';
import { ensureTool } from '../core/go-tools.ts';
import { goRuntimeEnv, runReported } from '../load/runner/k6.ts';
import { bearerLua, benchAccount, median, secretFile, wrk } from './support.ts';

const settingsShape = {
  K6_BIN: setting.input().optional(),
  BENCH_DURATION_S: setting.int(3, 120).default(10),
  BENCH_REPEAT: setting.int(1, 9).default(3),
  BENCH_CONNECTIONS: setting.int(1, 500).default(50),
  BENCH_LOGIN_RATES: setting
    .checked((v) => (/^\s*\d+(\s*,\s*\d+)*\s*$/.test(v) ? undefined : 'expected a comma-separated list of whole numbers'))
    .default('5,10,15,20,30'),
};

readCommandLine({
  command: 'npm run bench -- load',
  summary: 'how far the k6 scripts push the bundled target on loopback: credits beside a bare k6 script and wrk, and login rates',
  usage: [''],
  settings: settingsShape,
  examples: ['npm run bench -- load', 'BENCH_REPEAT=5 npm run bench -- load'],
  notes: ['A benchmark: minutes of both cores; figures printed side by side, nothing asserted.'],
});

await runMain(async () => {
  const s = loadSettings(settingsShape);
  const loginRates = s.BENCH_LOGIN_RATES.split(',')
    .map(Number)
    .filter((n) => Number.isInteger(n) && n > 0);
  const k6 = await ensureTool('k6', s.K6_BIN);
  const dir = mkdtempSync(join(tmpdir(), 'hx-bench-load-'));
  const target = await spawnTarget();
  try {
    const account = await benchAccount(target.url);
    // Secrets live in a private temp dir (wrk script, k6 accounts file), never on a command line or in the output.
    const lua = secretFile(dir, 'credits.lua', bearerLua(account.token));
    const accountsFile = secretFile(dir, 'accounts.json', JSON.stringify([{ username: account.username, password: account.password }]));

    const wrkCredits = (): number => {
      const r = wrk(`${target.url}${API_PATHS.creditsAvailable}`, {
        lua,
        threads: 2,
        connections: s.BENCH_CONNECTIONS,
        durationS: s.BENCH_DURATION_S,
      });
      if (r.non2xx > 0) throw new Error(`wrk got ${r.non2xx} non-2xx answers from credits`);
      return r.rps;
    };
    // The yardstick: what a k6 user would write for this endpoint, with nothing of the harness's.
    // The token is written into the script, in the private temp dir, to stay off the command line.
    const bare = secretFile(
      dir,
      'bare-credits.js',
      `import http from 'k6/http';
import { check } from 'k6';
export const options = {
  scenarios: {
    credits: { executor: 'constant-arrival-rate', rate: 20000, timeUnit: '1s', duration: '${s.BENCH_DURATION_S}s',
      preAllocatedVUs: ${s.BENCH_CONNECTIONS}, maxVUs: ${s.BENCH_CONNECTIONS} },
  },
};
const params = { headers: { Authorization: ${JSON.stringify(`Bearer ${account.token}`)} } };
export default function () {
  const res = http.get(${JSON.stringify(`${target.url}${API_PATHS.creditsAvailable}`)}, params);
  check(res, {
    'status is 200': (r) => r.status === 200,
    'response is a number': (r) => typeof r.json('response') === 'number',
  });
}
`,
    );

    const k6Run = async (script: string, env: Record<string, string>): Promise<JsonSummary> => {
      const reports = mkdtempSync(join(dir, 'k6-'));
      const profile = { name: 'load', describe: `bench ${script}`, durationS: s.BENCH_DURATION_S };
      const r = await runReported({
        bin: k6,
        script,
        args: ['--quiet'],
        output: 'pipe',
        reportsDir: reports,
        profile,
        target: 'bench',
        minChecksRate: 0,
        // The dashboard's sampling would take CPU from the figures being measured.
        k6Env: { K6_WEB_DASHBOARD: 'false' },
        // No latency or error-rate aborts: a benchmark measures, the thresholds judge elsewhere.
        env: {
          TARGET_URL: target.url,
          LOAD_ACCOUNTS_FILE: accountsFile,
          LOAD_PROFILE: 'load',
          LOAD_DURATION: `${s.BENCH_DURATION_S}s`,
          LOAD_P95_MS: '600000',
          LOAD_P99_MS: '600000',
          LOAD_MAX_ERROR_RATE: '1',
          LOAD_MIN_CHECKS_RATE: '0',
          ...env,
        },
      });
      if (r.code !== 0) throw new Error(`k6 ${script} exited ${r.code}:\n${r.stderr.slice(-2000)}`);
      const summary = r.summary;
      if (!summary) throw new Error(`k6 ${script} wrote no summary in ${reports}`);
      return summary;
    };
    const k6Credits = async (): Promise<number> => {
      const sum = await k6Run('credits.ts', {
        LOAD_RATE: '20000',
        LOAD_PRE_VUS: String(s.BENCH_CONNECTIONS),
        LOAD_MAX_VUS: String(s.BENCH_CONNECTIONS),
      });
      const failed = sum.checks.reduce((n, c) => n + c.fails, 0);
      if (failed > 0) throw new Error(`k6 credits: ${failed} checks failed`);
      return (sum.metrics['http_reqs{name:credits}']?.count ?? 0) / s.BENCH_DURATION_S;
    };
    const bareCredits = async (): Promise<number> => {
      const sum = await k6Run(bare, {});
      const failed = sum.checks.reduce((n, c) => n + c.fails, 0);
      if (failed > 0) throw new Error(`bare k6 credits: ${failed} checks failed`);
      return (sum.metrics.http_reqs?.count ?? 0) / s.BENCH_DURATION_S;
    };

    const load = (): string =>
      loadavg()
        .map((l) => l.toFixed(1))
        .join(' ');
    console.log(`load average before: ${load()} (anything else running on this machine skews these figures)`);
    const go = { GOGC: process.env.GOGC, GOMEMLIMIT: process.env.GOMEMLIMIT, ...goRuntimeEnv() };
    console.log(`both k6 scripts run with the runner's Go settings: GOGC=${go.GOGC} GOMEMLIMIT=${go.GOMEMLIMIT} (load/runner/k6.ts)\n`);
    console.log(
      `bench load — credits throughput (${s.BENCH_CONNECTIONS} connections/VUs, ${s.BENCH_DURATION_S}s each, ` +
        `${s.BENCH_REPEAT}× taking turns)`,
    );
    console.log('  run   load/credits.ts   bare k6 script        wrk   (req/s)   credits.ts/bare');
    const runs = { harness: [] as number[], bare: [] as number[], wrk: [] as number[] };
    for (let i = 0; i < s.BENCH_REPEAT; i++) {
      // The order turns each round, so a drift of the machine's speed does not favour one of them.
      const steps = [
        async () => runs.harness.push(await k6Credits()),
        async () => runs.bare.push(await bareCredits()),
        async () => runs.wrk.push(wrkCredits()),
      ];
      for (let j = 0; j < steps.length; j++) await steps[(i + j) % steps.length]!();
      const row = [runs.harness[i], runs.bare[i], runs.wrk[i]].map((n) => (n ?? NaN).toFixed(0));
      const pair = (runs.harness[i] ?? NaN) / (runs.bare[i] ?? NaN);
      console.log(
        `  ${String(i + 1).padStart(3)}  ${row[0]!.padStart(16)}  ${row[1]!.padStart(15)}  ${row[2]!.padStart(9)}  ` +
          pair.toFixed(2).padStart(24),
      );
    }
    const med = { harness: median(runs.harness), bare: median(runs.bare), wrk: median(runs.wrk) };
    // Each round's own ratio, then their median: a round's two k6 runs are seconds apart, so a drift
    // of the machine's speed between rounds does not move it.
    const pairedRatio = median(runs.harness.map((h, i) => h / (runs.bare[i] ?? NaN)));

    console.log(`\nbench load — login rate sustained with bcrypt (cost 10), k6 constant arrival rate, ${s.BENCH_DURATION_S}s per step`);
    console.log('  asked/s  ok logins/s   p95 ms   failed  dropped');
    const loginRows: { asked: number; ok: number; p95: number; sustained: boolean }[] = [];
    for (const rate of loginRates) {
      const sum = await k6Run('login.ts', {
        LOAD_RATE: String(rate),
        LOAD_PRE_VUS: String(Math.min(100, rate * 3)),
        LOAD_MAX_VUS: '100',
      });
      const okLogins = (sum.checks.find((c) => c.name === 'login: status is 200')?.passes ?? 0) / s.BENCH_DURATION_S;
      const p95 = sum.metrics['http_req_duration{name:login}']?.['p(95)'] ?? NaN;
      const failed = sum.checks.find((c) => c.name === 'login: status is 200')?.fails ?? 0;
      const dropped = sum.metrics.dropped_iterations?.count ?? 0;
      // Sustained: (nearly) every asked login done, none failed, and p95 within the staging default (1 s).
      const sustained = okLogins >= rate * 0.95 && failed === 0 && p95 < 1000;
      loginRows.push({ asked: rate, ok: okLogins, p95, sustained });
      console.log(
        `  ${String(rate).padStart(7)}  ${okLogins.toFixed(1).padStart(11)}  ${p95.toFixed(0).padStart(7)}  ` +
          `${String(failed).padStart(7)}  ${String(dropped).padStart(7)}${sustained ? '' : '   (not sustained)'}`,
      );
    }
    const best = loginRows.filter((r) => r.sustained).at(-1);

    console.log(`\nload average after: ${load()}`);
    console.log("\nresults (2 cores shared by the load generator and the target: these are this machine's figures)");
    console.log(`  credits, medians of ${s.BENCH_REPEAT} (req/s):`);
    console.log('    load/credits.ts   bare k6 script        wrk   credits.ts/bare   credits.ts/wrk   bare/wrk');
    console.log(
      `    ${med.harness.toFixed(0).padStart(15)}  ${med.bare.toFixed(0).padStart(15)}  ${med.wrk.toFixed(0).padStart(9)}  ` +
        `${(med.harness / med.bare).toFixed(2).padStart(16)}  ${(med.harness / med.wrk).toFixed(2).padStart(15)}  ` +
        `${(med.bare / med.wrk).toFixed(2).padStart(9)}`,
    );
    console.log(
      best
        ? `  login: ${best.ok.toFixed(1)} logins/s sustained (asked ${best.asked}/s, p95 ${best.p95.toFixed(0)} ms)`
        : `  login: none of the rates ${loginRates.join(', ')}/s was sustained`,
    );
    console.log(`  load/credits.ts / bare k6 script, median of the rounds' ratios: ${pairedRatio.toFixed(2)} (the goal: at least 0.95)`);
    console.log('  reproduce: npm run bench -- load');
    return 0;
  } finally {
    await target.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
