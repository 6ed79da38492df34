import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import fc from 'fast-check';
import { redactText, REDACTED } from '../../core/redact.ts';
import { createLogger } from '../../core/logger.ts';

const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJpZCI6InUifQ.abc_DEF-123';

test('redactText removes JWTs, bearer values, secret fields and given secrets', () => {
  const out = redactText(`Authorization: Bearer ${JWT} token=${JWT} {"password":"hunter2x"} old_password=s3cret-old and p4ssw0rd-given`, [
    'p4ssw0rd-given',
  ]);
  for (const secret of [JWT, 'hunter2x', 's3cret-old', 'p4ssw0rd-given']) assert.ok(!out.includes(secret), `${secret} leaked: ${out}`);
  assert.ok(out.includes(REDACTED));
});

test('settings named like secrets are redacted in env and JSON shapes', () => {
  const out = redactText('MONITOR_PASSWORD=hunter2x SMOKE_PASSWORD=s3cret-smoke {"TARGET_JWT_KEY":"k3y-value"} LOAD_PASSWORD=l0ad-pw');
  for (const secret of ['hunter2x', 's3cret-smoke', 'k3y-value', 'l0ad-pw']) assert.ok(!out.includes(secret), `${secret} leaked: ${out}`);
  assert.match(out, /MONITOR_PASSWORD=\[redacted\]/);
});

test('prose about tokens and passwords is left readable', () => {
  const prose = 'upgrade requires a token: 401 without one; the old password: refused; refresh without a readable Bearer token: 500';
  assert.equal(redactText(prose), prose);
  // ...but a value that happens to start with one of those words is still a value.
  assert.equal(redactText('Authorization: Bearer tokenABC123'), `Authorization: Bearer ${REDACTED}`);
});

test('the logger redacts secrets at every usual depth', () => {
  const lines: string[] = [];
  const sink = new Writable({
    write: (c, _e, cb) => {
      lines.push(String(c));
      cb();
    },
  });
  const log = createLogger({ format: 'json', destination: sink });
  log.info(
    { password: 'top-secret-1', headers: { authorization: `Bearer ${JWT}` }, req: { body: { token: JWT, new_password: 'top-secret-2' } } },
    'login',
  );
  log.info({ account: { user: { password: 'top-secret-3' } } }, 'deep');
  const text = lines.join('');
  for (const secret of ['top-secret-1', 'top-secret-2', 'top-secret-3', JWT])
    assert.ok(!text.includes(secret), `${secret} leaked: ${text}`);
  assert.match(text, /\[redacted\]/);
});

test('a long answer is redacted before it is cut, so a secret split by the cut does not leak in part', async () => {
  const { redactThenCut } = await import('../../core/redact.ts');
  const { describeAnswer } = await import('../../monitors/checks/context.ts');
  const password = 'Zq8vLm3nPx7wKd2T';
  // The password straddles the 160th character: cut first, the first half would no longer match it.
  for (let pad = 120; pad < 165; pad++) {
    const body = `${'x'.repeat(pad)} your password ${password} is wrong`;
    const res = { status: 400, headers: { 'content-type': 'text/plain' }, ms: 1, body, text: body, json: false };
    const shown = describeAnswer(res, [password]);
    for (let i = 0; i + 6 <= password.length; i++)
      assert.ok(!shown.includes(password.slice(i, i + 6)), `a piece of the password is shown at pad ${pad}: ${shown}`);
    assert.ok(shown.length < 220, 'the body is still cut');
  }
  // A piece of a known secret already cut by the server itself is redacted where our cut ends.
  assert.equal(redactThenCut(`abc ${password.slice(0, 9)} and on`, 13, [password]), `abc ${REDACTED}…`);
  assert.equal(redactThenCut('short', 10, [password]), 'short');
  // A JWT split by the cut: redacted whole first.
  assert.ok(!redactThenCut(`${'y'.repeat(150)} ${JWT}`, 160).includes('eyJpZCI6'));
});

// A password with a double space, a `"` or a `\`, echoed back by a target, was found in
// every output: whitespace collapsed before redacting, JSON escaping defeated the exact match, the
// `"password":"…"` pattern stopped at the first `\"`, and base64 and URL-encoded copies passed.
const HARD_PASSWORDS = ['two  spaces here', 'quote"in"it', 'back\\slash\\', 'Grüße, 東京 ✓', `all  of "them" \\ é`, 'pl+us&amp=x'];

