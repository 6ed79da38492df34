// What people expect of alerting besides the first message: PagerDuty Events v2 next to the
// webhook (one incident per check, resolved on recovery), reminders while a check keeps failing,
// and maintenance windows (passes run and are recorded, alerts are held, the page says so).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseSettings, SettingsError } from '../../core/settings.ts';
import { activeWindow, nextWindow, parseMaintenance } from '../../monitors/maintenance.ts';
import { monitorSettings } from '../../monitors/settings.ts';
import { startTarget } from '../support/target.ts';
import { assertNoSecrets, makeMonitor, tempDir, testSettings, webhookReceiver } from '../support/monitor.ts';

type Slack = { text: string };
type PdEvent = {
  routing_key: string;
  event_action: string;
  dedup_key: string;
  payload?: { summary: string; source: string; severity: string; component: string; custom_details: Record<string, unknown> };
};

const ROUTING_KEY = 'R0utingKey-pd-0123456789abcdef';

test('PagerDuty Events v2: a trigger per failing check with its own dedup_key, a resolve on recovery, the key kept secret', async () => {
  const target = await startTarget();
  const hook = await webhookReceiver();
  const pd = await webhookReceiver();
  const dir = tempDir();
  const m = makeMonitor(
    target.url,
    testSettings(dir, {
      MONITOR_ALERT_WEBHOOK_URL: hook.url,
      MONITOR_ALERT_PAGERDUTY_KEY: ROUTING_KEY,
      MONITOR_ALERT_PAGERDUTY_URL: pd.url,
      MONITOR_ALERT_AFTER: '2',
    }),
    'staging',
  );
  const secrets: string[] = [];
  const pass = async () => {
    const r = await m.monitor.pass();
    await r.delivery;
    secrets.push(...r.secrets);
    return r;
  };
  try {
    await pass();
    target.setFaults('token-1h');
    await pass();
    assert.equal(pd.bodies.length, 0, 'one failure pages nobody');
    await pass();
    const triggers = pd.bodies as PdEvent[];
    assert.deepEqual(triggers.map((e) => [e.event_action, e.dedup_key]).sort(), [
      ['trigger', 'temporal-monitor/staging/refresh'],
      ['trigger', 'temporal-monitor/staging/token-lifetime'],
    ]);
    const t = triggers.find((e) => e.dedup_key.endsWith('token-lifetime'))!;
    assert.equal(t.routing_key, ROUTING_KEY);
    assert.equal(t.payload?.severity, 'critical');
    assert.equal(t.payload?.source, 'selftest');
    assert.equal(t.payload?.component, 'token-lifetime');
    assert.match(
      t.payload?.summary ?? '',
      /^\[selftest\] token-lifetime has failed 2 passes in a row: token expires in 1h 0m, expected 24h 0m/,
    );
    assert.equal(hook.bodies.length, 2, 'the webhook got the same two');
    await pass();
    assert.equal(pd.bodies.length, 2, 'still failing: PagerDuty is not triggered again');
    target.setFaults('');
    await pass();
    const resolves = (pd.bodies as PdEvent[]).slice(2);
    assert.deepEqual(resolves.map((e) => [e.event_action, e.dedup_key]).sort(), [
      ['resolve', 'temporal-monitor/staging/refresh'],
      ['resolve', 'temporal-monitor/staging/token-lifetime'],
    ]);
    assert.match((hook.bodies.at(-1) as Slack).text, /passes again/);
    // The routing key goes to PagerDuty only: not in logs, not in the state file.
    const stateFile = readFileSync(`${dir}/monitor.db`, 'latin1') + readFileSync(`${dir}/monitor.db-wal`, 'latin1');
    assertNoSecrets({ logs: m.logs(), 'state file': stateFile, 'webhook bodies': JSON.stringify(hook.bodies) }, [ROUTING_KEY]);
    assertNoSecrets({ 'PagerDuty bodies': JSON.stringify(pd.bodies), logs: m.logs() }, secrets);
  } finally {
    await m.monitor.stop();
    await Promise.all([hook.close(), pd.close(), target.close()]);
  }
});

