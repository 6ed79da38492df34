// Every part over TLS, for real: against a reference target serving https with a CA of its
// own (`npm run target` with TARGET_TLS=true, as its own process), each part's own CLI passes given
// TARGET_CA_FILE, and without it fails in the same words: the monitor (`--once`), Playwright (a small
// project run), k6 (a short smoke: k6 is Go, and trusts the CA through the SSL_CERT_FILE the runner
// hands it), the explorer and conformance; npm start refuses to start (exit 2, naming TARGET_CA_FILE).
// Each part that starts the bundled target itself with
// TARGET_TLS=true trusts that target's CA on its own (Playwright's config, the load runner).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { TemporalClient } from '../../core/client.ts';
import { CERT_WORDS } from '../../core/tls-words.ts';
import { trustCaFiles } from '../../core/trust.ts';
import { startLineCaFile } from '../../proof/real-server/tls.ts';
import { spawnTarget, type SpawnedTarget } from '../../reference/spawn.ts';
import { MONITOR_ROOM, runCli, type CliRun } from '../support/cli.ts';
import { tempDir } from '../support/temp.ts';

const UNTRUSTED = CERT_WORDS.untrusted;
let target: SpawnedTarget;
let caFile: string;
const account = { username: `hx-tls-${Date.now().toString(36)}`, password: 'pw-tls-Selftest!', email_address: '' };

// Every setting the parts read that could point them elsewhere, blank unless a run sets it (a
// developer's .env never overrides a variable that is present).
const BLANK = {
  TARGET_URL: '',
  TARGET_CA_FILE: '',
  TARGET_TLS: '',
  TARGET_FAULTS: '',
  TARGET_GENERATION: '',
  TARGET_ENV: '',
  MAIL_INBOX_URL: '',
  MONITOR_USERNAME: '',
  MONITOR_PASSWORD: '',
  MONITOR_ALERT_WEBHOOK_URL: '',
  MONITOR_ALERT_PAGERDUTY_KEY: '',
  MONITOR_PUSHGATEWAY_URL: '',
  MONITOR_MAINTENANCE: '',
  LOAD_ACCOUNTS_FILE: '',
  LOAD_USERNAME: '',
  LOAD_PASSWORD: '',
  SMOKE_USERNAME: '',
  SMOKE_PASSWORD: '',
  NODE_EXTRA_CA_CERTS: '',
  SSL_CERT_FILE: '',
  CI: 'false',
  LOG_FORMAT: 'json',
  LOG_LEVEL: 'warn',
};

function run(args: string[], env: Record<string, string>): Promise<CliRun> {
  const dir = tempDir('hx-tls-');
  return runCli(
    args[0] === 'npx' ? 'npx' : process.execPath,
    args[0] === 'npx' ? args.slice(1) : ['--import', 'tsx', ...args],
    { ...BLANK, REPORTS_DIR: join(dir, 'reports'), MONITOR_DB: join(dir, 'monitor.db'), ...MONITOR_ROOM, ...env },
    120_000,
  );
}
const monitorOnce = (env: Record<string, string>) => run(['monitors/main.ts', '--once'], env);
const playwright = (env: Record<string, string>) =>
  run(['npx', 'playwright', 'test', '--project=flow', 'tests/flow/credits.spec.ts', '--workers=1', '--reporter=line'], env);
const k6Login = (env: Record<string, string>) =>
  run(['load/runner/main.ts', 'login', '-e', 'LOAD_DURATION=2s', '-e', 'LOAD_RATE=2', '-e', 'LOAD_POOL_SIZE=1'], env);

before(async () => {
  target = await spawnTarget({ TARGET_TLS: 'true' });
  caFile = target.caFile!;
  await trustCaFiles([caFile]);
  account.email_address = `${account.username}@example.test`;
  const r = await new TemporalClient({ baseUrl: target.url, timeoutMs: 15_000 }).register(account);
  assert.equal(r.status, 200, r.text);
});
after(() => target?.close());

test('npm run target with TARGET_TLS=true serves https and names its CA file', () => {
  assert.match(target.url, /^https:\/\/127\.0\.0\.1:\d+$/);
  assert.match(caFile, /\/hx-target-ca-[^/]+\/ca\.pem$/);
});

