// npm run bench:monitor — what the monitor costs on this machine:
//  1. wall time of `npm run monitor -- --once` (hyperfine, median of BENCH_RUNS runs): against the
//     bundled target (started in-process, as with no setting) and against a running target (TARGET_URL);
//  2. the service's memory after BENCH_PASSES passes (the service wiring: Monitor + HTTP server,
//     /metrics and the status page fetched every 50 passes), target in its own process.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSettings, parseSettings, setting } from '../core/settings.ts';
import { createLogger } from '../core/logger.ts';
import { Monitor } from '../monitors/monitor.ts';
import { startService } from '../monitors/service.ts';
import { monitorSettings } from '../monitors/settings.ts';
import { spawnTarget } from '../reference/spawn.ts';

const { BENCH_RUNS: RUNS, BENCH_PASSES: PASSES } = loadSettings({
  BENCH_RUNS: setting.int(1, 50).default(7),
  BENCH_PASSES: setting.int(1, 100_000).default(500),
});
const dir = mkdtempSync(join(tmpdir(), 'monitor-bench-'));
const mb = (b: number) => `${(b / 1024 / 1024).toFixed(1)} MiB`;
const gc = (globalThis as { gc?: () => void }).gc;

function hyperfine(name: string, env: Record<string, string>): void {
  const slug = name.replace(/\W+/g, '-');
  const json = join(dir, `${slug}.json`);
  const envArgs = Object.entries({ MONITOR_DB: join(dir, `${slug}.db`), REPORTS_DIR: join(dir, 'reports'), LOG_LEVEL: 'warn', ...env }).map(
    ([k, v]) => `${k}=${v}`,
  );
  execFileSync(
    'hyperfine',
    [
      '--runs',
      String(RUNS),
      '--warmup',
      '1',
      '--export-json',
      json,
      '--style',
      'none',
      `env ${envArgs.join(' ')} ${process.execPath} --import tsx monitors/main.ts --once`,
    ],
    {
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  const r = (JSON.parse(readFileSync(json, 'utf8')) as { results: Array<{ median: number; mean: number; min: number; max: number }> })
    .results[0]!;
  console.log(
    `  ${name.padEnd(28)} median ${r.median.toFixed(2)} s  (mean ${r.mean.toFixed(2)} s, min ${r.min.toFixed(2)}, max ${r.max.toFixed(2)}, ${RUNS} runs)`,
  );
}

const target = await spawnTarget();
try {
  console.log(`one-shot wall time (node ${process.version}, hyperfine):`);
  hyperfine('bundled target (no setting)', {});
  hyperfine('running target (TARGET_URL)', { TARGET_URL: target.url });

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
    `  after ${PASSES} passes (${(PASSES / seconds).toFixed(1)} passes/s, ${failed} failed${gc ? ', after gc' : ', run with --expose-gc for stable heap figures'}):`,
  );
  console.log(`    RSS  ${mb(before.rss)} after 10 warm-up passes → ${mb(after.rss)}`);
  console.log(`    heap ${mb(before.heap)} after 10 warm-up passes → ${mb(after.heap)}`);
  console.log(`    state file ${mb(statSync(join(dir, 'service.db')).size)} (+ WAL) for ${monitor.state.passCount()} passes`);
  await service.stop();
} finally {
  await target.close();
  rmSync(dir, { recursive: true, force: true });
}
