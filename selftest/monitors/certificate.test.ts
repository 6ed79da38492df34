// The certificate check (monitors/checks/certificate.ts) against in-process targets serving TLS with
// the certificates the faults bend: days left judged against the two thresholds, an expired one, one for
// another host, one nobody here trusts, a certificate swapped while the target runs; not run against an
// http target. And where its figure goes: the pass, the metric, the status page; its settings refused
// when they contradict each other.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { TemporalClient } from '../../core/client.ts';
import { parseSettings, SettingsError } from '../../core/settings.ts';
import { trustCaFiles } from '../../core/trust.ts';
import type { Check } from '../../monitors/checks/context.ts';
import { CHECKS } from '../../monitors/checks/index.ts';
import { MonitorMetrics } from '../../monitors/metrics.ts';
import { runPass } from '../../monitors/pass.ts';
import { crossCheck, monitorSettings } from '../../monitors/settings.ts';
import { MonitorState } from '../../monitors/state.ts';
import { renderStatusPage } from '../../monitors/status-page.ts';
import type { CheckResult, PassResult } from '../../monitors/types.ts';
import type { RunningTarget } from '../../reference/server.ts';
import { startTarget } from '../support/target.ts';
import { openTargetCa, type TargetCa } from '../../reference/tls.ts';

let ca: TargetCa;
let stranger: TargetCa;
let target: RunningTarget;
const state = new MonitorState(':memory:');
const certificateCheck = CHECKS.filter((c) => c.name === 'certificate');

before(async () => {
  ca = openTargetCa();
  stranger = openTargetCa();
  await trustCaFiles([ca.caFile]);
  target = await startTarget({ tls: ca });
});
after(async () => {
  await target?.close();
  ca?.close();
  stranger?.close();
  state.close();
});

async function pass(url: string, checks: readonly Check[] = certificateCheck): Promise<PassResult> {
  const api = new TemporalClient({ baseUrl: url, timeoutMs: 5000 });
  const out = await runPass({
    api,
    state,
    target: url,
    targetLabel: 'selftest',
    retries: 0,
    backoffMs: 10,
    checks,
    config: { toleranceS: 60, expectedLifetimeS: 86400, latencyDegradedMs: 8000, latencyFailMs: 12000 },
  });
  return out.pass;
}
const certificateOf = (p: PassResult): CheckResult => p.checks.find((c) => c.name === 'certificate')!;

test('a trusted certificate with 90 days left passes, and the pass keeps its expiry', async () => {
  const p = await pass(target.url);
  const c = certificateOf(p);
  assert.equal(c.status, 'pass', c.message);
  assert.match(c.message, /^the target's TLS certificate is trusted, matches the host and has 90 days left: valid until .+ UTC/);
  assert.ok(p.certificate && Math.abs(p.certificate.notAfterS - (Date.now() / 1000 + 90 * 86400)) < 120);
  assert.match(p.certificate.issuer, /harness reference target CA/);
});

test('days left: degraded under 14, failing under 3; the certificate swapped while the target runs', async () => {
  const cases = [
    ['cert-expiring:10', 'degraded', /expires in 10\.0 days, under MONITOR_CERT_WARN_DAYS=14: renew it soon/],
    ['cert-expiring:2', 'fail', /expires in 2\.0 days, under MONITOR_CERT_FAIL_DAYS=3: renew it now/],
    [
      'cert-expired',
      'fail',
      /^the target's TLS certificate has expired: renew it on the target \(CERT_HAS_EXPIRED: .*it expired 1\.0 days ago/,
    ],
    [
      'cert-wrong-host',
      'fail',
      /^the target's TLS certificate is for another host name than TARGET_URL's: Hostname\/IP does not match certificate's altnames: IP: 127\.0\.0\.1 is not in the cert's list/,
    ],
    ['', 'pass', /has 90 days left/],
  ] as const;
  try {
    for (const [faults, status, words] of cases) {
      target.setFaults(faults);
      const c = certificateOf(await pass(target.url));
      assert.equal(c.status, status, `${faults}: ${c.message}`);
      assert.match(c.message, words);
    }
  } finally {
    target.setFaults('');
  }
});

test('a certificate nobody here trusts fails in words, and so does a target that does not answer', async () => {
  const untrusted = await startTarget({ tls: stranger });
  try {
    const c = certificateOf(await pass(untrusted.url));
    assert.equal(c.status, 'fail');
    assert.match(
      c.message,
      /^the target's TLS certificate is not trusted \(unknown authority\): set TARGET_CA_FILE to the CA that signed it \(UNABLE_TO_VERIFY_LEAF_SIGNATURE: CN=localhost, issued by CN=harness reference target CA/,
    );
  } finally {
    await untrusted.close();
  }
  const gone = certificateOf(await pass(untrusted.url));
  assert.equal(gone.status, 'fail');
  assert.match(
    gone.message,
    /^could not read the target's TLS certificate: TLS connection to https:\/\/127\.0\.0\.1:\d+\/: connection refused/,
  );
});

test('an http target serves no certificate: the check is not in its pass at all', async () => {
  const plain = await startTarget();
  try {
    const p = await pass(plain.url, CHECKS);
    assert.deepEqual(
      p.checks.map((c) => c.name),
      ['login', 'token-lifetime', 'token-works', 'refresh', 'token-across-runs', 'latency'],
    );
    assert.equal(p.certificate, undefined);
  } finally {
    await plain.close();
  }
});

test('days left reach the metric (a timestamp, as blackbox_exporter) and the status page', async () => {
  const p = await pass(target.url);
  const metrics = new MonitorMetrics('selftest');
  metrics.record(p);
  const text = await metrics.text();
  assert.match(
    text,
    new RegExp(`temporal_monitor_certificate_expiry_timestamp_seconds\\{target="selftest"\\} ${p.certificate!.notAfterS}\\b`),
  );
  const page = (certificate: PassResult['certificate']) =>
    renderStatusPage({
      targetLabel: 'selftest',
      recent: [],
      history: [],
      lastSuccess: new Map(),
      latencyDegradedMs: 1000,
      latencyFailMs: 2500,
      expectedLifetimeS: 86400,
      toleranceS: 60,
      uptime: [],
      certificate,
      certWarnDays: 14,
      certFailDays: 3,
    });
  assert.match(page(p.certificate), /<p id="certificate" data-expire="\d+" data-status="pass">TLS certificate .*expires in 90 days/);
  const soon = { ...p.certificate!, notAfterS: Math.round(Date.now() / 1000) + 2 * 86400 };
  assert.match(page(soon), /data-status="fail">TLS certificate .*expires in 2\.0 days/);
  assert.doesNotMatch(page(undefined), /id="certificate"/);
});

test('MONITOR_CERT_FAIL_DAYS above MONITOR_CERT_WARN_DAYS is refused, naming both', () => {
  const s = parseSettings(monitorSettings, { MONITOR_CERT_WARN_DAYS: '7', MONITOR_CERT_FAIL_DAYS: '10' });
  assert.deepEqual(crossCheck(s), ['MONITOR_CERT_FAIL_DAYS (10) must not be above MONITOR_CERT_WARN_DAYS (7)']);
  assert.throws(() => parseSettings(monitorSettings, { MONITOR_CERT_WARN_DAYS: '-1' }), SettingsError);
});