test('redirects from PagerDuty or the webhook are not followed: the key and the alert never reach a host nobody configured', async () => {
  const target = await startTarget({ faults: 'outage' });
  const elsewhere = await webhookReceiver();
  // Both channels answer 308 (a redirect that keeps the POST and its body) towards `elsewhere`.
  const redirector = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(308, { location: elsewhere.url }).end());
  });
  await new Promise<void>((r) => redirector.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(redirector.address() as AddressInfo).port}/v2/enqueue`;
  const m = makeMonitor(
    target.url,
    testSettings(tempDir(), {
      MONITOR_ALERT_WEBHOOK_URL: url,
      MONITOR_ALERT_PAGERDUTY_KEY: ROUTING_KEY,
      MONITOR_ALERT_PAGERDUTY_URL: url,
      MONITOR_ALERT_AFTER: '1',
      MONITOR_ALERT_RETRIES: '0',
    }),
  );
  try {
    const d = await (await m.monitor.pass()).delivery;
    assert.deepEqual([d.delivered, d.failed, d.owed], [0, 2, 2], 'not delivered: still owed');
    assert.equal(elsewhere.bodies.length, 0, 'the redirect was followed');
    // Named where it pointed, and why it is not delivered.
    for (const channel of ['PagerDuty', 'alert webhook'])
      assert.match(
        m.logs(),
        new RegExp(
          `${channel} answered 308, a redirect to http://127\\.0\\.0\\.1:\\d+/hooks/T000/B000, which is not followed: the alert is not delivered`,
        ),
      );
    assert.match(m.logs(), /"status":308/);
    assertNoSecrets({ logs: m.logs() }, [ROUTING_KEY]);
  } finally {
    await m.monitor.stop();
    await new Promise<void>((r) => redirector.close(() => r()));
    await Promise.all([elsewhere.close(), target.close()]);
  }
});

test('a reminder goes to the webhook every MONITOR_ALERT_REPEAT while the check keeps failing, not to PagerDuty', async () => {
  const target = await startTarget({ faults: 'outage' });
  const hook = await webhookReceiver();
  const pd = await webhookReceiver();
  const m = makeMonitor(
    target.url,
    testSettings(tempDir(), {
      MONITOR_ALERT_WEBHOOK_URL: hook.url,
      MONITOR_ALERT_PAGERDUTY_KEY: ROUTING_KEY,
      MONITOR_ALERT_PAGERDUTY_URL: pd.url,
      MONITOR_ALERT_AFTER: '1',
      MONITOR_ALERT_REPEAT: '1s',
    }),
  );
  const pass = async () => (await m.monitor.pass()).delivery;
  try {
    await pass();
    assert.match((hook.bodies[0] as Slack).text, /login has failed 1 passes in a row/);
    await pass();
    assert.equal(hook.bodies.length, 1, 'no reminder before MONITOR_ALERT_REPEAT has passed');
    await sleep(1100);
    await pass();
    assert.equal(hook.bodies.length, 2);
    assert.match(
      (hook.bodies[1] as Slack).text,
      new RegExp(
        /^:repeat: \[selftest\] login is still failing \(3 passes in a row, for [12]s\)/.source +
          /: could not register the monitoring account: register answered HTTP 503/.source,
      ),
    );
    await pass();
    assert.equal(hook.bodies.length, 2, 'one reminder per period');
    assert.deepEqual(
      (pd.bodies as PdEvent[]).map((e) => e.event_action),
      ['trigger'],
      'PagerDuty re-notifies by its own escalation policy',
    );
  } finally {
    await m.monitor.stop();
    await Promise.all([hook.close(), pd.close(), target.close()]);
  }
});

