// The monitor's alerts in the team's Alertmanager, end to end with the real Debian
// prometheus-alertmanager the stack test uses (the committed config, loopback, group_wait 0 s): with
// MONITOR_ALERTMANAGER_URL the monitor posts its alert to /api/v2/alerts with the labels the rules use,
// so Alertmanager routes it (severity page → the pager receiver), a silence set in Alertmanager silences
// it (it never reaches a receiver), and the recovery resolves it (the receiver is told it resolved).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLogger } from '../../core/logger.ts';
import { DEFAULT_RUNBOOK_BASE_URL } from '../../core/links.ts';
import { Monitor } from '../../monitors/monitor.ts';
import { startTarget } from '../support/target.ts';
import { tempDir } from '../support/temp.ts';
import { testSettings, webhookReceiver } from '../support/monitor.ts';
import { startAlertmanager, until } from '../support/stack.ts';

interface AmAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  endsAt: string;
  status: { state: string; silencedBy: string[] };
}
interface AmWebhook {
  status: 'firing' | 'resolved';
  receiver: string;
  alerts: Array<{ status: string; labels: Record<string, string> }>;
}

test('MONITOR_ALERTMANAGER_URL: the alert routed by Alertmanager, silenced by its silence, resolved by the recovery', {
  timeout: 120_000,
}, async () => {
  const t0 = Date.now();
  const dir = tempDir('hx-am-');
  const receiver = await webhookReceiver();
  const am = await startAlertmanager({ dir, receiver: receiver.url.replace(/\/hooks.*/, '') });
  const targets = [await startTarget(), await startTarget()];
  const monitors: Monitor[] = [];
  const monitorOf = (label: string, url: string) => {
    const m = new Monitor({
      settings: testSettings(tempDir('hx-am-'), { MONITOR_ALERTMANAGER_URL: am.url, MONITOR_ALERT_AFTER: '1' }),
      url,
      targetKey: url,
      timeline: label,
      targetLabel: label,
      logger: createLogger({ level: 'silent' }),
    });
    monitors.push(m);
    return m;
  };
  const alertsOf = async (target: string) => (await (await fetch(`${am.url}/api/v2/alerts?filter=target="${target}"`)).json()) as AmAlert[];
  const told = (target: string, status: 'firing' | 'resolved') =>
    (receiver.bodies as AmWebhook[]).flatMap((h) =>
      h.alerts
        .filter((a) => a.labels.target === target && a.status === status)
        .map((a): Record<string, string> => ({ receiver: h.receiver, ...a.labels })),
    );
  try {
    // A silence the on-call engineer set in Alertmanager, before the monitor's alert exists.
    const silence = (await (
      await fetch(`${am.url}/api/v2/silences`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          matchers: [{ name: 'target', value: 'am-silenced', isRegex: false, isEqual: true }],
          startsAt: new Date().toISOString(),
          endsAt: new Date(Date.now() + 3600_000).toISOString(),
          createdBy: 'selftest',
          comment: 'known deploy in progress',
        }),
      })
    ).json()) as { silenceID: string };
    assert.ok(silence.silenceID);

    const silenced = monitorOf('am-silenced', targets[0]!.url);
    const paged = monitorOf('am-e2e', targets[1]!.url);
    for (const t of targets) t.setFaults('token-1h');
    const [a, b] = await Promise.all([silenced.pass(), paged.pass()]);
    const delivered = await Promise.all([a.delivery, b.delivery]);
    assert.deepEqual(
      delivered.map((d) => [d.failed, d.owed]),
      [
        [0, 0],
        [0, 0],
      ],
      'delivered to Alertmanager',
    );

    // Routed: severity page → the pager receiver, with the rules' labels and the runbook's address.
    const firing = await until('the pager told', async () => told('am-e2e', 'firing').find((x) => x.check === 'token-lifetime'));
    assert.deepEqual(firing, {
      receiver: 'pager',
      alertname: 'TemporalMonitorCheckFailing',
      severity: 'page',
      target: 'am-e2e',
      check: 'token-lifetime',
    });
    const [active] = (await alertsOf('am-e2e')).filter((x) => x.labels.check === 'token-lifetime');
    assert.equal(active?.status.state, 'active');
    assert.equal(active?.annotations.runbook_url, `${DEFAULT_RUNBOOK_BASE_URL}/prometheus.md#temporalmonitorcheckfailing`);
    assert.match(active?.annotations.description ?? '', /token expires in 1h 0m, expected 24h 0m/);
    assert.ok(Date.parse(active!.endsAt) > Date.now() + 60_000, 'valid for a few schedule intervals, re-posted every pass');

    // Silenced: Alertmanager has it, suppressed by the silence, and no receiver hears of it.
    const muted = await until('the silenced alert in Alertmanager', async () =>
      (await alertsOf('am-silenced')).find((x) => x.labels.check === 'token-lifetime'),
    );
    assert.equal(muted.status.state, 'suppressed');
    assert.deepEqual(muted.status.silencedBy, [silence.silenceID]);

    // Resolved: the fault is off, the next pass passes, the recovery is posted and the pager is told.
    for (const t of targets) t.setFaults('');
    const again = await paged.pass();
    assert.deepEqual(
      again.alerts.map((x) => [x.check, x.kind, x.channels]),
      [
        ['token-lifetime', 'recovered', ['alertmanager']],
        ['refresh', 'recovered', ['alertmanager']],
      ],
    );
    await again.delivery;
    await until('the resolved notification', async () => told('am-e2e', 'resolved').find((x) => x.check === 'token-lifetime'), 20_000);
    assert.deepEqual(
      (await alertsOf('am-e2e')).filter((x) => x.status.state === 'active'),
      [],
      'nothing active for the target once resolved',
    );
    assert.deepEqual(told('am-silenced', 'firing'), [], 'the silence held');
  } finally {
    for (const m of monitors) await m.stop();
    for (const t of targets) await t.close();
    await am.stop();
    await receiver.close();
    console.log(`Alertmanager end to end: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }
});

test('Alertmanager behind a proxy: user:password@ in MONITOR_ALERTMANAGER_URL becomes Basic auth, never part of the URL posted to', async () => {
  const { alertmanagerRequest } = await import('../../monitors/alertmanager.ts');
  const r = alertmanagerRequest('https://qa:p%40ss@alertmanager.example.com/am/');
  assert.equal(r.url, 'https://alertmanager.example.com/am/api/v2/alerts');
  assert.equal(r.headers.authorization, `Basic ${Buffer.from('qa:p@ss').toString('base64')}`);
  assert.deepEqual(alertmanagerRequest('http://127.0.0.1:9093').headers, {});
});
