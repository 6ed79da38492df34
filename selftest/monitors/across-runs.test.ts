// token-across-runs: tokens kept from earlier passes must be accepted before their expire and
// refused after it. Shown with the reference target issuing 10-second tokens (the monitor told to
// expect that lifetime), on a clean target, with expired-accepted, and after a signing-key change.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startTarget } from '../support/target.ts';
import { makeMonitor, tempDir, testSettings } from '../support/monitor.ts';

// 10 s: long enough that a pass (its refresh waits past the login's second) and the gap before the
// next one leave the first token well before its expiry when the second pass probes it, with room
// for a slow pass on a loaded machine.
const LIFETIME_S = 10;
const settings = () => testSettings(tempDir(), { MONITOR_EXPECTED_TOKEN_LIFETIME_S: String(LIFETIME_S), TIME_TOLERANCE_S: '1' });
const across = (p: { checks: Array<{ name: string; status: string; message: string }> }) =>
  p.checks.find((c) => c.name === 'token-across-runs')!;

test('kept tokens: accepted before expiry and refused after it on a clean target; expired-accepted is caught', async () => {
  const clean = await startTarget({ tokenLifetimeS: LIFETIME_S });
  const faulty = await startTarget({ tokenLifetimeS: LIFETIME_S, faults: 'expired-accepted' });
  const a = makeMonitor(clean.url, settings());
  const b = makeMonitor(faulty.url, settings());
  try {
    const first = await Promise.all([a.monitor.pass(), b.monitor.pass()]);
    for (const r of first) {
      assert.equal(r.pass.status, 'pass', JSON.stringify(r.pass.checks));
      assert.match(across(r.pass).message, /no token from an earlier pass/);
    }
    await sleep(2000); // past a sixth of the lifetime, so the second pass keeps its token too
    const second = await Promise.all([a.monitor.pass(), b.monitor.pass()]);
    for (const r of second) assert.match(across(r.pass).message, /1 accepted before expiry/);
    assert.equal(a.monitor.state.keptTokens(clean.url).length, 2);
    // Wait until both kept tokens are more than the tolerance (+1 s for whole-second clocks) past their expire.
    const lastExpireS = Math.max(
      ...a.monitor.state.keptTokens(clean.url).map((k) => k.expireS),
      ...b.monitor.state.keptTokens(faulty.url).map((k) => k.expireS),
    );
    await sleep(Math.max(0, (lastExpireS + 2.3) * 1000 - Date.now()));
    const [ok, bad] = await Promise.all([a.monitor.pass(), b.monitor.pass()]);
    assert.equal(across(ok.pass).status, 'pass', across(ok.pass).message);
    assert.match(across(ok.pass).message, /2 refused after expiry \(forgotten\)/);
    assert.equal(across(bad.pass).status, 'fail');
    assert.match(
      across(bad.pass).message,
      /a token that expired \d+s ago \(issued .* ago, expire=.*\) is still accepted: the server does not enforce expiry/,
    );
    assert.equal(bad.pass.status, 'fail');
    // Verified tokens are forgotten; this pass's token is kept.
    assert.equal(a.monitor.state.keptTokens(clean.url).length, 1);
  } finally {
    await Promise.all([a.monitor.stop(), b.monitor.stop(), clean.close(), faulty.close()]);
  }
});

test('a kept token refused before its expire fails the check (the signing key changed under users)', async () => {
  // The accounts survive the restart (a file store); only the signing key changes.
  const dbPath = join(tempDir(), 'target.db');
  const first = await startTarget({ dbPath, tokenLifetimeS: 3600, jwtKey: 'key-one' });
  // One retry: the first request after the restart may go down a pooled connection the old server closed.
  const s = testSettings(tempDir(), { MONITOR_EXPECTED_TOKEN_LIFETIME_S: '3600', MONITOR_RETRIES: '1' });
  const m = makeMonitor(first.url, s);
  try {
    assert.equal((await m.monitor.pass()).pass.status, 'pass');
    const port = first.port;
    await first.close();
    const second = await startTarget({ dbPath, port, tokenLifetimeS: 3600, jwtKey: 'key-two' });
    try {
      const p2 = (await m.monitor.pass()).pass;
      const c = across(p2);
      assert.equal(p2.checks[0]!.status, 'pass', p2.checks[0]!.message);
      assert.equal(c.status, 'fail');
      assert.match(
        c.message,
        /a token issued .* ago, expire=.* \((1h 0m|59m \d+s) left\) is no longer accepted: HTTP 401.*signature is invalid/,
      );
    } finally {
      await second.close();
    }
  } finally {
    await m.monitor.stop();
  }
});