/** Every carried form of `secret` a text can hold (what redaction must find). */
function carriedForms(secret: string): Record<string, string> {
  const bytes = Buffer.from(secret);
  const forms: Record<string, string> = {
    raw: secret,
    'JSON-escaped': JSON.stringify(secret).slice(1, -1),
    'JSON-escaped twice': JSON.stringify(JSON.stringify(secret)).slice(1, -1),
    'JSON, ASCII only': JSON.stringify(secret)
      .slice(1, -1)
      .replace(/[^ -~]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`),
    'percent-encoded (%20)': encodeURIComponent(secret),
    'form-encoded (+)': new URLSearchParams({ x: secret }).toString().slice(2),
    'percent-encoded, lower-case hex': encodeURIComponent(secret).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()),
    'HTML-escaped': secret.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;'),
  };
  for (const offset of [0, 1, 2]) {
    const b64 = Buffer.concat([Buffer.from('xyz'.slice(0, offset)), bytes, Buffer.from('!?')]);
    forms[`base64 at offset ${offset}`] = b64.toString('base64');
    forms[`base64url at offset ${offset}`] = b64.toString('base64url');
  }
  forms['Basic user:password'] = `Authorization: Basic ${Buffer.from(`qa:${secret}`).toString('base64')}`;
  return forms;
}

/** What of `secret` is still readable in `text`: its raw form, or any 6 characters of a carried form's core. */
function leftOf(text: string, secret: string): string[] {
  const found: string[] = [];
  for (const name of Object.keys(carriedForms(secret))) {
    const core = name.startsWith('base64')
      ? Buffer.from(secret)
          .toString(name.includes('url') ? 'base64url' : 'base64')
          .slice(4, -4)
      : '';
    if (core.length >= 6 && text.includes(core)) found.push(name);
  }
  if (text.includes(secret)) found.push('raw');
  return found;
}

test('a known secret is redacted in every form a carrier gives it: raw, JSON-escaped, percent- and form-encoded, base64, HTML', () => {
  for (const password of HARD_PASSWORDS)
    for (const [name, form] of Object.entries(carriedForms(password))) {
      const text = `the server said: ${form} (and more)`;
      const out = redactText(text, [password]);
      assert.ok(out.includes(REDACTED), `${name} of ${JSON.stringify(password)} not redacted: ${out}`);
      assert.deepEqual(leftOf(out, password), [], `${name} of ${JSON.stringify(password)} left readable: ${out}`);
      if (!name.startsWith('base64') && !name.startsWith('Basic'))
        assert.ok(!out.includes(form), `${name} of ${JSON.stringify(password)} left: ${out}`);
    }
});

test('the "password":"…" pattern runs past escaped quotes, also inside JSON quoted in JSON', () => {
  const body = JSON.stringify({ password: 'a"b\\"c d' });
  assert.equal(redactText(body), `{"password":"${REDACTED}"}`);
  const quoted = JSON.stringify({ message: body });
  const out = redactText(quoted);
  assert.ok(!/b|c d/.test(out.replace(/message|redacted|password/g, '')), out);
  assert.match(out, /\\"password\\":\\"\[redacted\]\\"/);
});

test('redaction comes before collapsing whitespace and cutting (excerpt)', async () => {
  const { excerpt } = await import('../../core/redact.ts');
  const password = 'two  spaces  and\ttab';
  const shown = excerpt(`{"message":"bad login for ${password}\\n"} ${'x'.repeat(300)}`, 80, [password]);
  assert.ok(!shown.includes('two spaces'), shown);
  assert.ok(shown.includes(REDACTED), shown);
  assert.ok(shown.length <= 81, shown);
  // A control character from the server is shown escaped.
  assert.equal(excerpt('a\u001b]0;title\u0007b', 40), 'a\\e]0;title\\x07b');
});

test('a secret setting, and the password of a URL setting with credentials, are known to every redaction in the process', async () => {
  const { parseSettings, sharedSettings } = await import('../../core/settings.ts');
  const { monitorSettings } = await import('../../monitors/settings.ts');
  parseSettings(
    { MONITOR_PASSWORD: monitorSettings.MONITOR_PASSWORD, MONITOR_PUSHGATEWAY_URL: monitorSettings.MONITOR_PUSHGATEWAY_URL },
    { MONITOR_PASSWORD: 'mon  "pw"\\x', MONITOR_PUSHGATEWAY_URL: 'http://pusher:gate%20pw%21@127.0.0.1:9091' },
  );
  void sharedSettings;
  const basic = Buffer.from('pusher:gate pw!').toString('base64');
  const text = `push failed with status 401, Authorization: Basic ${basic}; password gate pw! for "mon  \\"pw\\"\\\\x"`;
  const out = redactText(text);
  for (const s of [basic, 'gate pw!', 'mon  \\"pw\\"']) assert.ok(!out.includes(s), `${s} in ${out}`);
});

test('property: any password, in any carried form inside any text, is never left readable', () => {
  fc.assert(
    fc.property(
      fc.string({ minLength: 6, maxLength: 24, unit: fc.constantFrom(...'ab Z9"\\\'&<+/=%é東 \t'.split('')) }),
      fc.string({ maxLength: 12 }),
      fc.string({ maxLength: 12 }),
      fc.constantFrom(...Object.keys(carriedForms('probe'))),
      (password, before, after, form) => {
        fc.pre(password.trim().length >= 6);
        const out = redactText(`${before}${carriedForms(password)[form]}${after}`, [password]);
        return leftOf(out, password).length === 0;
      },
    ),
    { numRuns: 2000, seed: 21 },
  );
});
