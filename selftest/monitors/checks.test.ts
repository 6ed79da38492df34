// Each check passes on the clean reference target and fails, by name and in words, under each
// fault of the catalog meant for the monitor.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { RunningTarget } from '../../reference/server.ts';
import { startTarget } from '../support/target.ts';
import { FAULTS, type FaultName } from '../../reference/faults.ts';
import type { CheckName } from '../../monitors/types.ts';
import type { Check } from '../../monitors/checks/context.ts';
import { runPass } from '../../monitors/pass.ts';
import { assertNoSecrets, makeMonitor, tempDir, testSettings, type TestMonitor } from '../support/monitor.ts';

let target: RunningTarget;
let m: TestMonitor;
let dir: string;
const secrets: string[] = [];

before(async () => {
  target = await startTarget({ port: 0 });
  dir = tempDir();
  // Room for a slow bcrypt login on a loaded machine; hang and latency have monitors of their own (below).
  m = makeMonitor(target.url, testSettings(dir));
});
after(async () => {
  await m.monitor.stop();
  await target.close();
});

const pass = async () => {
  const r = await m.monitor.pass();
  secrets.push(...r.secrets);
  return r.pass;
};

test('a clean target passes every check', async () => {
  target.setFaults('');
  const p = await pass();
  assert.deepEqual(
    p.checks.map((c) => [c.name, c.status]),
    [
      ['login', 'pass'],
      ['token-lifetime', 'pass'],
      ['token-works', 'pass'],
      ['refresh', 'pass'],
      ['token-across-runs', 'pass'],
      ['latency', 'pass'],
    ],
    JSON.stringify(p.checks, null, 1),
  );
  assert.equal(p.status, 'pass');
  assert.match(p.checks[1]!.message, /token expires in 24h 0m/);
});