test('in a maintenance window passes are recorded, alerts held and the page says so; what is still true is sent after it', async () => {
  const target = await startTarget({ faults: 'outage' });
  const hook = await webhookReceiver();
  const dir = tempDir();
  const env = { MONITOR_ALERT_WEBHOOK_URL: hook.url, MONITOR_ALERT_AFTER: '1' };
  // Starts every minute and lasts a day: always on.
  let m = makeMonitor(target.url, testSettings(dir, { ...env, MONITOR_MAINTENANCE: '* * * * * 1d' }));
  const quiet = makeMonitor(target.url, testSettings(tempDir(), { ...env, MONITOR_MAINTENANCE: '* * * * * 1d' }));
  try {
    const r = await m.monitor.pass();
    assert.equal(r.pass.maintenance, true);
    assert.equal(r.pass.status, 'fail', 'the pass ran and failed as usual');
    const d = await r.delivery;
    assert.ok(d.held, 'delivery held');
    assert.equal(hook.bodies.length, 0, 'nobody paged during maintenance');
    assert.match(m.logs(), /alerts held: maintenance window '\* \* \* \* \* 1d' until/);
    assert.match(await m.monitor.metrics.text(), /temporal_monitor_maintenance\{target="selftest"\} 1/);
    const page = m.monitor.statusPage();
    assert.match(page, /<p id="maintenance" class="banner" data-active="true">Maintenance window <code>\* \* \* \* \* 1d<\/code> until/);
    assert.match(page, /alerts are held/);
    assert.deepEqual(m.monitor.state.uptime(target.url, 0), { passed: 0, total: 0 }, 'maintenance passes are left out of uptime');
    // The window ends with the check still failing: the held alert goes out (as decided then).
    await m.monitor.stop();
    m = makeMonitor(target.url, testSettings(dir, env));
    const after = await (await m.monitor.pass()).delivery;
    assert.deepEqual([after.delivered, after.owed], [1, 0]);
    assert.equal(hook.bodies.length, 1);
    assert.match((hook.bodies[0] as Slack).text, /login has failed 1 passes in a row/);
    assert.deepEqual(m.monitor.state.uptime(target.url, 0), { passed: 0, total: 1 });

    // A failure that fired and recovered within the window is never told.
    await (await quiet.monitor.pass()).delivery;
    target.setFaults('');
    await (await quiet.monitor.pass()).delivery;
    assert.equal(quiet.monitor.state.owedCount(), 0, 'the held firing was dropped with its recovery');
    assert.equal(hook.bodies.length, 1);
  } finally {
    await m.monitor.stop();
    await quiet.monitor.stop();
    await Promise.all([hook.close(), target.close()]);
  }
});

test('MONITOR_MAINTENANCE: cron and duration, several windows, refused with exit-2 wording when malformed', () => {
  const windows = parseMaintenance('0 2 * * 0 2h; 30 22 * * 1-5 30m');
  const at = (s: string) => new Date(s).getTime();
  // Sunday 29 November 2026, machine time zone.
  assert.equal(activeWindow(windows, at('2026-11-29T01:59:59'))?.spec, undefined);
  assert.equal(activeWindow(windows, at('2026-11-29T02:00:00'))?.spec, '0 2 * * 0 2h');
  assert.equal(activeWindow(windows, at('2026-11-29T03:59:00'))?.endMs, at('2026-11-29T04:00:00'));
  assert.equal(activeWindow(windows, at('2026-11-29T04:00:00')), undefined);
  assert.equal(activeWindow(windows, at('2026-11-30T22:45:00'))?.spec, '30 22 * * 1-5 30m');
  assert.equal(nextWindow(windows, at('2026-11-29T05:00:00'))?.startMs, at('2026-11-30T22:30:00'));
  for (const [value, says] of [
    ['0 2 * * 0', /expected a cron pattern and a duration/],
    ['0 2 * * 0 forever', /expected a cron pattern and a duration/],
    ['0 25 * * * 1h', /'0 25 \* \* \*' is not a cron pattern/],
  ] as const) {
    assert.throws(
      () => parseSettings(monitorSettings, { MONITOR_MAINTENANCE: value }),
      (err: unknown) => err instanceof SettingsError && /MONITOR_MAINTENANCE: /.test(err.message) && says.test(err.message),
      value,
    );
  }
  assert.throws(() => parseSettings(monitorSettings, { MONITOR_ALERT_REPEAT: 'often' }), /MONITOR_ALERT_REPEAT: expected a duration/);
  assert.throws(
    () => parseSettings(monitorSettings, { MONITOR_ALERT_PAGERDUTY_KEY: '', MONITOR_ALERT_PAGERDUTY_URL: 'ftp://x' }),
    /MONITOR_ALERT_PAGERDUTY_URL: expected an http\(s\) URL/,
  );
});
