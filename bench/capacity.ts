// npm run bench -- capacity — does `npm run capacity` find the knee where it is? Against the bundled
// target, BENCH_REPEAT rounds (default 3), medians:
//   1. login: the knee the search finds beside the physical limit it measures in the same run
//      (one bcrypt hash at cost 10 on this machine, the cores the target may use: load/capacity/limit.ts),
//      and beside wrk's login ceiling on the same pinned cores; the goal: the knee within ±15 % of the limit;
//   2. credits: the knee beside wrk's ceiling (wrk pinned where k6 is, the target where the search puts
//      it), and whether k6 itself was saturated at the knee (the search's own caveat).
// Each search is the real command (a child process, its own reports folder), with its own settings
// (CAPACITY_*, LOAD_* from the environment); TARGET_URL is ignored: the bundled target is the one
// whose limit is known. The load average is printed before and after each round: on a shared machine
// the figures are that moment's.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { API_PATHS } from '../core/contract.ts';
import { readCommandLine } from '../core/cli.ts';
import { loadSettings, runMain, setting } from '../core/settings.ts';
import { textTable } from '../core/text-table.ts';
import { canPin, coreSplit, pin } from '../load/capacity/cpu.ts';
import type { CapacityReport } from '../load/capacity/report.ts';
import { TARGET_THREAD_POOL } from '../load/capacity/limit.ts';
import { spawnTarget } from '../reference/spawn.ts';
import { bearerLua, benchAccount, median, secretFile, wrk } from './support.ts';

const settingsShape = {
  BENCH_REPEAT: setting.int(1, 9).default(3),
  BENCH_DURATION_S: setting.int(3, 120).default(10),
};
readCommandLine({
  command: 'npm run bench -- capacity',
  summary:
    "does npm run capacity find the knee where it is? Against the bundled target: login's knee beside the physical limit " +
    "measured in the same run and wrk's ceiling, credits' knee beside wrk's (medians of BENCH_REPEAT rounds)",
  usage: [''],
  settings: settingsShape,
  examples: ['npm run bench -- capacity', 'BENCH_REPEAT=1 npm run bench -- capacity'],
  notes: ['A benchmark: figures printed side by side, nothing asserted. About 10 minutes; run it on a quiet machine.'],
});

const load = (): string =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

/** `npm run capacity -- <script>` against the bundled target; its step lines shown as they come. */
async function search(script: 'login' | 'credits', reportsDir: string): Promise<CapacityReport> {
  const child = execa(process.execPath, ['--import', 'tsx', 'load/capacity/main.ts', script], {
    env: { TARGET_URL: '', TARGET_FAULTS: '', TARGET_GENERATION: '', REPORTS_DIR: reportsDir, LOG_LEVEL: 'warn' },
    reject: false,
    stdin: 'ignore',
    buffer: false,
  });
  child.stdout?.on('data', (b: Buffer) => process.stdout.write(b.toString().replace(/^(?=.)/gm, `    ${script} │ `)));
  child.stderr?.on('data', (b: Buffer) => process.stderr.write(b));
  const r = await child;
  if (r.exitCode !== 0) throw new Error(`npm run capacity -- ${script} exited ${r.exitCode}`);
  return JSON.parse(readFileSync(join(reportsDir, 'capacity', 'latest', 'capacity.json'), 'utf8')) as CapacityReport;
}

/** wrk's ceilings on the bundled target, pinned as the search pins k6 and the target. */
async function wrkCeilings(dir: string, durationS: number): Promise<{ credits: number; login: number }> {
  const split = canPin() ? coreSplit() : undefined;
  const target = await spawnTarget({ UV_THREADPOOL_SIZE: String(TARGET_THREAD_POOL) });
  try {
    if (split && target.pid !== undefined) pin(target.pid, split.target);
    const account = await benchAccount(target.url);
    const credits = secretFile(dir, 'credits.lua', bearerLua(account.token, API_PATHS.creditsAvailable));
    const login = secretFile(
      dir,
      'login.lua',
      `wrk.method = "POST"\nwrk.path = "${API_PATHS.login}"\nwrk.headers["Content-Type"] = "text/plain;charset=UTF-8"\n` +
        `wrk.body = '${JSON.stringify({ username: account.username, password: account.password })}'\n`,
    );
    const run = (lua: string, connections: number) => wrk(target.url, { lua, threads: 1, connections, durationS, cpus: split?.k6 });
    const c = run(credits, 50);
    const l = run(login, 8);
    if (c.non2xx > 0 || l.non2xx > 0) throw new Error(`wrk got non-2xx answers (credits ${c.non2xx}, login ${l.non2xx})`);
    return { credits: c.rps, login: l.rps };
  } finally {
    await target.close();
  }
}

