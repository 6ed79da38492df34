// A hostile target against the monitor: it echoes the monitoring account's password back in
// every form a carrier gives it (raw, JSON-escaped, percent- and form-encoded, base64 at any alignment,
// in a field name), and sends control characters (ESC sequences, CR, LF, BEL, C1) in its error message
// and its field names. Nothing of the password may reach any output (the --once table and JSON, the
// logs, the state file, the status page, the Slack and PagerDuty payloads), and no output may carry a
// raw control character or a forged line.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { TemporalClient } from '../../core/client.ts';
import { startTarget } from '../support/target.ts';
import { summaryJson, summaryTable } from '../../monitors/summary.ts';
import { makeMonitor, type HostileTarget, rewritingProxy, tempDir, testSettings, webhookReceiver } from '../support/monitor.ts';

/** Double spaces, a quote, a backslash, non-ASCII: each defeated an exact match once. */
const PASSWORD = 'two  "quoted" \\ Grüße+/=';

/** The password as a target may echo it. */
function echoes(pw: string): string[] {
  const bytes = Buffer.from(pw);
  return [
    pw,
    JSON.stringify(pw).slice(1, -1),
    encodeURIComponent(pw),
    new URLSearchParams({ p: pw }).toString().slice(2),
    ...[0, 1, 2].flatMap((k) => {
      const b = Buffer.concat([Buffer.from('qa:'.slice(0, k)), bytes]);
      return [b.toString('base64'), b.toString('base64url')];
    }),
  ];
}

/** What of the password is still readable in `text`, by form. */
function leaks(text: string): string[] {
  const b64 = Buffer.from(PASSWORD).toString('base64');
  const found = echoes(PASSWORD)
    .filter((e) => text.includes(e))
    .map((e) => `the password as ${JSON.stringify(e)}`);
  if (text.includes(b64.slice(4, -4))) found.push('a piece of its base64');
  if (text.includes('two  "quoted"') || text.includes('two "quoted"')) found.push('its first words');
  return found;
}

// ESC ] (set the window title), CSI 2J (clear the screen), a CR that overwrites the line, a LF that
// forges one, a BEL and CSI as a C1 code (U+009B).
const CONTROLS = 'see \u001b]0;pwned\u0007 \u001b[2J\rPASS: all checks passed\n\u009b31m';
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this looks for
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

/** In front of the reference target: refresh fails with a body that echoes the password (taken from
 *  the login it saw) and control characters; the account's reads gain field names that do the same. */
function hostile(upstream: string): Promise<HostileTarget> {
  let seen = '';
  return rewritingProxy(upstream, {
    answer: (path, body) => {
      if (path === '/v2/auth/login') seen = (JSON.parse(body.toString()) as { password: string }).password;
      if (path !== '/v2/auth/refresh') return undefined;
      const echo = JSON.stringify(echoes(seen).join(' | '));
      return { status: 500, text: `{"code":500,"message":"${CONTROLS}","echo":${echo},"password":"${JSON.stringify(seen).slice(1, -1)}"}` };
    },
    // The account's reads (token-works) gain the field names; login is left alone, so the pass goes on.
    rewrite: (path, v) => {
      if (path.startsWith('/v2/account/')) for (const [i, e] of [...echoes(seen), CONTROLS].entries()) v[e || `empty${i}`] = 1;
    },
  });
}

test('a target echoing the password in any form, with control characters: no output holds either', async () => {
  const target = await startTarget();
  const username = 'temporal-monitor-hostile';
  const made = await new TemporalClient({ baseUrl: target.url }).register({
    username,
    password: PASSWORD,
    email_address: `${username}@example.com`,
  });
  assert.equal(made.status, 200);
  const front = await hostile(target.url);
  const hook = await webhookReceiver();
  const pd = await webhookReceiver();
  const dir = tempDir();
  const m = makeMonitor(
    front.url,
    testSettings(dir, {
      MONITOR_USERNAME: username,
      MONITOR_PASSWORD: PASSWORD,
      MONITOR_ALERT_AFTER: '1',
      MONITOR_ALERT_WEBHOOK_URL: hook.url,
      MONITOR_ALERT_PAGERDUTY_KEY: 'pd-routing-key-0123456789',
      MONITOR_ALERT_PAGERDUTY_URL: pd.url,
    }),
  );
  try {
    const { pass, delivery } = await m.monitor.pass();
    await delivery;
    const refresh = pass.checks.find((c) => c.name === 'refresh')!;
    assert.equal(refresh.status, 'fail', refresh.message);
    const works = pass.checks.find((c) => c.name === 'token-works')!;
    assert.equal(works.status, 'fail', 'a password in a field name is a secret in the body');
    assert.ok(works.drift?.length, 'the field names were judged (drift)');
    const db = join(dir, 'monitor.db');
    const outputs: Record<string, string> = {
      'the --once table': summaryTable(pass, front.url),
      'the --once JSON': summaryJson(pass, front.url),
      'the logs': m.logs(),
      'the state file': readFileSync(db).toString('latin1') + (existsSync(`${db}-wal`) ? readFileSync(`${db}-wal`).toString('latin1') : ''),
      'the status page': readFileSync(join(dir, 'status.html'), 'utf8'),
      'the Slack payload': JSON.stringify(hook.bodies),
      'the PagerDuty payload': JSON.stringify(pd.bodies),
    };
    assert.ok(hook.bodies.length && pd.bodies.length, 'both channels were told');
    const problems = Object.entries(outputs).flatMap(([where, text]) => leaks(text).map((l) => `${l} in ${where}`));
    assert.deepEqual(problems, []);
    // Every text people read: control characters shown escaped, no forged line.
    const texts = (v: unknown): string[] =>
      typeof v === 'string' ? [v] : v && typeof v === 'object' ? Object.entries(v).flatMap(([k, x]) => [k, ...texts(x)]) : [];
    for (const where of ['the --once JSON', 'the Slack payload', 'the PagerDuty payload'] as const)
      for (const t of texts(JSON.parse(outputs[where]!))) assert.doesNotMatch(t, RAW_CONTROL, `a raw control character in ${where}: ${t}`);
    assert.doesNotMatch(outputs['the --once table']!, RAW_CONTROL);
    assert.doesNotMatch(outputs['the --once table']!, /^PASS: all checks passed$/m, 'a forged verdict line');
    // Escaped where it is shown (a body's CR and LF are whitespace, collapsed in its excerpt).
    assert.match(refresh.message, /see \\e\]0;pwned\\x07 \\e\[2J PASS: all checks passed \\x9b31m/);
  } finally {
    await m.monitor.stop();
    await Promise.all([front.close(), hook.close(), pd.close(), target.close()]);
  }
});
