// The reference target answers every contract endpoint as ../shared/CONTRACT.md says.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { SignJWT, decodeJwt, decodeProtectedHeader } from 'jose';
import { MESSAGES } from '../../core/contract.ts';
import * as S from '../../core/schemas.ts';
import { expectShape } from '../../core/shape.ts';
import { judgeTokenLifetime, serverNowS } from '../../core/jwt.ts';
import { join } from 'node:path';
import { withTarget, newAccount, loggedIn, type Harness } from '../support/target.ts';
import { tempDir } from '../support/temp.ts';

const KEY = 'selftest-key';
let h: Harness;
before(async () => (h = await withTarget({ jwtKey: KEY, realm: 'selftest' })));
after(() => h.close());

const sign = (claims: Record<string, unknown>, key = KEY, alg = 'HS256') =>
  new SignJWT(claims).setProtectedHeader({ alg, typ: 'JWT' }).sign(new TextEncoder().encode(key));
const nowS = () => Math.floor(Date.now() / 1000);

test('register: a new account with the documented defaults, secrets scrubbed, JSON content type', async () => {
  const a = newAccount();
  const r = await h.api.register(a);
  assert.equal(r.status, 200);
  assert.equal(r.headers['content-type'], 'application/json; charset=utf-8');
  const u = expectShape(S.RegisterOk, r.body).response;
  assert.equal(u.UserName, a.username);
  assert.equal(u.EmailAddress, a.email_address);
  assert.deepEqual([u.AccountEnabled, u.EmailEnabled, u.AdminAccess, u.Free, u.Credits, u.DeletedAt], [true, false, false, true, 0, null]);
  assert.ok(!r.text.includes(a.password));
});

test('register: urlencoded forms work too', async () => {
  const a = newAccount();
  const r = await h.api.raw('POST', '/v2/auth/register', {
    body: { kind: 'text', contentType: 'application/x-www-form-urlencoded', data: new URLSearchParams({ ...a }).toString() },
  });
  assert.equal(r.status, 200, r.text);
});

test('register: each missing or empty field is "<field> not present", in form order', async () => {
  const a = newAccount();
  for (const [field, form] of [
    ['username', { password: a.password, email_address: a.email_address }],
    ['password', { username: a.username, email_address: a.email_address }],
    ['email_address', { username: a.username, password: a.password }],
    ['username', { username: '', password: a.password, email_address: a.email_address }],
  ] as const) {
    const r = await h.api.register(form);
    assert.equal(r.status, 400);
    assert.deepEqual(r.body, { code: 400, response: `${field} not present` });
  }
});

test('register: validation rules and taken names', async () => {
  const a = newAccount();
  assert.deepEqual((await h.api.register({ ...a, email_address: 'a+b@example.test' })).body, {
    code: 400,
    response: MESSAGES.emailHasPlus,
  });
  assert.deepEqual((await h.api.register({ ...a, username: 'a@b' })).body, { code: 400, response: MESSAGES.usernameHasAt });
  assert.equal((await h.api.register(a)).status, 200);
  assert.deepEqual((await h.api.register({ ...newAccount(), username: a.username })).body, { code: 400, response: MESSAGES.usernameTaken });
  assert.deepEqual((await h.api.register({ ...newAccount(), email_address: a.email_address })).body, {
    code: 400,
    response: MESSAGES.emailTaken,
  });
});

