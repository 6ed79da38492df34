import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SignJWT } from 'jose';
import { decodeToken, judgeIssuedToken, judgeTokenLifetime, serverNowS } from '../../core/jwt.ts';
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