test("with TARGET_CA_FILE (or the bundled target's own CA) every part passes over TLS; without it, each says why in words", async () => {
  const remote = { TARGET_URL: target.url };
  const trusted = { ...remote, TARGET_CA_FILE: caFile };
  const account1 = { LOAD_USERNAME: account.username, LOAD_PASSWORD: account.password };
  // Two at a time: this machine has two cores.
  const jobs: Array<[string, () => Promise<CliRun>]> = [
    ['monitor, trusted', () => monitorOnce(trusted)],
    ['monitor, untrusted', () => monitorOnce(remote)],
    ['playwright, bundled over TLS', () => playwright({ TARGET_TLS: 'true' })],
    ['playwright, untrusted', () => playwright(remote)],
    ['k6, trusted (setup registers through k6)', () => k6Login(trusted)],
    ['k6, bundled over TLS', () => k6Login({ TARGET_TLS: 'true' })],
    ['k6, untrusted', () => k6Login({ ...remote, ...account1 })],
    ['explore, untrusted', () => run(['explore/main.ts'], { ...remote, EXPLORE_SECONDS: '5', EXPLORE_RUNS: '2' })],
    ['conformance, untrusted', () => run(['proof/conformance.ts'], remote)],
    ['npm start, untrusted', () => run(['release/check.ts'], { ...remote, RELEASE_PARTS: 'monitor' })],
  ];
  const results = new Map<string, CliRun>();
  let next = 0;
  await Promise.all(
    [0, 1].map(async () => {
      while (next < jobs.length) {
        const [name, start] = jobs[next++]!;
        results.set(name, await start());
      }
    }),
  );
  const r = (name: string) => results.get(name)!;
  const said = (name: string) => `${name}: exit ${r(name).code}\n${r(name).output.slice(-2500)}`;

  assert.equal(r('monitor, trusted').code, 0, said('monitor, trusted'));
  assert.match(r('monitor, trusted').stdout, /certificate\s+PASS\s+.*the target's TLS certificate is trusted, matches the host/);
  assert.equal(r('monitor, untrusted').code, 1, said('monitor, untrusted'));
  assert.match(r('monitor, untrusted').stdout, new RegExp(`login\\s+FAIL\\s.*POST https://\\S+/v2/auth/register: ${esc(UNTRUSTED)}`));
  assert.match(
    r('monitor, untrusted').stdout,
    new RegExp(`certificate\\s+FAIL\\s.*  ${esc(UNTRUSTED)} \\(UNABLE_TO_VERIFY_LEAF_SIGNATURE`),
  );

  assert.equal(r('playwright, bundled over TLS').code, 0, said('playwright, bundled over TLS'));
  assert.match(r('playwright, bundled over TLS').output, /2 passed/);
  assert.equal(r('playwright, untrusted').code, 1, said('playwright, untrusted'));
  assert.match(r('playwright, untrusted').output, new RegExp(`TransportError: (GET|POST) https://\\S+: ${esc(UNTRUSTED)}`));

  for (const name of ['k6, trusted (setup registers through k6)', 'k6, bundled over TLS']) {
    assert.equal(r(name).code, 0, said(name));
    assert.match(r(name).output, /✓ login: status is 200: \d+ passed, 0 failed/);
  }
  const k6 = r('k6, untrusted');
  assert.equal(k6.code, 99, said('k6, untrusted'));
  assert.match(k6.output, /✗ login: status is 200: 0 passed, \d+ failed/);
  assert.match(k6.output, new RegExp(`failed requests, by cause:\\n\\s+\\d+ × ${esc(UNTRUSTED)}\\n`));
  assert.match(k6.output, new RegExp(`login: no answer: ${esc(UNTRUSTED)} \\(k6 error 1310: x509: unknown authority\\)`));

  assert.equal(r('explore, untrusted').code, 1, said('explore, untrusted'));
  // Stopped at its generation probe's register, in the certificate's words (not a finding).
  assert.match(
    r('explore, untrusted').output,
    new RegExp(`Stopped early: (register|POST https://\\S+/v2/auth/register): ${esc(UNTRUSTED)}`),
  );
  assert.match(r('explore, untrusted').output, /FAIL: 0 new finding/);
  assert.equal(r('conformance, untrusted').code, 1, said('conformance, untrusted'));
  assert.match(r('conformance, untrusted').stderr, new RegExp(`conformance: GET https://\\S+: ${esc(UNTRUSTED)}`));
  // npm start: a chain nobody here trusts is a setting, said before any request (exit 2), not a NO-GO.
  assert.equal(r('npm start, untrusted').code, 2, said('npm start, untrusted'));
  assert.match(r('npm start, untrusted').stderr, new RegExp(`- TARGET_CA_FILE: ${esc(UNTRUSTED)}; nothing was run`));
});

test("the real-server kit's production line names its CA: the one setting the real-server step hands the parts", () => {
  const production =
    'real server listening on https://127.0.0.1:16768 (mail outbox amqp://guest:guest@127.0.0.1:5673/ queue email-send-queue; ' +
    'production mode: CA certificate /tmp/rs/tls/ca.pem, rate limit 600 requests per hour per client)';
  assert.equal(startLineCaFile(production), '/tmp/rs/tls/ca.pem');
  assert.equal(
    startLineCaFile(
      'real server listening on http://127.0.0.1:16768 (mail outbox amqp://guest:guest@127.0.0.1:5673/ queue email-send-queue)',
    ),
    undefined,
  );
});

function esc(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
