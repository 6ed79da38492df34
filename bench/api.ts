// `npm run bench -- api`: a benchmark (not a test) of the Playwright API suite on this machine.
// Runs the whole suite RUNS times against each of two in-process reference targets behind counting
// proxies, side by side: one at the real server's bcrypt cost (10), one at the least cost npm test's
// proofs start their targets at (4). Prints the test count, each side's median wall time and target
// CPU and their ratios, and how much of a run at cost 10 is the target's bcrypt work: bcrypt
// operations (counted from the answers: a register that got to hashing, a login of a known user, a
// password change) × the measured cost of one bcrypt operation at cost 10.
import { execa } from 'execa';
import { randomBytes } from 'node:crypto';
import { createServer, request } from 'node:http';
import { createRequire } from 'node:module';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { API_PATHS, BCRYPT_COST } from '../core/contract.ts';
import { hashPassword, verifyPassword } from '../reference/bcrypt.ts';
import { readCommandLine } from '../core/cli.ts';
import { loadSettings, runMain, setting } from '../core/settings.ts';
import { startTarget } from '../reference/server.ts';
import { PROOF_BCRYPT_COST } from '../reference/settings.ts';
import { median } from './support.ts';

const settings = { RUNS: setting.int(1, 20).default(5), TEST_WORKERS: setting.int(1, 32).optional() };
const cli = createRequire(import.meta.url).resolve('@playwright/test/cli');

async function bcryptCostMs(): Promise<{ hashMs: number; verifyMs: number }> {
  const n = 20;
  let t = performance.now();
  let h = '';
  for (let i = 0; i < n; i++) h = await hashPassword(`pw-${i}`);
  const hashMs = (performance.now() - t) / n;
  t = performance.now();
  for (let i = 0; i < n; i++) await verifyPassword('pw-x', h);
  return { hashMs, verifyMs: (performance.now() - t) / n };
}

readCommandLine({
  command: 'npm run bench -- api',
  summary:
    "a benchmark of the Playwright API suite: median wall time over RUNS runs at the real server's bcrypt cost and at npm test's, side by side, and bcrypt's share",
  usage: [''],
  settings,
  examples: ['npm run bench -- api', 'RUNS=1 npm run bench -- api'],
  notes: ['A benchmark, not a test: minutes of both cores.'],
});

/** A reference target in this process behind a counting proxy (method path status → count). */
async function countedTarget(jwtKey: string, bcryptCost: number) {
  const target = await startTarget({ port: 0, jwtKey, bcryptCost });
  const counts = new Map<string, number>();
  const proxy = createServer((req, res) => {
    const up = request(`${target.url}${req.url}`, { method: req.method, headers: req.headers }, (r) => {
      const key = `${req.method} ${(req.url ?? '').split('?')[0]} ${r.statusCode}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    req.pipe(up);
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(proxy.address() as { port: number }).port}`;
  return {
    url,
    counts,
    close: async () => {
      proxy.close();
      await target.close();
    },
  };
}

await runMain(async () => {
  const s = loadSettings(settings);
  const jwtKey = randomBytes(32).toString('hex');
  // Side by side, runs taken in turn: the real server's bcrypt cost, and the least one npm test's proofs use.
  const sides = [
    { label: `bcrypt cost ${BCRYPT_COST} (the real server's)`, cost: BCRYPT_COST },
    { label: `bcrypt cost ${PROOF_BCRYPT_COST} (npm test's proofs)`, cost: PROOF_BCRYPT_COST },
  ].map((side) => ({ ...side, walls: [] as number[], cpus: [] as number[] }));
  const targets = await Promise.all(sides.map((side) => countedTarget(jwtKey, side.cost)));
  const dir = mkdtempSync(join(tmpdir(), 'hx-bench-'));
  let tests = 0;
  try {
    for (let i = 0; i < s.RUNS; i++)
      for (const [k, side] of sides.entries()) {
        const json = join(dir, `run-${i}-${k}.json`);
        const started = performance.now();
        // This process holds the targets: its CPU over a run is the target's (and the proxy's).
        const cpu0 = process.cpuUsage();
        const { exitCode: code } = await execa(
          process.execPath,
          [cli, 'test', '--reporter=json', '--retries=0', ...(s.TEST_WORKERS ? [`--workers=${s.TEST_WORKERS}`] : [])],
          {
            env: { TARGET_URL: targets[k]!.url, TARGET_JWT_KEY: jwtKey, PLAYWRIGHT_JSON_OUTPUT_NAME: json, CI: 'false' },
            stdio: 'ignore',
            reject: false,
          },
        );
        const cpu = process.cpuUsage(cpu0);
        side.walls.push((performance.now() - started) / 1000);
        side.cpus.push((cpu.user + cpu.system) / 1e6);
        const stats = (JSON.parse(readFileSync(json, 'utf8')) as { stats: { expected: number; skipped: number; unexpected: number } })
          .stats;
        tests = stats.expected + stats.skipped + stats.unexpected;
        if (code !== 0)
          throw new Error(`run ${i + 1} (${side.label}) failed (${stats.unexpected} failing tests): the benchmark needs a passing suite`);
      }
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await Promise.all(targets.map((t) => t.close()));
  }
  const counts = targets[0]!.counts;
  const per = (k: string) => (counts.get(k) ?? 0) / s.RUNS;
  const hashes = per(`POST ${API_PATHS.register} 200`) + per(`POST ${API_PATHS.changePassword} 200`);
  // A login answered 200 or 401 verified a hash (an unknown user's 401 did not: a slight overcount);
  // a password change verified the old password whether it then succeeded or not.
  const verifies =
    per(`POST ${API_PATHS.login} 200`) +
    per(`POST ${API_PATHS.login} 401`) +
    per(`POST ${API_PATHS.changePassword} 200`) +
    per(`POST ${API_PATHS.changePassword} 400`);
  const cost = await bcryptCostMs();
  const bcryptS = (hashes * cost.hashMs + verifies * cost.verifyMs) / 1000;
  const [real, proof] = sides.map((side) => ({ ...side, wall: median(side.walls), cpu: median(side.cpus) }));
  console.log(`API suite: ${tests} tests, ${s.RUNS} runs on each side, taken in turn`);
  for (const side of [real!, proof!])
    console.log(
      `  ${side.label.padEnd(36)} wall median ${side.wall.toFixed(1)} s (runs: ${side.walls.map((w) => w.toFixed(1)).join(', ')} s), ` +
        `target CPU median ${side.cpu.toFixed(2)} s`,
    );
  console.log(
    `  cost ${PROOF_BCRYPT_COST} / cost ${BCRYPT_COST}: wall ${(proof!.wall / real!.wall).toFixed(2)}, target CPU ${(proof!.cpu / real!.cpu).toFixed(2)}`,
  );
  console.log(
    `bcrypt per run at cost ${BCRYPT_COST}: ${hashes.toFixed(0)} hashes × ${cost.hashMs.toFixed(0)} ms + ${verifies.toFixed(0)} verifies × ` +
      `${cost.verifyMs.toFixed(0)} ms = ${bcryptS.toFixed(1)} s of bcrypt (one core)`,
  );
  console.log(
    `  = ${((bcryptS / real!.wall) * 100).toFixed(0)}% of the wall time if serial, ${((bcryptS / 2 / real!.wall) * 100).toFixed(0)}% if spread ` +
      `over both cores; the rest is Playwright start-up, workers, fixtures and HTTP`,
  );
  console.log(`requests per run: ${[...counts.values()].reduce((a, b) => a + b, 0) / s.RUNS}`);
});
