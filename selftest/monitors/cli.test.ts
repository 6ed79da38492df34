// `npm run monitor -- --once` as cron and CI call it: exit 0 on the bundled target with no setting,
// 1 naming the failed check under a fault, 2 naming the bad setting; --json; a Pushgateway push.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createLogger } from '../../core/logger.ts';
import { MonitorMetrics } from '../../monitors/metrics.ts';
import { MonitorState } from '../../monitors/state.ts';
import { monitorRunEnv, runCli, type CliRun } from '../support/cli.ts';
import { assertNoSecrets, tempDir, webhookReceiver } from '../support/monitor.ts';

function monitorOnce(args: string[], env: Record<string, string>): Promise<CliRun> {
  const dir = tempDir();
  return runCli('npm', ['run', '-s', 'monitor', '--', '--once', ...args], { TARGET_URL: '', ...monitorRunEnv(dir), ...env }, 60_000);
}

test('--once against the bundled target with no setting: every check passes, exit 0, a table on stdout', async () => {
  const r = await monitorOnce([], {});
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^CHECK\s+RESULT\s+TIME\s+TRIES\s+MESSAGE$/m);
  for (const name of ['login', 'token-lifetime', 'token-works', 'refresh', 'token-across-runs', 'latency'])
    assert.match(r.stdout, new RegExp(`^${name}\\s+PASS`, 'm'));
  assert.match(r.stdout, /PASS: all checks passed/);
});

test('--once with TARGET_FAULTS=token-1h: exit 1, token-lifetime named with the reason (and on the run page under GitHub Actions)', async () => {
  const summary = join(tempDir(), 'step-summary.md');
  const r = await monitorOnce([], { TARGET_FAULTS: 'token-1h', GITHUB_STEP_SUMMARY: summary });
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /^token-lifetime\s+FAIL .*token expires in 1h 0m, expected 24h 0m ± 1m/m);
  assert.match(r.stdout, /FAIL: \d of 6 checks failed \(token-lifetime/);
  const md = readFileSync(summary, 'utf8');
  assert.match(md, /^## ❌ Temporal API monitor · local\+faults:token-1h: token-lifetime, refresh failed$/m);
  assert.match(md, /^\| token-lifetime \| fail \| \d+ ms \| 1 \| token expires in 1h 0m, expected 24h 0m ± 1m/m);
});

test('--once --json with given credentials: parseable, names the failing check, no password or token in it', async () => {
  // The bundled target is empty, so given credentials are refused: a login failure, reported cleanly.
  const password = 'given-Secret-pw-123';
  const r = await monitorOnce(['--json'], { MONITOR_USERNAME: 'someone', MONITOR_PASSWORD: password });
  assert.equal(r.code, 1, r.stderr);
  const out = JSON.parse(r.stdout) as { status: string; checks: Array<{ name: string; status: string; message: string }> };
  assert.equal(out.status, 'fail');
  assert.equal(out.checks[0]!.name, 'login');
  assert.match(out.checks[0]!.message, /the monitoring account someone was refused: login answered HTTP 401/);
  assertNoSecrets({ stdout: r.stdout, stderr: r.stderr }, [password]);
});

test('bad settings exit 2 naming the variable', async () => {
  const half = await monitorOnce([], { MONITOR_USERNAME: 'someone' });
  assert.equal(half.code, 2);
  assert.match(half.stderr, /MONITOR_USERNAME and MONITOR_PASSWORD: set both/);
  const cron = await monitorOnce([], { MONITOR_SCHEDULE: 'every five minutes' });
  assert.equal(cron.code, 2);
  assert.match(cron.stderr, /MONITOR_SCHEDULE: expected a cron pattern/);
  assert.equal(cron.stdout, '');
  // A folder path that runs through a plain file cannot be created.
  const file = join(tempDir(), 'a-file');
  writeFileSync(file, '');
  const db = await monitorOnce([], { MONITOR_DB: join(file, 'monitor.db') });
  assert.equal(db.code, 2);
  assert.match(db.stderr, /MONITOR_DB: expected a file it can write: it cannot be created/);
});

test('--once pushes its metrics to MONITOR_PUSHGATEWAY_URL, and a missing gateway changes nothing', async () => {
  const gateway = await webhookReceiver();
  try {
    const r = await monitorOnce([], { MONITOR_PUSHGATEWAY_URL: gateway.url.replace(/\/hooks.*/, '') });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(gateway.bodies.length, 1);
    assert.match(String(gateway.bodies[0]), /temporal_monitor_check_success\{check="login",target="local"\} 1/);
  } finally {
    await gateway.close();
  }
  const gone = await monitorOnce([], { MONITOR_PUSHGATEWAY_URL: 'http://127.0.0.1:9' });
  assert.equal(gone.code, 0);
  assert.match(gone.stderr, /could not push metrics to the Pushgateway/);
});

/** A JSON logger at warn whose lines are kept for the test to read. */
function capturedLogger() {
  let text = '';
  const logger = createLogger({
    level: 'warn',
    format: 'json',
    destination: new Writable({
      write(chunk, _enc, cb) {
        text += chunk.toString();
        cb();
      },
    }),
  });
  return { logger, logs: () => text };
}

test('a Pushgateway that answers an error: its answer is logged redacted, then cut (prom-client quotes it whole)', async () => {
  const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJpZCI6ImhlbGxvIn0.c2lnbmF0dXJlc2lnbmF0dXJl';
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(500, { 'content-type': 'text/plain' }).end(`bad push from ${jwt} ${'x'.repeat(50_000)}`));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { logger, logs } = capturedLogger();
  try {
    const pushed = await new MonitorMetrics('selftest').push(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, logger);
    assert.equal(pushed, false);
    const line = JSON.parse(logs().trim().split('\n').at(-1)!) as { msg: string; reason: string };
    assert.equal(line.msg, 'could not push metrics to the Pushgateway');
    assert.match(line.reason, /^push failed with status 500, bad push from \[redacted\] x+…$/);
    assert.ok(line.reason.length <= 301, `${line.reason.length} characters logged`);
  } finally {
    await new Promise<void>((r) => server.close(() => r()));
  }
});

