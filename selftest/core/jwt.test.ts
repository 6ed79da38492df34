import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SignJWT } from 'jose';
import { claimWritingProblems, decodeToken, judgeIssuedToken, judgeTokenLifetime, serverNowS } from '../../core/jwt.ts';
import { humanDuration, rfc3339 } from '../../core/durations.ts';

const key = new TextEncoder().encode('k');
const make = (claims: Record<string, unknown>, alg = 'HS256') => new SignJWT(claims).setProtectedHeader({ alg, typ: 'JWT' }).sign(key);
const iso = rfc3339;
const now = 1_800_000_000;

test('a token that keeps the contract has no problems', async () => {
  const token = await make({ exp: now + 86400, id: 'u', orig_iat: now });
  const r = judgeTokenLifetime({ token, expire: iso(now + 86400), nowS: now + 2, toleranceS: 60 });
  assert.deepEqual(r.problems, []);
  assert.equal(r.lifetimeS, 86398);
  assert.equal(r.alg, 'HS256');
});

test('a 1 h token is described in hours', async () => {
  const token = await make({ exp: now + 3600, id: 'u', orig_iat: now });
  const r = judgeTokenLifetime({ token, expire: iso(now + 3600), nowS: now, nowLabel: 'server Date', toleranceS: 60 });
  assert.match(r.problems[0]!, /^token expires in 1h 0m, expected 24h 0m ± 1m \(expire=.*measured from server Date\)$/);
  assert.match(r.problems[1]!, /exp − orig_iat is 1h 0m, expected 24h 0m/);
});

test('a 1 h token answered a second or two after it was signed is still described as 1 h: one cause, whichever answer states it', async () => {
  const token = await make({ exp: now + 3600, id: 'u', orig_iat: now });
  for (const late of [1, 2])
    assert.match(
      judgeTokenLifetime({ token, expire: iso(now + 3600), nowS: now + late, toleranceS: 60 }).problems[0]!,
      /^token expires in 1h 0m, expected 24h 0m ± 1m /,
    );
  // With a tolerance under a minute (the matrix's 3 s tokens), to the second.
  const short = await make({ exp: now + 60, id: 'u', orig_iat: now });
  assert.match(
    judgeTokenLifetime({ token: short, expire: iso(now + 60), nowS: now + 1, toleranceS: 1, expectedLifetimeS: 3 }).problems[0]!,
    /^token expires in 59s, expected 3s ± 1s /,
  );
});