// fault → the check that must fail, and words its message must contain.
const EXPECT: Partial<Record<FaultName, { spec?: string; check: CheckName; words: RegExp }>> = {
  'token-1h': { check: 'token-lifetime', words: /token expires in 1h 0m, expected 24h 0m ± 1m/ },
  'expire-not-exp': { check: 'token-lifetime', words: /expire .* and the token's exp .* differ by/ },
  'clock-ahead': { check: 'token-lifetime', words: /token signer's clock is off/ },
  'alg-hs512': { check: 'token-lifetime', words: /token algorithm is HS512, expected HS256/ },
  'token-rejected': { check: 'token-works', words: /fresh token was refused by credits: HTTP 401.*signature is invalid/ },
  'credits-string': {
    check: 'token-works',
    words: /the creditsAvailable answer breaks the contract: ✖ expected credits as a JSON number → at response/,
  },
  'expire-unix': { check: 'login', words: /the login answer breaks the contract: ✖ expected an RFC 3339 time .* → at expire/ },
  'json-as-text': {
    check: 'login',
    words:
      /the login answer breaks the contract: the JSON answer says Content-Type 'text\/plain; charset=utf-8', expected application\/json/,
  },
  'refresh-resets-origin': { check: 'refresh', words: /refresh moved orig_iat by \d+s .*: a session could be stretched forever/ },
  'refresh-keeps-exp': {
    check: 'refresh',
    words: /refresh did not extend the session: the new token's exp moved 0s \(the replaced token's own, .*\), but \ds passed/,
  },
  'exp-float': { check: 'token-lifetime', words: /the token's exp is written \d+\.\d{3}, expected whole unix seconds as a JSON integer/ },
  // The account the earlier tests made has 0 credits: a pass sees another account's balance as a jump.
  'credits-other-account': {
    check: 'token-works',
    words: /credits of temporal-monitor-\S+ are 10000464\.996296696, but the pass of .* saw 0/,
  },
  latency: { spec: 'latency:600', check: 'latency', words: /login took \d+ ms.*\(fail at 500 ms\)/ },
  outage: { check: 'login', words: /login answered HTTP 503/ },
  redirect: {
    check: 'login',
    words:
      /the answer was a redirect to https:\/\/sso\.example\.invalid\/login\?next=%2Fv2%2Fauth%2F(register|login), which the harness does not follow \(HTTP 302\)/,
  },
  garbage: { check: 'login', words: /the login answer breaks the contract: the answer is not JSON \(text\/html, \d+ bytes\)/ },
  hang: { check: 'login', words: /no answer within the time limit/ },
  drop: { check: 'login', words: /connection was dropped before an answer/ },
  'endless-body': { check: 'login', words: /the answer was cut at 1 MiB: its body is larger than HTTP_MAX_BODY_BYTES allows/ },
};

for (const [fault, e] of Object.entries(EXPECT)) {
  test(`fault ${fault}: ${e.check} fails and says why`, async () => {
    // latency: thresholds below its delay; hang: a short time limit (it never answers, so a short
    // limit cannot fail spuriously). The others share the monitor with room to spare.
    const slow =
      fault === 'latency'
        ? makeMonitor(
            target.url,
            testSettings(tempDir(), { HTTP_TIMEOUT_MS: '15000', MONITOR_LATENCY_DEGRADED_MS: '200', MONITOR_LATENCY_FAIL_MS: '500' }),
          )
        : fault === 'hang'
          ? makeMonitor(target.url, testSettings(tempDir(), { HTTP_TIMEOUT_MS: '1000' }))
          : undefined;
    if (fault === 'latency') await slow!.monitor.pass(); // the account exists before the delay starts
    target.setFaults(e.spec ?? fault);
    try {
      const p = slow ? (await slow.monitor.pass()).pass : await pass();
      const c = p.checks.find((x) => x.name === e.check)!;
      assert.equal(p.status, 'fail');
      assert.equal(c.status, 'fail', `${e.check} should fail under ${fault}: ${c.message}`);
      assert.match(c.message, e.words);
    } finally {
      target.setFaults('');
      await slow?.monitor.stop();
    }
  });
}

test(
  'every fault the catalog says the monitor catches has a case here (expired-accepted: across-runs.test.ts; ' +
    "verification-link-broken, verify-link-second-open-500, no-mail-for-dotted-names: account.test.ts; the certificate's: certificate.test.ts)",
  () => {
    const elsewhere = ['expired-accepted', 'verification-link-broken', 'verify-link-second-open-500', 'no-mail-for-dotted-names'];
    const mine = Object.entries(FAULTS)
      .filter(([, f]) => (f.caughtBy as readonly string[]).includes('monitor') && !('tls' in f))
      .map(([n]) => n);
    assert.deepEqual(
      mine.filter((n) => !(n in EXPECT) && !elsewhere.includes(n)),
      [],
    );
  },
);

test('a check that fails once and then passes is retried, and the retry is recorded', async () => {
  // A check that fails its first attempt, the way a dropped packet would: deterministic, no timing race.
  const flaky: Check = {
    name: 'login',
    run: async (_ctx, n) => (n === 1 ? { status: 'fail', message: 'HTTP 503 the first time' } : { status: 'pass', message: 'fine' }),
  };
  const out = await runPass({
    api: m.monitor.api,
    state: m.monitor.state,
    target: 'flaky',
    targetLabel: 'flaky',
    retries: 2,
    backoffMs: 10,
    checks: [flaky],
    config: { toleranceS: 60, expectedLifetimeS: 86400, latencyDegradedMs: 1000, latencyFailMs: 2000 },
  });
  const login = out.pass.checks[0]!;
  assert.equal(login.status, 'pass');
  assert.equal(login.attempts, 2);
  assert.deepEqual(login.retried, ['attempt 1: HTTP 503 the first time']);
  assert.match(login.message, /after 1 failed attempt/);
});

test('a check that keeps failing counts as failed after its retries, with back-off between them', async () => {
  const times: number[] = [];
  const broken: Check = {
    name: 'login',
    run: async () => {
      times.push(Date.now());
      return { status: 'fail', message: 'down' };
    },
  };
  const out = await runPass({
    api: m.monitor.api,
    state: m.monitor.state,
    target: 'broken',
    targetLabel: 'broken',
    retries: 2,
    backoffMs: 50,
    checks: [broken],
    config: { toleranceS: 60, expectedLifetimeS: 86400, latencyDegradedMs: 1000, latencyFailMs: 2000 },
  });
  assert.equal(out.pass.checks[0]!.status, 'fail');
  assert.equal(out.pass.checks[0]!.attempts, 3);
  assert.ok(times[2]! - times[1]! >= 95, 'the second back-off doubles the first');
});

test('a single monitoring account is registered once and reused', async () => {
  const before = target.store.userCount();
  await pass();
  await pass();
  assert.equal(target.store.userCount(), before);
});

test('no password or token appears in results, logs or the status page', () => {
  const html = readFileSync(`${dir}/status.html`, 'utf8');
  assert.ok(secrets.length >= 3);
  assertNoSecrets({ logs: m.logs(), 'status page': html, results: JSON.stringify(m.monitor.state.recentPasses(target.url, 100)) }, secrets);
  assert.doesNotMatch(html, /eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\./);
});
