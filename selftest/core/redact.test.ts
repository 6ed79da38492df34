import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
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

test('a long answer is redacted before it is cut, so a secret split by the cut does not leak in part (issue 10)', async () => {
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