await runMain(async () => {
  const s = loadSettings(settingsShape);
  const dir = mkdtempSync(join(tmpdir(), 'hx-bench-capacity-'));
  const split = canPin() ? coreSplit() : undefined;
  console.log(
    `bench capacity — ${s.BENCH_REPEAT} rounds of npm run capacity (login, credits) and wrk, against the bundled target; ` +
      (split ? `k6 and wrk on CPU ${split.k6}, the target on CPU ${split.target} (taskset)` : 'nothing pinned (no taskset, or one core)'),
  );
  type Round = { login: CapacityReport; credits: CapacityReport; wrk: { credits: number; login: number }; before: string; after: string };
  const rounds: Round[] = [];
  try {
    for (let i = 0; i < s.BENCH_REPEAT; i++) {
      const before = load();
      console.log(`\nround ${i + 1} of ${s.BENCH_REPEAT} (load average ${before})`);
      const login = await search('login', mkdtempSync(join(dir, 'login-')));
      const credits = await search('credits', mkdtempSync(join(dir, 'credits-')));
      const ceilings = await wrkCeilings(dir, s.BENCH_DURATION_S);
      rounds.push({ login, credits, wrk: ceilings, before, after: load() });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  const f = (n: number | null | undefined, d = 1) => (n === null || n === undefined || !Number.isFinite(n) ? '-' : n.toFixed(d));
  // The search's own words for a knee the load generator set: k6 at its cores' ceiling, or dropping with CPU to spare.
  const saturated = (r: CapacityReport) =>
    r.caveats.some((c) => c.startsWith('k6 itself was saturated') || c.includes('the load generator, not the target')) ? 'yes' : 'no';
  const rows = rounds.map((r, i) => [
    String(i + 1),
    r.before,
    f(r.login.knee, 0),
    f(r.login.physicalLimit),
    f(r.login.ratio, 2),
    f(r.login.atTargetCpu?.ratio, 2),
    f(r.wrk.login),
    f(r.credits.knee, 0),
    f(r.wrk.credits, 0),
    f((r.credits.knee ?? NaN) / r.wrk.credits, 2),
    saturated(r.credits),
  ]);
  const med = (xs: (number | null)[]) => median(xs.filter((x): x is number => x !== null));
  const m = {
    loginKnee: med(rounds.map((r) => r.login.knee)),
    limit: med(rounds.map((r) => r.login.physicalLimit)),
    ratio: med(rounds.map((r) => r.login.ratio)),
    atCpu: med(rounds.map((r) => r.login.atTargetCpu?.ratio ?? null)),
    wrkLogin: med(rounds.map((r) => r.wrk.login)),
    creditsKnee: med(rounds.map((r) => r.credits.knee)),
    wrkCredits: med(rounds.map((r) => r.wrk.credits)),
  };
  rows.push([
    'median',
    '',
    f(m.loginKnee, 0),
    f(m.limit),
    f(m.ratio, 2),
    f(m.atCpu, 2),
    f(m.wrkLogin),
    f(m.creditsKnee, 0),
    f(m.wrkCredits, 0),
    f(m.creditsKnee / m.wrkCredits, 2),
    '',
  ]);
  console.log(`\nbench capacity — ${s.BENCH_REPEAT} rounds, medians (load average at the end: ${load()})`);
  console.log(
    textTable(
      [
        'round',
        'load avg before',
        'login knee/s',
        'physical limit/s',
        'knee/limit',
        'at target CPU',
        'wrk login/s',
        'credits knee/s',
        'wrk credits/s',
        'knee/wrk',
        'k6 the limit',
      ],
      rows,
      { rightFrom: 2, indent: '  ' },
    ),
  );
  const within = Math.abs(m.ratio - 1) <= 0.15;
  console.log(
    `\n  login: the knee is ${f(m.ratio, 2)} × the physical limit measured in the same runs (goal: within ±15 %): ${within ? 'met' : 'NOT met'}` +
      `; ${f(m.atCpu, 2)} × the limit at the most CPU the target got in a step that broke (at target CPU)`,
  );
  console.log(
    `  credits: the knee is ${f(m.creditsKnee / m.wrkCredits, 2)} × wrk's ceiling on the same cores` +
      (rounds.some((r) => saturated(r.credits) === 'yes')
        ? " (in some rounds k6 was the limit, by the search's own caveats: there the knee is k6's)"
        : ''),
  );
  for (const [i, r] of rounds.entries())
    for (const c of [...r.login.caveats, ...r.credits.caveats].filter((x) => !x.startsWith('no physical limit')))
      console.log(`  round ${i + 1}: ! ${c}`);
  console.log('  reproduce: npm run bench -- capacity');
  return 0;
});
