// The reference target's latest generation answers as the real server's source at its last commit
// does (and as the real server was seen to answer with curl): the added fields in their place, a new
// account unverified (login 401 as for a wrong password, its tokens 403), the welcome mail with an
// HS512 link on the production host, and the verification route with the server's own refusals.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { base64url, decodeJwt, decodeProtectedHeader, SignJWT } from 'jose';
import { MESSAGES, verifyUserMismatch } from '../../core/contract.ts';
import { LatestMiddleware } from '../../reference/middleware.ts';
import { goTimeString, makeVerificationToken } from '../../reference/verification.ts';
import { loggedIn, memoryMailer, newAccount, withTarget, type Harness } from '../support/target.ts';

const KEY = 'generations-key';
const bearer = (username: string) => {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ exp: now + 3600, id: username, orig_iat: now })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .sign(new TextEncoder().encode(KEY));
};
const hs = (alg: 'HS256' | 'HS512', claims: Record<string, unknown>) =>
  new SignJWT(claims).setProtectedHeader({ alg, typ: 'JWT' }).sign(new TextEncoder().encode(KEY));

describe('the latest generation', () => {
  let h: Harness;
  let mails: ReturnType<typeof memoryMailer>;
  before(async () => {
    mails = memoryMailer();
    h = await withTarget({ generation: 'latest', jwtKey: KEY, mailer: mails });
  });
  after(() => h.close());

  const pathOf = (link: string) => new URL(link).pathname;

  test("register answers the user with Organization where the model has it, unverified; documented's has none", async () => {
    const a = newAccount();
    const r = await h.api.register(a);
    assert.equal(r.status, 200);
    const user = (r.body as { response: Record<string, unknown> }).response;
    const keys = Object.keys(user);
    assert.equal(user.Organization, '');
    assert.equal(keys.indexOf('Organization'), keys.indexOf('CustomerObjectHash') + 1, 'Organization follows CustomerObjectHash');
    assert.equal(keys.indexOf('IPFSKeyNames'), keys.indexOf('Organization') + 1, 'and comes before IPFSKeyNames');
    assert.equal(user.EmailEnabled, false);
    assert.equal(user.EmailVerificationToken, 'scrubbed');
    assert.equal(user.CustomerObjectHash, 'zdpuAnUGSDoNQoHQ2jpjhPePHEvg26mYLsAAGxr4jkzCWUpde');
    assert.equal(h.target.store.usageOf(a.username)?.tier, 'unverified');
    assert.equal(h.target.store.usageOf(a.username)?.keys_allowed, 0);
    const documented = await withTarget();
    try {
      const d = (await documented.api.register(newAccount())).body as { response: Record<string, unknown> };
      assert.equal('Organization' in d.response, false);
    } finally {
      await documented.close();
    }
  });

  test('an unverified account: login 401 as a wrong password, a valid token 403 on every account route, refresh still 200', async () => {
    const a = newAccount();
    await h.api.register(a);
    const unverified = await h.api.login({ username: a.username, password: a.password });
    const wrong = await h.api.login({ username: a.username, password: `${a.password}x` });
    assert.equal(unverified.status, 401);
    assert.deepEqual(unverified.body, wrong.body);
    assert.deepEqual(unverified.body, { code: 401, message: MESSAGES.incorrectCredentials });
    const token = await bearer(a.username);
    for (const r of [await h.api.usage(token), await h.api.creditsAvailable(token), await h.api.tokenUsername(token)]) {
      assert.equal(r.status, 403);
      assert.deepEqual(r.body, { code: 403, message: MESSAGES.forbidden });
      assert.match(r.headers['www-authenticate'] ?? '', /^JWT realm=/);
    }
    // gin-jwt's refresh has no authorizator: the real server refreshes it too.
    assert.equal((await h.api.refresh(token)).status, 200);
  });

  test("the welcome mail: to the account, the link on the production host, an HS512 token with the server's claims", async () => {
    const a = newAccount();
    const before = Date.now();
    await h.api.register(a);
    const mail = mails.mails.findLast((m) => m.username === a.username)!;
    assert.equal(mail.address, a.email_address);
    assert.match(
      mail.link,
      new RegExp(`^https://api\\.temporal\\.cloud/v2/account/email/verify/${a.username}/[\\w-]+\\.[\\w-]+\\.[\\w-]+$`),
    );
    const token = mail.link.split('/').at(-1)!;
    assert.deepEqual(decodeProtectedHeader(token), { alg: 'HS512', typ: 'JWT' });
    const claims = decodeJwt(token);
    assert.deepEqual(Object.keys(claims), ['emailVerificationString', 'expire', 'user']);
    assert.equal(claims.user, a.username);
    assert.match(String(claims.emailVerificationString), /^[a-z]{32}$/);
    assert.match(String(claims.expire), /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)? \+0000 UTC$/);
    const expire = Date.parse(String(claims.expire).replace(' ', 'T').replace(' +0000 UTC', 'Z'));
    assert.ok(Math.abs(expire - before - 86_400_000) < 5000, 'the link is valid for 24 h');
  });

  test('the link verifies the account (200 "email verified", tier free, login works), and again if opened twice', async () => {
    const a = newAccount();
    await h.api.register(a);
    const path = pathOf(mails.linkFor(a.username));
    for (let i = 0; i < 2; i++) assert.deepEqual((await h.api.verifyEmail(path)).body, { code: 200, response: MESSAGES.emailVerified });
    assert.equal(h.target.store.findByUserName(a.username)?.email_enabled, 1);
    const l = await h.api.login({ username: a.username, password: a.password });
    assert.equal(l.status, 200);
    const usage = (await h.api.usage((l.body as { token: string }).token)).body as { response: Record<string, unknown> };
    assert.equal(usage.response.Tier, 'free');
    assert.equal(usage.response.ClaimedENSName, false);
    assert.equal(usage.response.KeysAllowed, 5);
  });

  test("refusals with the server's reasons under `response`, each leaving the account unverified", async () => {
    const a = newAccount();
    const b = newAccount();
    await h.api.register(a);
    await h.api.register(b);
    const tokenA = mails.linkFor(a.username).split('/').at(-1)!;
    const tokenB = mails.linkFor(b.username).split('/').at(-1)!;
    const [head, claims, sig] = tokenA.split('.') as [string, string, string];
    const stored = h.target.store.findByUserName(a.username)!.email_verification_token;
    const in24h = goTimeString(Date.now() + 86_400_000);
    const cases: [string, string, string, string][] = [
      ['a tampered signature', a.username, `${head}.${claims}.${sig[0] === 'A' ? 'B' : 'A'}${sig.slice(1)}`, MESSAGES.signatureInvalid],
      ['a garbage token', a.username, 'garbage', 'token contains an invalid number of segments'],
      ["another account's token", a.username, tokenB, verifyUserMismatch(a.username)],
      [
        'an unsigned token',
        a.username,
        `${base64url.encode('{"alg":"none","typ":"JWT"}')}.${claims}.`,
        'unable to validate signing method: none',
      ],
      [
        'an HS256 token',
        a.username,
        await hs('HS256', { emailVerificationString: stored, expire: in24h, user: a.username }),
        'expect hs512 signing method',
      ],
      [
        'a token for nobody',
        'hx-nobody',
        await hs('HS512', { emailVerificationString: 'x', expire: in24h, user: 'hx-nobody' }),
        'unable to find username',
      ],
      [
        'a wrong verification string',
        a.username,
        await hs('HS512', { emailVerificationString: 'abc', expire: in24h, user: a.username }),
        'failed to validate email verification token',
      ],
      [
        'an unreadable expire',
        a.username,
        await hs('HS512', { emailVerificationString: stored, expire: 'tomorrow', user: a.username }),
        'parsing time "tomorrow" as "2006-01-02 15:04:05.999999999 -0700 MST": cannot parse "tomorrow" as "2006"',
      ],
      ['an expired link', a.username, makeVerificationToken(KEY, a.username, stored, Date.now() - 2 * 86_400_000), 'token is expired'],
    ];
    for (const [what, user, token, reason] of cases) {
      const r = await h.api.verifyEmail(`/v2/account/email/verify/${user}/${token}`);
      assert.equal(r.status, 400, what);
      assert.deepEqual(r.body, { code: 400, response: reason }, what);
    }
    assert.equal(h.target.store.findByUserName(a.username)?.email_enabled, 0);
    assert.equal(h.target.store.usageOf(a.username)?.tier, 'unverified');
  });

  test('the documented generation has no verification route and no verification gate', async () => {
    const d = await withTarget({ jwtKey: KEY });
    try {
      assert.equal((await d.api.verifyEmail('/v2/account/email/verify/a/b.c.d')).status, 404);
      await loggedIn(d.api);
    } finally {
      await d.close();
    }
  });
});