test('expire and exp that disagree are reported with the difference', async () => {
  const token = await make({ exp: now + 86400, id: 'u', orig_iat: now });
  const r = judgeTokenLifetime({ token, expire: iso(now + 90000), nowS: now + 3600, toleranceS: 60 });
  assert.ok(
    r.problems.some((p) => /expire \(.*\) and the token's exp \(.*\) differ by -1h 0m, expected equal/.test(p)),
    r.problems.join('\n'),
  );
});

test('a refreshed token keeps the login orig_iat instead of exp − orig_iat = 24 h', async () => {
  const refreshed = await make({ exp: now + 86400, id: 'u', orig_iat: now - 3600 });
  assert.deepEqual(
    judgeTokenLifetime({ token: refreshed, expire: iso(now + 86400), nowS: now, toleranceS: 60, origIatS: now - 3600 }).problems,
    [],
  );
  const stretched = await make({ exp: now + 86400, id: 'u', orig_iat: now });
  const r = judgeTokenLifetime({ token: stretched, expire: iso(now + 86400), nowS: now, toleranceS: 60, origIatS: now - 3600 });
  assert.deepEqual(r.problems, [`refresh moved orig_iat by 1h 0m (${now}, was ${now - 3600}): a session could be stretched forever`]);
});

test('an issued token is measured from the Date header, or from our clock when there is none, and says which', async () => {
  const token = await make({ exp: now + 3600, id: 'u', orig_iat: now - 82800 });
  const body = { token, expire: iso(now + 3600) };
  const server = judgeIssuedToken({ date: new Date(now * 1000).toUTCString() }, body, { toleranceS: 60, localNowS: now + 999 });
  assert.equal(server.nowS, now);
  assert.match(server.problems[0]!, /measured from the server's Date header/);
  const local = judgeIssuedToken({}, body, { toleranceS: 60, localNowS: now });
  assert.equal(local.serverS, undefined);
  assert.match(local.problems[0]!, /measured from the local clock \(no Date header\)/);
});

test('another algorithm and missing claims are named', async () => {
  const token = await make({ exp: now + 86400, id: 'u', orig_iat: now }, 'HS512');
  assert.match(
    judgeTokenLifetime({ token, expire: iso(now + 86400), nowS: now, toleranceS: 60 }).problems[0]!,
    /token algorithm is HS512, expected HS256/,
  );
  const noId = await make({ exp: now + 86400, orig_iat: now });
  assert.match(judgeTokenLifetime({ token: noId, expire: iso(now + 86400), nowS: now, toleranceS: 60 }).problems.join('\n'), /at id/);
  assert.deepEqual(judgeTokenLifetime({ token: 'garbage', expire: iso(now), nowS: now, toleranceS: 60 }).problems, [
    'the token does not decode as a JWT',
  ]);
});

test('decodeToken reads without a key; serverNowS reads the Date header', async () => {
  const token = await make({ exp: 5, id: 'u', orig_iat: 1 });
  assert.deepEqual(decodeToken(token)?.claims, { exp: 5, id: 'u', orig_iat: 1 });
  assert.equal(decodeToken('x.y'), undefined);
  assert.equal(serverNowS({ date: 'Wed, 25 Nov 2026 06:00:00 GMT' }), Date.UTC(2026, 10, 25, 6) / 1000);
  assert.equal(serverNowS({}), undefined);
});

test('durations read like a person would say them', () => {
  assert.equal(humanDuration(3600), '1h 0m');
  assert.equal(humanDuration(86399), '23h 59m 59s');
  assert.equal(humanDuration(90), '1m 30s');
  assert.equal(humanDuration(-5), '-5s');
});

test('whole-second claims must be written as JSON integers: a float, even one JSON.parse reads as whole, is named', async () => {
  const part = (o: string) => Buffer.from(o).toString('base64url');
  const written = (exp: string) => `${part('{"alg":"HS256","typ":"JWT"}')}.${part(`{"exp":${exp},"id":"u","orig_iat":${now}}`)}.sig`;
  assert.deepEqual(claimWritingProblems(written(String(now + 86400))), []);
  for (const exp of [`${now + 86400}.0`, `${now + 86400}.734`, '1.8000864e9'])
    assert.deepEqual(claimWritingProblems(written(exp)), [
      `the token's exp is written ${exp}, expected whole unix seconds as a JSON integer (a client that reads it into an integer fails)`,
    ]);
  // The lifetime judge says it first, and only it: the value itself may be right.
  const r = judgeTokenLifetime({ token: written(`${now + 86400}.0`), expire: iso(now + 86400), nowS: now, toleranceS: 60 });
  assert.equal(r.problems.length, 1);
  assert.match(r.problems[0]!, /exp is written 1800086400\.0/);
});

test('a refresh must move exp forward by the time since the replaced token was issued, by the Date header, whole seconds', async () => {
  const login = { expS: now + 86400, issuedS: now };
  const date = (s: number) => ({ date: new Date(s * 1000).toUTCString() });
  const refreshed = async (exp: number) => ({ token: await make({ exp, id: 'u', orig_iat: now }), expire: iso(exp) });
  const o = { toleranceS: 60, origIatS: now, replaced: login, answerMs: 20 };
  // Two seconds later by the Date header: a new exp 2 s on (or 1, the Date written just after a new second) is right.
  assert.deepEqual(judgeIssuedToken(date(now + 2), await refreshed(now + 2 + 86400), o).problems, []);
  assert.deepEqual(judgeIssuedToken(date(now + 2), await refreshed(now + 1 + 86400), o).problems, []);
  // The old exp kept: inside "24 h ± 60 s", and still named.
  const kept = judgeIssuedToken(date(now + 2), await refreshed(now + 86400), o).problems;
  assert.deepEqual(kept, [
    `refresh did not extend the session: the new token's exp moved 0s (the replaced token's own, ${iso(now + 86400)}), but 2s ` +
      "passed since the token it replaces was issued (by the server's Date header): a session refreshed this way still ends when " +
      'the first token does',
  ]);
  // An hour-old token refreshed: exp must move an hour, not a minute.
  const hourOld = { expS: now - 3600 + 86400, issuedS: now - 3600 };
  assert.match(
    judgeIssuedToken(date(now), await refreshed(now - 3540 + 86400), { ...o, replaced: hourOld }).problems.join('\n'),
    /moved 1m, but 1h 0m passed/,
  );
  // Within a second of the login nothing can be told: no false alarm.
  assert.deepEqual(judgeIssuedToken(date(now + 1), await refreshed(now + 86400), o).problems, []);
});
