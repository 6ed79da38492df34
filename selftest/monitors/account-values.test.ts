// The monitoring account's credits and tier against what the monitor knows of them (token-works): a
// new account has 0 credits and the free tier, and a kept or given account's values do not change
// between passes. What a pass can see of a server answering another account's balance, or upgrading
// the wrong account: the check names the account, the values and why they cannot have changed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TemporalClient } from '../../core/client.ts';
import { startTarget } from '../support/target.ts';
import { makeMonitor, tempDir, testSettings } from '../support/monitor.ts';

const worksOf = (p: { checks: { name: string; status: string; message: string }[] }) => p.checks.find((c) => c.name === 'token-works')!;

test("fault credits-other-account: a new monitoring account answered with another account's balance fails token-works, saying why", async () => {
  const t = await startTarget({ faults: 'credits-other-account' });
  const m = makeMonitor(t.url, testSettings(tempDir()), 'staging');
  try {
    const r = await m.monitor.pass();
    const c = worksOf(r.pass);
    assert.equal(c.status, 'fail');
    const name = m.monitor.state.account('staging')!.username;
    assert.equal(
      c.message,
      `credits of ${name} are 10000464.996296696, but it was registered in this pass, and a new account has 0: the monitor spends ` +
        "none and pays none in, so the target answers another account's balance or changed this one",
    );
  } finally {
    await m.monitor.stop();
    await t.close();
  }
});

test('an upgrade that reached the monitoring account between passes fails every pass until it is undone, naming the pass that saw it free', async () => {
  // The monitor's account is the oldest free one: the next upgrade of anyone lands on it.
  const t = await startTarget({ faults: 'upgrade-other-account' });
  const m = makeMonitor(t.url, testSettings(tempDir()), 'staging');
  try {
    const first = await m.monitor.pass();
    assert.equal(first.pass.status, 'pass', JSON.stringify(first.pass.checks));
    assert.match(worksOf(first.pass).message, /credits 0 and tier free, as for a new account$/);
    const second = await m.monitor.pass();
    assert.match(worksOf(second.pass).message, /credits 0 and tier free, as in the last pass$/);

    const api = new TemporalClient({ baseUrl: t.url, timeoutMs: 15_000 });
    const someone = { username: 'hx-someone.Else-1', password: 'someone-Password-1', email_address: 'hx-someone.Else-1@example.test' };
    await api.register(someone);
    const token = (
      (await api.login({ username: someone.username, password: someone.password })).body as {
        token: string;
      }
    ).token;
    assert.equal((await api.upgrade(token)).status, 200, "someone else's upgrade, answered 200");

    const name = m.monitor.state.account('staging')!.username;
    for (const pass of [await m.monitor.pass(), await m.monitor.pass()]) {
      const c = worksOf(pass.pass);
      assert.equal(c.status, 'fail');
      assert.match(
        c.message,
        new RegExp(
          `^the tier of ${name.replace(/\./g, '\\.')} is paid, but the pass of \\d{4}-\\d\\d-\\d\\dT[\\d:]+Z saw free: the monitor never ` +
            "upgrades, so the target reads another account's usage or changed this one",
        ),
      );
    }
  } finally {
    await m.monitor.stop();
    await t.close();
  }
});

test('a given account (MONITOR_USERNAME): its first values are the baseline; a change fails, and passes again once undone', async () => {
  const t = await startTarget();
  const api = new TemporalClient({ baseUrl: t.url, timeoutMs: 15_000 });
  const given = { username: 'hx-given.Monitor-7', password: 'given-Password-123', email_address: 'hx-given.Monitor-7@example.test' };
  assert.equal((await api.register(given)).status, 200);
  t.store.setCredits(given.username, 42.5);
  const m = makeMonitor(t.url, testSettings(tempDir(), { MONITOR_USERNAME: given.username, MONITOR_PASSWORD: given.password }));
  try {
    const first = await m.monitor.pass();
    assert.equal(worksOf(first.pass).status, 'pass');
    assert.match(worksOf(first.pass).message, /credits 42\.5 and tier free, first seen \(kept to compare with the next passes\)$/);
    t.store.setCredits(given.username, 0);
    const jumped = worksOf((await m.monitor.pass()).pass);
    assert.equal(jumped.status, 'fail');
    assert.match(jumped.message, /^credits of hx-given\.Monitor-7 are 0, but the pass of .* saw 42\.5: the monitor spends none/);
    t.store.setCredits(given.username, 42.5);
    assert.equal(worksOf((await m.monitor.pass()).pass).status, 'pass');
  } finally {
    await m.monitor.stop();
    await t.close();
  }
});
