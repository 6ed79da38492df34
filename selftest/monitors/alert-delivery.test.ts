// Alert delivery has its own time limit and never holds up the schedule: a
// webhook that accepts the connection and never answers once held a one-shot run for 55 s and made
// the service skip 8 ticks while /healthz said ok. Now the one-shot run ends at
// MONITOR_ALERT_TIMEOUT_MS with the alert still owed, the service keeps its schedule, and /healthz
// says `late` (503) when passes do overrun their ticks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLogger } from '../../core/logger.ts';
import { startService } from '../../monitors/service.ts';
import { MonitorState } from '../../monitors/state.ts';
import { startTarget } from '../support/target.ts';
import { runCli } from '../support/cli.ts';
import { hangingReceiver, makeMonitor, tempDir, testSettings } from '../support/monitor.ts';

test('--once with a webhook that never answers ends at MONITOR_ALERT_TIMEOUT_MS, the alert kept owed', async () => {
  const hook = await hangingReceiver();
  const dir = tempDir();
  try {
    const r = await runCli(
      'npm',
      ['run', '-s', 'monitor', '--', '--once'],
      {
        TARGET_URL: '',
        TARGET_FAULTS: 'outage',
        TARGET_ENV: '',
        MONITOR_USERNAME: '',
        MONITOR_PASSWORD: '',
        MONITOR_PUSHGATEWAY_URL: '',
        MONITOR_ALERT_PAGERDUTY_KEY: '',
        MONITOR_MAINTENANCE: '',
        MONITOR_DB: join(dir, 'monitor.db'),
        REPORTS_DIR: join(dir, 'reports'),
        MONITOR_RETRIES: '0',
        MONITOR_ALERT_AFTER: '1',
        MONITOR_ALERT_WEBHOOK_URL: hook.url,
        // As in the field: 10 s per request, 3 retries (that was 4 × 10 s + back-off = 55 s).
        HTTP_TIMEOUT_MS: '10000',
        MONITOR_ALERT_RETRIES: '3',
        MONITOR_ALERT_TIMEOUT_MS: '2000',
      },
      90_000,
    );
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.ok(hook.count() >= 1, 'the webhook was tried');
    // Start-up (npm, tsx, the bundled target) takes a few seconds on a loaded machine; the old
    // behaviour took 40 s more than that.
    assert.ok(r.seconds < 25, `the run took ${r.seconds.toFixed(1)} s`);
    assert.match(r.stderr, /alert delivery stopped at its time limit \(MONITOR_ALERT_TIMEOUT_MS=2000\); 1 alert\(s\) still owed/);
    assert.doesNotMatch(r.stdout + r.stderr, /hooks\/T000/, 'the webhook URL is not printed');
    const state = new MonitorState(join(dir, 'monitor.db'));
    try {
      assert.deepEqual(
        state.owedAlerts().map((a) => [a.check, a.kind, a.channel]),
        [['login', 'firing', 'webhook']],
        'the alert is owed to the next run',
      );
    } finally {
      state.close();
    }
  } finally {
    await hook.close();
  }
});

test('the service keeps its schedule while the webhook hangs: no tick skipped, /healthz ok', async () => {
  const target = await startTarget({ faults: 'outage' });
  const hook = await hangingReceiver();
  const m = makeMonitor(
    target.url,
    testSettings(tempDir(), {
      MONITOR_ALERT_WEBHOOK_URL: hook.url,
      MONITOR_ALERT_AFTER: '1',
      MONITOR_ALERT_RETRIES: '3',
      HTTP_TIMEOUT_MS: '4000',
      MONITOR_ALERT_TIMEOUT_MS: '8000',
    }),
  );
  const service = await startService({
    monitor: m.monitor,
    schedule: '* * * * * *',
    host: '127.0.0.1',
    port: 0,
    logger: createLogger({ level: 'silent' }),
  });
  try {
    await sleep(4500);
    const passes = m.monitor.state.passCount(target.url);
    // A pass against the outage takes milliseconds; the delivery it started hangs for 8 s.
    assert.ok(passes >= 3, `${passes} passes in 4.5 s on a one-second schedule`);
    assert.ok(hook.count() >= 1, 'the webhook was tried');
    const health = await fetch(`${service.url}/healthz`);
    const body = (await health.json()) as { status: string; skippedTicks: number; alertsOwed: number };
    assert.equal(health.status, 200, JSON.stringify(body));
    assert.equal(body.status, 'ok');
    assert.equal(body.skippedTicks, 0);
    assert.equal(body.alertsOwed, 1, 'the alert is owed, not lost');
    assert.match(await (await fetch(`${service.url}/metrics`)).text(), /temporal_monitor_alerts_owed\{target="selftest"\} 1/);
  } finally {
    await service.stop();
    await hook.close();
    await target.close();
  }
});

test('/healthz says late (503) while passes overrun their ticks, and ok again once they keep up', async () => {
  const target = await startTarget({ faults: 'hang' });
  const m = makeMonitor(target.url, testSettings(tempDir(), { HTTP_TIMEOUT_MS: '4500' }));
  const service = await startService({
    monitor: m.monitor,
    // A healthy pass takes a little over two seconds (refresh waits two seconds past the login).
    schedule: '*/3 * * * * *',
    host: '127.0.0.1',
    port: 0,
    logger: createLogger({ level: 'silent' }),
  });
  const health = async () => {
    const res = await fetch(`${service.url}/healthz`);
    return { code: res.status, body: (await res.json()) as { status: string; late?: string; skippedTicks: number } };
  };
  try {
    // Each pass waits 4.5 s for a login that never comes, on a three-second schedule: the first pass
    // run on a tick overruns the next one.
    const end = Date.now() + 15_000;
    let late = await health();
    while (late.code === 200 && Date.now() < end) {
      await sleep(200);
      late = await health();
    }
    assert.equal(late.code, 503, JSON.stringify(late.body));
    assert.equal(late.body.status, 'late');
    assert.match(late.body.late ?? '', /tick\(s\) skipped while a pass was still running/);
    assert.ok(late.body.skippedTicks >= 1);
    assert.match(await (await fetch(`${service.url}/metrics`)).text(), /temporal_monitor_skipped_ticks_total\{target="selftest"\} [1-9]/);
    target.setFaults('');
    const back = Date.now() + 15_000;
    let now = await health();
    while (now.code !== 200 && Date.now() < back) {
      await sleep(300);
      now = await health();
    }
    assert.equal(now.body.status, 'ok', 'healthy again once passes keep up');
  } finally {
    await service.stop();
    await target.close();
  }
});