test('login: 24 h HS256 token with id, exp, orig_iat; expire equals exp; by username or e-mail', async () => {
  const a = newAccount();
  await h.api.register(a);
  for (const username of [a.username, a.email_address]) {
    const r = await h.api.login({ username, password: a.password });
    assert.equal(r.status, 200);
    const body = expectShape(S.LoginOk, r.body);
    assert.match(body.expire, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.deepEqual(
      judgeTokenLifetime({ token: body.token, expire: body.expire, nowS: serverNowS(r.headers)!, toleranceS: 2 }).problems,
      [],
    );
    assert.deepEqual(decodeProtectedHeader(body.token), { alg: 'HS256', typ: 'JWT' });
    assert.equal(decodeJwt(body.token).id, a.username);
  }
});

test('login: missing fields, non-JSON body, wrong password, unknown user, disabled account', async () => {
  const a = newAccount();
  await h.api.register(a);
  const missing = { code: 400, message: MESSAGES.missingCredentials };
  assert.deepEqual((await h.api.login({ username: a.username })).body, missing);
  assert.deepEqual((await h.api.login({ username: a.username, password: '' })).body, missing);
  assert.deepEqual(
    (await h.api.raw('POST', '/v2/auth/login', { body: { kind: 'text', contentType: 'application/json', data: 'username=x' } })).body,
    missing,
  );
  const wrong = await h.api.login({ username: a.username, password: 'wrong' });
  assert.equal(wrong.status, 401);
  assert.deepEqual(wrong.body, { code: 401, message: MESSAGES.incorrectCredentials });
  assert.equal(wrong.headers['www-authenticate'], 'JWT realm=selftest');
  assert.equal((await h.api.login({ username: 'nobody-here', password: 'x' })).status, 401);
  h.target.store.setEnabled(a.username, false);
  assert.equal((await h.api.login({ username: a.username, password: a.password })).status, 401);
});

test('auth middleware: every way a token is refused, in gin-jwt words', async () => {
  const s = await loggedIn(h.api);
  const [head, payload, sig] = s.token.split('.') as [string, string, string];
  const cases: [string, Parameters<typeof h.api.creditsAvailable>[0], string][] = [
    ['no header', undefined, MESSAGES.authHeaderEmpty],
    ['wrong scheme', { header: `Token ${s.token}` }, MESSAGES.invalidAuthHeader],
    ['three words', { header: `Bearer ${s.token} x` }, MESSAGES.invalidAuthHeader],
    ['garbage token', 'garbage', MESSAGES.malformedToken],
    ['tampered signature', `${head}.${payload}.${sig.slice(0, -2)}AA`, MESSAGES.signatureInvalid],
    [
      'tampered claims',
      `${head}.${Buffer.from(JSON.stringify({ ...decodeJwt(s.token), id: 'admin' })).toString('base64url')}.${sig}`,
      MESSAGES.signatureInvalid,
    ],
    ['alg none', `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${payload}.`, MESSAGES.invalidSigningAlgorithm],
    ['another key', await sign({ exp: nowS() + 3600, id: s.username, orig_iat: nowS() }, 'other-key'), MESSAGES.signatureInvalid],
    ['HS512', await sign({ exp: nowS() + 3600, id: s.username, orig_iat: nowS() }, KEY, 'HS512'), MESSAGES.invalidSigningAlgorithm],
    ['expired', await sign({ exp: nowS() - 10, id: s.username, orig_iat: nowS() - 90000 }), MESSAGES.tokenExpired],
  ];
  for (const [what, auth, message] of cases) {
    for (const call of [
      () => h.api.creditsAvailable(auth),
      () => h.api.changePassword(auth, { old_password: s.password, new_password: 'n' }),
    ]) {
      const r = await call();
      assert.equal(r.status, 401, what);
      assert.deepEqual(r.body, { code: 401, message }, what);
      assert.equal(r.headers['www-authenticate'], 'JWT realm=selftest', what);
    }
  }
  h.target.store.setEnabled(s.username, false);
  assert.deepEqual((await h.api.creditsAvailable(s.token)).body, { code: 403, message: MESSAGES.forbidden });
});

test('password change: wrong old password, missing fields, and the change taking effect; old tokens stay valid', async () => {
  const s = await loggedIn(h.api);
  assert.deepEqual((await h.api.changePassword(s.token, { old_password: 'wrong', new_password: 'n' })).body, {
    code: 400,
    response: MESSAGES.passwordChangeFailed,
  });
  assert.deepEqual((await h.api.changePassword(s.token, { new_password: 'n' })).body, { code: 400, response: 'old_password not present' });
  assert.deepEqual((await h.api.changePassword(s.token, { old_password: s.password })).body, {
    code: 400,
    response: 'new_password not present',
  });
  const r = await h.api.changePassword(s.token, { old_password: s.password, new_password: 'brand-new-pw' });
  expectShape(S.PasswordChanged, r.body);
  assert.equal((await h.api.login({ username: s.username, password: s.password })).status, 401);
  assert.equal((await h.api.login({ username: s.username, password: 'brand-new-pw' })).status, 200);
  assert.equal((await h.api.creditsAvailable(s.token)).status, 200);
});

test('HTML entities in passwords are unescaped before hashing', async () => {
  const a = { ...newAccount(), password: 'fish&amp;chips' };
  await h.api.register(a);
  assert.equal((await h.api.login({ username: a.username, password: 'fish&chips' })).status, 200);
});

test('credits: a JSON number, 0 for a new account, float credits kept exactly', async () => {
  const s = await loggedIn(h.api);
  assert.deepEqual(expectShape(S.CreditsAvailable, (await h.api.creditsAvailable(s.token)).body), { code: 200, response: 0 });
  h.target.store.setCredits(s.username, 10000464.996296696);
  assert.equal((await h.api.creditsAvailable(s.token)).text, '{"code":200,"response":10000464.996296696}');
});

test('upgrade: once, visible in usage, refused the second time; credits still work', async () => {
  const s = await loggedIn(h.api);
  assert.equal(expectShape(S.UsageOk, (await h.api.usage(s.token)).body).response.Tier, 'free');
  expectShape(S.AccountUpgraded, (await h.api.upgrade(s.token)).body);
  const usage = expectShape(S.UsageOk, (await h.api.usage(s.token)).body).response;
  assert.equal(usage.Tier, 'paid');
  assert.equal(usage.KeysAllowed, 150);
  assert.deepEqual((await h.api.upgrade(s.token)).body, { code: 400, response: MESSAGES.alreadyUpgraded });
  assert.equal((await h.api.creditsAvailable(s.token)).status, 200);
});

test('token/username names the token holder', async () => {
  const s = await loggedIn(h.api);
  assert.deepEqual((await h.api.tokenUsername(s.token)).body, { code: 200, response: s.username });
});

test('refresh: a new token 24 h from now keeping orig_iat; refused outside MaxRefresh', async () => {
  const s = await loggedIn(h.api);
  const origIat = decodeJwt(s.token).orig_iat;
  const r = await h.api.refresh(s.token);
  const body = expectShape(S.LoginOk, r.body);
  assert.equal(decodeJwt(body.token).orig_iat, origIat);
  assert.deepEqual(
    judgeTokenLifetime({ token: body.token, expire: body.expire, nowS: serverNowS(r.headers)!, toleranceS: 2, origIatS: origIat as number })
      .problems,
    [],
  );
  // An expired token within MaxRefresh may be refreshed; one whose login is over 24 h old may not.
  const expired = await sign({ exp: nowS() - 10, id: s.username, orig_iat: nowS() - 3600 });
  assert.equal((await h.api.refresh(expired)).status, 200);
  const tooOld = await sign({ exp: nowS() - 10, id: s.username, orig_iat: nowS() - 90000 });
  assert.deepEqual((await h.api.refresh(tooOld)).body, { code: 401, message: MESSAGES.refreshExpired });
  assert.equal((await h.api.refresh(undefined)).status, 401);
});

test("unknown routes and wrong methods get gin's plain-text 404", async () => {
  for (const r of [await h.api.raw('GET', '/v2/nope'), await h.api.raw('GET', '/v2/auth/login'), await h.api.raw('GET', '/')]) {
    assert.equal(r.status, 404);
    assert.equal(r.text, '404 page not found');
    assert.match(r.headers['content-type']!, /^text\/plain/);
  }
});

test('a token lifetime and a clock can be injected', async () => {
  let clock = Date.now();
  const t = await withTarget({ tokenLifetimeS: 5, now: () => clock });
  try {
    const s = await loggedIn(t.api);
    const exp = decodeJwt(s.token).exp!;
    assert.equal(exp - (decodeJwt(s.token).orig_iat as number), 5);
    assert.equal((await t.api.creditsAvailable(s.token)).status, 200);
    clock += 6000;
    assert.deepEqual((await t.api.creditsAvailable(s.token)).body, { code: 401, message: MESSAGES.tokenExpired });
  } finally {
    await t.close();
  }
});

test('accounts persist in a SQLite file across restarts', async (t) => {
  const dbPath = join(tempDir('hx-target-'), 'target.db');
  const a = newAccount();
  const first = await withTarget({ dbPath });
  await first.api.register(a);
  await first.close();
  const second = await withTarget({ dbPath });
  t.after(() => second.close());
  assert.equal((await second.api.login({ username: a.username, password: a.password })).status, 200);
});