describe('the latest generation answers as the real server (seen with npm run conformance)', () => {
  let h: Harness;
  before(async () => {
    h = await withTarget({ generation: 'latest', jwtKey: KEY, mailer: memoryMailer() });
  });
  after(() => h.close());

  test(
    "refresh is gin-jwt 2.3.1's: no readable token crashes it (500, empty body, no Content-Type); any token with an " +
      'orig_iat is re-signed',
    async () => {
      for (const auth of [
        undefined,
        { header: 'Basic aHg6aHg=' },
        'not-a-token',
        `${base64url.encode('{"alg":"none"}')}.${base64url.encode('{"id":"x"}')}.`,
      ]) {
        const r = await h.api.refresh(auth);
        assert.deepEqual([r.status, r.text, r.headers['content-type']], [500, '', undefined], `refresh with ${JSON.stringify(auth)}`);
      }
      const now = Math.floor(Date.now() / 1000);
      const forged = await new SignJWT({ exp: now + 60, id: 'anyone-at-all', orig_iat: now })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .sign(new TextEncoder().encode('not the server key'));
      const minted = await h.api.refresh(forged);
      assert.equal(minted.status, 200, 'a token signed with another key is exchanged for a signed one');
      const token = (minted.body as { token: string }).token;
      assert.equal(decodeJwt(token).id, 'anyone-at-all');
      assert.equal(decodeProtectedHeader(token).alg, 'HS256');
      const stale = await hs('HS256', { exp: now - 3600, id: 'x', orig_iat: now - 90_000 });
      assert.deepEqual((await h.api.refresh(stale)).body, { code: 401, message: MESSAGES.refreshExpired });
    },
  );

  test('login refusals gin cannot bind are 400 with the JSON text, sent as text/plain without WWW-Authenticate', async () => {
    for (const form of [{}, { username: 'x' }, { username: '', password: 'y' }]) {
      const r = await h.api.login(form);
      assert.equal(r.status, 400);
      assert.equal(r.headers['content-type'], 'text/plain; charset=utf-8');
      assert.equal(r.headers['www-authenticate'], undefined);
      assert.deepEqual(r.body, { code: 400, message: MESSAGES.missingCredentials });
    }
    const wrong = await h.api.login({ username: 'nobody', password: 'x' });
    assert.equal(wrong.headers['content-type'], 'application/json; charset=utf-8', 'a 401 is JSON as usual');
  });

  test(
    'every answer, a 404 included, has Vary: Origin, a request id and the hourly rate-limit headers; a CORS preflight is ' +
      'answered before them',
    async () => {
      const a = await h.api.raw('GET', '/v2/nothing-here');
      const b = await h.api.creditsAvailable(undefined);
      for (const r of [a, b]) {
        assert.equal(r.headers.vary, 'Origin');
        assert.match(r.headers['x-request-id'] ?? '', /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
        assert.equal(r.headers['x-ratelimit-limit'], '100000');
      }
      assert.notEqual(a.headers['x-request-id'], b.headers['x-request-id']);
      assert.equal(Number(a.headers['x-ratelimit-remaining']) - Number(b.headers['x-ratelimit-remaining']), 1);
      assert.ok(Math.abs(Number(b.headers['x-ratelimit-reset']) - (Date.now() / 1000 + 3600)) < 60);
      const pre = await h.api.raw('OPTIONS', '/v2/auth/login', {
        headers: {
          origin: 'https://app.example.org',
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type',
        },
      });
      assert.equal(pre.status, 200);
      assert.equal(pre.text, '');
      assert.equal(pre.headers['access-control-allow-headers'], 'Content-Type');
      assert.equal(pre.headers['x-request-id'], undefined, 'the preflight ends before the request id');
    },
  );

  test('past the hourly limit, 429 "Limit exceeded" as text, per client address (X-Forwarded-For first)', () => {
    let now = 1_000_000;
    const mw = new LatestMiddleware(() => now, 2);
    const hit = (ip = '10.0.0.1') => mw.handle('GET', { 'x-forwarded-for': `${ip}, 127.0.0.1` }, '127.0.0.1');
    assert.ok(!('status' in hit()));
    assert.ok(!('status' in hit()));
    const third = hit();
    assert.ok('status' in third && third.status === 429 && third.body === 'Limit exceeded');
    assert.equal(third.headers['x-ratelimit-remaining'], '0');
    assert.ok(!('status' in hit('10.0.0.2')), 'another client has its own window');
    now += 3_600_000;
    assert.ok(!('status' in hit()), 'a new hour, a new window');
  });
});
