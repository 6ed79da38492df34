// Alerts: once after N failed passes in a row, a recovery once, no secrets in the payloads; a
// broken webhook is retried and owed, and never stops the monitor. Counting survives a restart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTarget } from '../support/target.ts';
import { assertNoSecrets, makeMonitor, tempDir, testSettings, webhookReceiver } from '../support/monitor.ts';

type Slack = { text: string; blocks: Array<{ text: { text: string } }> };

test('an alert goes out once after N failures in a row, and a recovery once when the check passes again', async () => {
  const target = await startTarget();
  const hook = await webhookReceiver();
  const dir = tempDir();
  const settings = testSettings(dir, { MONITOR_ALERT_WEBHOOK_URL: hook.url, MONITOR_ALERT_AFTER: '2', MONITOR_ALERT_RETRIES: '0' });
  let m = makeMonitor(target.url, settings);
  const secrets: string[] = [];
  const pass = async () => {
    const r = await m.monitor.pass();
    await r.delivery;
    secrets.push(...r.secrets);
  };
  try {
    await pass(); // clean
    target.setFaults('credits-string');
    await pass();
    assert.equal(hook.bodies.length, 0, 'one failure does not page anyone');
    // A restart between failures: the count lives in the state DB.
    await m.monitor.stop();
    m = makeMonitor(target.url, settings);
    await pass();
    assert.equal(hook.bodies.length, 1, 'the second failure in a row fires');
    const alert = hook.bodies[0] as Slack;
    assert.match(alert.text, /\[selftest\] token-works has failed 2 passes in a row: the creditsAvailable answer breaks the contract/);
    assert.equal(alert.blocks[0]!.text.text.startsWith(alert.text), true);
    await pass();
    await pass();
    assert.equal(hook.bodies.length, 1, 'still failing: no repeat');
    target.setFaults('');
    await pass();
    assert.equal(hook.bodies.length, 2);
    assert.match((hook.bodies[1] as Slack).text, /token-works passes again/);
    await pass();
    assert.equal(hook.bodies.length, 2, 'recovery is told once');
    assertNoSecrets({ 'alert payloads': JSON.stringify(hook.bodies), logs: m.logs() }, secrets);
  } finally {
    await m.monitor.stop();
    await hook.close();
    await target.close();
  }
});

test('a failing webhook is retried and logged, never stops the monitor, and the alert is sent once it works', async () => {
  const target = await startTarget({ faults: 'outage' });
  const hook = await webhookReceiver(500);
  const settings = testSettings(tempDir(), {
    MONITOR_ALERT_WEBHOOK_URL: hook.url,
    MONITOR_ALERT_AFTER: '1',
    MONITOR_ALERT_RETRIES: '2',
    MONITOR_RETRY_BACKOFF_MS: '10',
  });
  const m = makeMonitor(target.url, settings);
  try {
    const r = await m.monitor.pass();
    assert.equal(r.pass.status, 'fail');
    assert.deepEqual(
      r.alerts.map((a) => [a.check, a.kind]),
      [['login', 'firing']],
    );
    const d = await r.delivery;
    assert.equal(hook.bodies.length, 3, 'one try and two retries');
    assert.deepEqual([d.delivered, d.failed, d.owed], [0, 1, 1]);
    assert.match(m.logs(), /alert webhook failed after all retries/);
    assert.doesNotMatch(m.logs(), /hooks\/T000/, 'the webhook URL (a secret at Slack) is not logged');
    hook.status = 200;
    const r2 = await m.monitor.pass();
    assert.equal(r2.alerts.length, 0, 'nothing new to decide');
    const d2 = await r2.delivery;
    assert.deepEqual([d2.delivered, d2.owed], [1, 0], 'the owed alert goes out after the next pass');
    await (await m.monitor.pass()).delivery;
    assert.equal(hook.bodies.length, 4, 'and only once');
  } finally {
    await m.monitor.stop();
    await hook.close();
    await target.close();
  }
});

test('a webhook nobody listens on does not stop the monitor', async () => {
  const target = await startTarget({ faults: 'outage' });
  const settings = testSettings(tempDir(), {
    MONITOR_ALERT_WEBHOOK_URL: 'http://127.0.0.1:9/hook',
    MONITOR_ALERT_AFTER: '1',
    MONITOR_ALERT_RETRIES: '1',
    MONITOR_RETRY_BACKOFF_MS: '10',
  });
  const m = makeMonitor(target.url, settings);
  try {
    const r = await m.monitor.pass();
    assert.equal(r.pass.status, 'fail');
    assert.equal((await r.delivery).owed, 1);
    assert.match(m.logs(), /alert webhook could not be reached/);
  } finally {
    await m.monitor.stop();
    await target.close();
  }
});
