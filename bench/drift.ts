// npm run bench -- drift — the monitor service's memory against a target that adds fresh JSON keys to
// every answer (each unknown field was a permanent series, stored in full with every pass
// and shown in full: 1.4 million series, /metrics 130 MB, RSS up to 2.5 GB, +1.9 MB of database a
// pass after 15 passes). A proxy in front of the reference target adds FRESH_KEYS (default 20 000)
// keys to every JSON answer; the service (`npm run monitor`, a pass every 4 s) runs BENCH_PASSES
// (default 15) passes. Printed per pass: the service's RSS, /metrics' size and drift series, the
// state file's size (with its -wal) and the status page's. Nothing is asserted
// (selftest/monitors/drift.test.ts holds the bounds).
import { execa } from 'execa';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { readCommandLine } from '../core/cli.ts';
import { freePort } from '../core/ports.ts';
import { loadSettings, setting } from '../core/settings.ts';
import { textTable } from '../core/text-table.ts';
import { spawnTarget } from '../reference/spawn.ts';
import { freshKeysProxy } from '../selftest/support/monitor.ts';

const settingsShape = {
  FRESH_KEYS: setting.int(1, 1_000_000).default(20_000),
  BENCH_PASSES: setting.int(1, 1000).default(15),
};
readCommandLine({
  command: 'npm run bench -- drift',
  summary: "the monitor service's memory, metrics, state file and status page against a target adding fresh JSON keys to every answer",
  usage: [''],
  settings: settingsShape,
  examples: ['npm run bench -- drift', 'FRESH_KEYS=5000 BENCH_PASSES=5 npm run bench -- drift'],
  notes: ['A benchmark: figures printed per pass, nothing asserted (selftest/monitors/drift.test.ts holds the bounds).'],
});
const { FRESH_KEYS: FRESH, BENCH_PASSES: PASSES } = loadSettings(settingsShape);

const target = await spawnTarget();
const proxy = await freshKeysProxy(target.url, FRESH);

const dir = mkdtempSync(join(tmpdir(), 'hx-bench-drift-'));
const db = join(dir, 'monitor.db');
const page = join(dir, 'status.html');
const port = await freePort();
const service = execa(process.execPath, ['--import', 'tsx', 'monitors/main.ts'], {
  env: {
    TARGET_URL: proxy.url,
    TARGET_FAULTS: '',
    MONITOR_PORT: String(port),
    MONITOR_SCHEDULE: '*/4 * * * * *',
    MONITOR_DB: db,
    MONITOR_STATUS_PAGE: page,
    MONITOR_RETRIES: '0',
    MONITOR_PUSHGATEWAY_URL: '',
    MONITOR_ALERT_WEBHOOK_URL: '',
    LOG_LEVEL: 'warn',
    LOG_FORMAT: 'json',
    HTTP_TIMEOUT_MS: '20000',
    MONITOR_LATENCY_DEGRADED_MS: '20000',
    MONITOR_LATENCY_FAIL_MS: '30000',
  },
  reject: false,
  stdout: 'ignore',
  stderr: 'ignore',
});

const size = (p: string): number => (existsSync(p) ? statSync(p).size : 0);
const passes = (): number => {
  if (!existsSync(db)) return 0;
  try {
    const d = new Database(db, { readonly: true, fileMustExist: true });
    const n = (d.prepare('SELECT COUNT(*) AS n FROM passes').get() as { n: number }).n;
    d.close();
    return n;
  } catch {
    return 0;
  }
};
const rssMiB = (): number => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${service.pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

const rows: string[][] = [];
process.stdout.write(`bench drift: ${FRESH} fresh keys in every JSON answer, ${PASSES} passes of the monitor service\n`);
let seen = 0;
const deadline = Date.now() + PASSES * 30_000;
try {
  while (seen < PASSES && Date.now() < deadline) {
    await sleep(1000);
    const n = passes();
    if (n === seen) continue;
    seen = n;
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const series = metrics.split('\n').filter((l) => l.startsWith('temporal_monitor_contract_drift_fields{')).length;
    const row = [
      String(n),
      rssMiB().toFixed(0),
      (metrics.length / 1024).toFixed(0),
      String(series),
      ((size(db) + size(`${db}-wal`)) / 1024).toFixed(0),
      (size(page) / 1024).toFixed(0),
    ];
    rows.push(row);
    process.stdout.write(`  pass ${row[0]}: RSS ${row[1]} MiB, /metrics ${row[2]} KiB (${row[3]} drift series)\n`);
  }
} finally {
  service.kill('SIGTERM');
  await service;
  await proxy.close();
  await target.close();
  rmSync(dir, { recursive: true, force: true });
}
process.stdout.write(
  `\n${textTable(['pass', 'RSS MiB', '/metrics KiB', 'drift series', 'state file KiB', 'status page KiB'], rows, { rightFrom: 0 })}\n`,
);
