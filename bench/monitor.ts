// npm run bench -- monitor — what the monitor costs on this machine:
//  1. a one-shot pass (`npm run monitor -- --once`) beside `node --import tsx -e 0` (Node and the
//     TypeScript loader doing nothing), runs interleaved, medians side by side: the wall time, the
//     pass itself (as the pass reports it: its checks' traffic and the refresh check's one-second
//     wait), and the start-up around it (wall − pass: loading, settings, state, the summary). Against
//     a running target (TARGET_URL) and against the bundled one (started in-process, as with no setting);
//  2. the service's memory after BENCH_PASSES passes (the service wiring: Monitor + HTTP server,
//     /metrics and the status page fetched every 50 passes), target in its own process.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execaSync } from 'execa';
import { readCommandLine } from '../core/cli.ts';
import { loadSettings, parseSettings, setting } from '../core/settings.ts';
import { createLogger } from '../core/logger.ts';
import { Monitor } from '../monitors/monitor.ts';
import { startService } from '../monitors/service.ts';
import { monitorSettings } from '../monitors/settings.ts';
import { spawnTarget } from '../reference/spawn.ts';
import { median } from './support.ts';
import { textTable } from '../core/text-table.ts';

const settingsShape = {
  BENCH_RUNS: setting.int(1, 50).default(7),
  BENCH_PASSES: setting.int(1, 100_000).default(500),
};
readCommandLine({
  command: 'npm run bench -- monitor',
  summary: "what the monitor costs on this machine: a one-shot pass beside Node doing nothing, and the service's memory over many passes",
  usage: [''],
  settings: settingsShape,
  examples: ['npm run bench -- monitor', 'BENCH_RUNS=3 BENCH_PASSES=100 npm run bench -- monitor'],
  notes: ['A benchmark: figures printed side by side, nothing asserted.'],
});
const { BENCH_RUNS: RUNS, BENCH_PASSES: PASSES } = loadSettings(settingsShape);
const dir = mkdtempSync(join(tmpdir(), 'monitor-bench-'));
const mb = (b: number) => `${(b / 1024 / 1024).toFixed(1)} MiB`;
const gc = (globalThis as { gc?: () => void }).gc;

interface Variant {
  name: string;
  args: string[];
  env: Record<string, string>;
  wall: number[];
  pass: number[];
}

/** One run of `v`: its wall time, and the pass's own duration when it is a monitor pass. */
function runOnce(v: Variant): { wallS: number; passS?: number } {
  const t0 = performance.now();
  const r = execaSync(process.execPath, v.args, { env: v.env, stdin: 'ignore', stderr: 'inherit', reject: false });
  const wallS = (performance.now() - t0) / 1000;
  if (r.exitCode !== 0) throw new Error(`${v.name} exited with ${r.exitCode}: ${r.stdout.slice(0, 500)}`);
  if (!v.args.includes('--json')) return { wallS };
  return { wallS, passS: (JSON.parse(r.stdout) as { durationMs: number }).durationMs / 1000 };
}

function oneShot(url: string): void {
  const env = (slug: string) => ({ MONITOR_DB: join(dir, `${slug}.db`), REPORTS_DIR: join(dir, 'reports'), LOG_LEVEL: 'warn' });
  const once = ['--import', 'tsx', 'monitors/main.ts', '--once', '--json'];
  const variants: Variant[] = [
    { name: 'node --import tsx -e 0', args: ['--import', 'tsx', '-e', '0'], env: {}, wall: [], pass: [] },
    { name: 'monitor --once (TARGET_URL)', args: once, env: { ...env('url'), TARGET_URL: url }, wall: [], pass: [] },
    { name: 'monitor --once (bundled target)', args: once, env: { ...env('bundled'), TARGET_URL: '' }, wall: [], pass: [] },
  ];
  for (const v of variants) runOnce(v); // warm-up: the dedicated account, the disk cache
  // Interleaved, so a busy moment on a shared machine lands on every variant alike.
  for (let i = 0; i < RUNS; i++)
    for (const v of variants) {
      const r = runOnce(v);
      v.wall.push(r.wallS);
      if (r.passS !== undefined) v.pass.push(r.passS);
    }
  const base = median(variants[0]!.wall);
  const s = (x: number) => `${x.toFixed(2)} s`;
  const rows = variants.map((v) => {
    const wall = median(v.wall);
    const startup = v.pass.length ? median(v.wall.map((w, i) => w - v.pass[i]!)) : wall;
    return [
      v.name,
      s(wall),
      v.pass.length ? s(median(v.pass)) : '—',
      s(startup),
      `${(wall / base).toFixed(2)}×`,
      `${(startup / base).toFixed(2)}×`,
    ];
  });
  console.log(`one-shot pass (node ${process.version}, ${RUNS} runs each, interleaved; medians):`);
  console.log(textTable(['', 'wall', 'pass', 'start-up (wall − pass)', 'wall ÷ node+tsx', 'start-up ÷ node+tsx'], rows, { indent: '  ' }));
}

const target = await spawnTarget();
try {
  oneShot(target.url);

  const settings = parseSettings(monitorSettings, {
    TARGET_URL: target.url,
    MONITOR_DB: join(dir, 'service.db'),
    MONITOR_STATUS_PAGE: join(dir, 'status.html'),
    MONITOR_RETRIES: '0',
  });
  const logger = createLogger({ level: 'warn' });
  const monitor = new Monitor({ settings, url: target.url, targetKey: target.url, targetLabel: 'bench', logger, processMetrics: true });
  // The schedule never fires here: passes are driven back to back to compress hours into seconds.
  const service = await startService({ monitor, schedule: '0 0 1 1 *', host: '127.0.0.1', port: 0, logger, runAtStart: false });
  const sample = () => {
    gc?.();
    const m = process.memoryUsage();
    return { rss: m.rss, heap: m.heapUsed };
  };
  for (let i = 0; i < 10; i++) await monitor.pass();
  const before = sample();
  console.log(`service memory over ${PASSES} passes back to back (target in its own process):`);
  const t0 = performance.now();
  let failed = 0;
  for (let i = 1; i <= PASSES; i++) {
    if ((await monitor.pass()).pass.status !== 'pass') failed++;
    if (i % 50 === 0) {
      await (await fetch(`${service.url}/metrics`)).text();
      await (await fetch(`${service.url}/`)).text();
    }
    // Intermediate samples show whether memory levels off or keeps climbing.
    if (i % Math.max(1, Math.floor(PASSES / 5)) === 0 && i < PASSES) {
      const m = sample();
      console.log(`  … ${String(i).padStart(5)} passes: RSS ${mb(m.rss)}, heap ${mb(m.heap)}`);
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  const after = sample();
  console.log(
    `  after ${PASSES} passes (${(PASSES / seconds).toFixed(1)} passes/s, ${failed} ` +
      `failed${gc ? ', after gc' : ', run with --expose-gc for stable heap figures'}):`,
  );
  console.log(`    RSS  ${mb(before.rss)} after 10 warm-up passes → ${mb(after.rss)}`);
  console.log(`    heap ${mb(before.heap)} after 10 warm-up passes → ${mb(after.heap)}`);
  console.log(`    state file ${mb(statSync(join(dir, 'service.db')).size)} (+ WAL) for ${monitor.state.passCount()} passes`);
  await service.stop();
} finally {
  await target.close();
  rmSync(dir, { recursive: true, force: true });
}
