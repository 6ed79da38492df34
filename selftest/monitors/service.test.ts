// Service mode: passes on a schedule, /metrics, /healthz and the status page served, a clean stop
// on SIGTERM; and it keeps running while the target goes away and comes back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { startService } from '../../monitors/service.ts';
import { METRIC_NAMES } from '../../monitors/metrics.ts';
import { startTarget } from '../support/target.ts';
import { createLogger } from '../../core/logger.ts';
import { makeMonitor, tempDir, testSettings } from '../support/monitor.ts';

async function until<T>(what: string, f: () => Promise<T | undefined> | T | undefined, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

test('npm run monitor: schedule, metrics, health, status page, clean stop on SIGTERM', async () => {
  const dir = tempDir();
  const child = execa(process.execPath, ['--import', 'tsx', 'monitors/main.ts'], {
    env: {
      TARGET_URL: '',
      TARGET_FAULTS: '',
      TARGET_GENERATION: '',
      MAIL_INBOX_URL: '',
      MONITOR_USERNAME: '',
      MONITOR_PASSWORD: '',
      MONITOR_PORT: '0',
      // Every 3 s: a pass takes a little over two seconds (refresh waits two seconds past the login, to see
      // exp move on), and /healthz rightly says `late` when passes overrun a shorter schedule.
      MONITOR_SCHEDULE: '*/3 * * * * *',
      MONITOR_DB: join(dir, 'monitor.db'),
      REPORTS_DIR: join(dir, 'reports'),
      LOG_FORMAT: 'json',
    },
    stdin: 'ignore',
    all: true,
    buffer: false,
    reject: false,
  });
  let out = '';
  child.all.on('data', (c: Buffer) => (out += c.toString()));
  try {
    const url = await until('the service to listen', () => /monitor service listening on (http:\/\/\S+?) /.exec(out)?.[1]);
    // Several passes on the three-second schedule.
    await until('three passes', () => ((out.match(/monitor pass: pass/g) ?? []).length >= 3 ? true : undefined));
    const health = await fetch(`${url}/healthz`);
    assert.equal(health.status, 200);
    const h = (await health.json()) as { status: string; lastPass: { status: string } };
    assert.equal(h.status, 'ok');
    assert.equal(h.lastPass.status, 'pass');
    const metrics = await (await fetch(`${url}/metrics`)).text();
    for (const name of METRIC_NAMES) assert.match(metrics, new RegExp(`^# TYPE ${name} `, 'm'), name);
    assert.match(metrics, /temporal_monitor_check_success\{check="token-lifetime",target="local"\} 1/);
    assert.match(metrics, /temporal_monitor_token_seconds_to_expiry\{target="local"\} 86\d\d\d/);
    assert.match(metrics, /temporal_monitor_process_resident_memory_bytes/);
    const page = await fetch(`${url}/`);
    assert.match(page.headers.get('content-type') ?? '', /text\/html/);
    assert.match(await page.text(), /<tr data-check="login" data-status="pass">/);
    child.kill('SIGTERM');
    assert.equal((await child).exitCode, 0, out);
    assert.match(out, /monitor stopped/);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});

test('the service keeps running while the target is stopped and restarted mid-run', async () => {
  const tdir = tempDir();
  const targetOpts = { dbPath: join(tdir, 'target.db'), jwtKey: 'stable-key' };
  let target = await startTarget(targetOpts);
  const port = target.port;
  const m = makeMonitor(target.url, testSettings(tempDir(), { HTTP_TIMEOUT_MS: '5000' }));
  const service = await startService({
    monitor: m.monitor,
    schedule: '*/2 * * * * *',
    host: '127.0.0.1',
    port: 0,
    logger: createLogger({ level: 'silent' }),
  });
  try {
    await until('a passing pass', () => m.monitor.lastPass?.status === 'pass');
    await target.close();
    // A pass under way when the target stopped may have logged in and failed a later check: wait for one
    // that met the stopped target from its start.
    const down = await until('a pass failing at login', () =>
      m.monitor.lastPass?.checks[0]?.status === 'fail' ? m.monitor.lastPass : undefined,
    );
    assert.match(down.checks[0]!.message, /connection refused/);
    // Healthy while the target is down: /healthz answers 200 once the passes keep to their ticks (on a
    // loaded machine one may overrun its 2 s tick, and /healthz rightly says late for a moment).
    await until('/healthz ok while the target is down', async () => (await fetch(`${service.url}/healthz`)).status === 200 || undefined);
    assert.equal(m.monitor.lastPass?.checks[0]?.status, 'fail', 'the target is still down');
    target = await startTarget({ ...targetOpts, port });
    await until('passing again', () => m.monitor.lastPass?.status === 'pass');
    const statuses = m.monitor.state.recentPasses(target.url, 100).map((p) => p.status);
    assert.ok(statuses.includes('fail') && statuses.at(-1) === 'pass');
  } finally {
    await service.stop();
    await target.close();
  }
});