// A Pushgateway behind an auth proxy whose 401 quoted the Authorization header printed the
// password and its Basic base64 on stderr. Any URL setting's user:password is a secret to the redactor.
test("a Pushgateway's credentials never reach the logs, whatever form its 401 quotes them in", async () => {
  const password = 'push "pw" é+/1';
  const quoted: string[] = [];
  const server = createServer((req, res) => {
    req.resume();
    const auth = req.headers.authorization ?? '';
    const pair = Buffer.from(auth.replace(/^Basic /, ''), 'base64').toString();
    quoted.push(auth);
    req.on('end', () =>
      res.writeHead(401, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          error: 'unauthorized',
          authorization: auth,
          header: `Authorization: ${auth}`,
          as_sent: pair,
          url: encodeURIComponent(pair),
        }),
      ),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const url = `http://qa:${encodeURIComponent(password)}@127.0.0.1:${(server.address() as AddressInfo).port}`;
    const r = await monitorOnce([], { MONITOR_PUSHGATEWAY_URL: url });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(quoted.length, 1, 'the push was sent, with its credentials');
    assert.match(r.stderr, /could not push metrics to the Pushgateway/);
    const basic = Buffer.from(`qa:${password}`).toString('base64');
    for (const s of [password, JSON.stringify(password).slice(1, -1), encodeURIComponent(password), basic, basic.slice(4, -4)])
      assert.ok(!r.stderr.includes(s) && !r.stdout.includes(s), `${s} in the output:\n${r.stderr}`);
  } finally {
    await new Promise<void>((r) => server.close(() => r()));
  }
});

test('a Pushgateway that answers with a redirect: not followed, a failure naming where it pointed', async () => {
  let followed = 0;
  const elsewhere = createServer((_req, res) => {
    followed++;
    res.end();
  });
  await new Promise<void>((r) => elsewhere.listen(0, '127.0.0.1', r));
  const to = `http://127.0.0.1:${(elsewhere.address() as AddressInfo).port}/metrics/job/x`;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(307, { location: to }).end());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { logger, logs } = capturedLogger();
  try {
    const pushed = await new MonitorMetrics('selftest').push(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, logger);
    assert.equal(pushed, false, 'a redirect counted as a push');
    assert.equal(followed, 0);
    assert.match(logs(), new RegExp(`Pushgateway: it answered with a redirect to ${to}, which is not followed`));
  } finally {
    await new Promise<void>((r) => server.close(() => r()));
    await new Promise<void>((r) => elsewhere.close(() => r()));
  }
});

test('each run writes the status page', async () => {
  const dir = tempDir();
  const page = join(dir, 'status.html');
  const r = await monitorOnce([], { MONITOR_STATUS_PAGE: page });
  assert.equal(r.code, 0);
  assert.match(readFileSync(page, 'utf8'), /<table id="checks" class="data">/);
});

test('one history per TARGET_ENV: a fault-injected run keeps apart from the clean history and its page', async () => {
  const dir = tempDir();
  const db = join(dir, 'monitor.db');
  const page = join(dir, 'status.html');
  const run = (env: Record<string, string>) => monitorOnce(['--json'], { MONITOR_DB: db, MONITOR_STATUS_PAGE: page, ...env });
  assert.equal((await run({})).code, 0);
  // `npm start` with a fault, on the same state file.
  const faulty = await run({ TARGET_FAULTS: 'token-1h' });
  assert.equal(faulty.code, 1);
  assert.match(readFileSync(page, 'utf8'), /Temporal API monitor — local\+faults:token-1h/);
  assert.match(
    readFileSync(page, 'utf8'),
    /<p id="history-note" class="banner warn" data-history="bundled\+faults:token-1h" data-faults="token-1h">/,
  );
  assert.equal((await run({})).code, 0);
  const clean = readFileSync(page, 'utf8');
  assert.match(clean, /<title>✔ Temporal API monitor — local<\/title>/);
  // Which history the page shows, and that the fault run's is there too.
  assert.match(
    clean,
    /<p id="history-note" class="note" data-history="bundled">History <code>bundled<\/code>\. Other histories in this state file: <code>bundled\+faults:token-1h<\/code> \(1 pass,/,
  );
  assert.match(clean, /2 passes charted/, 'the clean history holds the two clean passes only');
  assert.doesNotMatch(clean, /token expires in 1h/);
  // Setting TARGET_ENV on a target with history keeps that history, now under its name.
  assert.equal((await run({ TARGET_ENV: 'ci' })).code, 0);
  const named = readFileSync(page, 'utf8');
  assert.match(named, /<title>✔ Temporal API monitor — ci<\/title>/);
  assert.match(named, /3 passes charted/);
  const state = new MonitorState(db);
  try {
    assert.deepEqual([state.passCount('ci'), state.passCount('bundled'), state.passCount('bundled+faults:token-1h')], [3, 0, 1]);
  } finally {
    state.close();
  }
});
