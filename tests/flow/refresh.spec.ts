import { setTimeout as sleep } from 'node:timers/promises';
import { claimsFor, decodeToken, expect, expectAnswer, judgeIssuedToken, LoginOk, MESSAGES, signToken, test } from '../../fixtures/test.ts';

const NEEDS_KEY =
  "forging a validly signed token with an old login time needs the target's key: set TARGET_JWT_KEY (the bundled target has one)";

test.describe('refresh', () => {
  test('refresh keeps the original login time and extends the session: orig_iat stays, exp moves on (no key needed)', async ({
    api,
    sharedAccount,
    toleranceS,
  }) => {
    const login = await expectAnswer(await api.login({ username: sharedAccount.username, password: sharedAccount.password }), LoginOk, {
      status: 200,
    });
    const claims = decodeToken(login.token)?.claims;
    expect(typeof claims?.orig_iat, "the login token's orig_iat").toBe('number');
    expect(typeof claims?.exp, "the login token's exp").toBe('number');
    // Token times and the Date header are whole seconds, and the Date may be written a second after the
    // signing: two seconds on, a reset orig_iat and an exp that did not move both show. A second on our
    // clock is a second on the server's, whatever their offset.
    await sleep(2100);
    const res = await api.refresh(login.token);
    const body = await expectAnswer(res, LoginOk, { status: 200 });
    expect(decodeToken(body.token)?.claims.id, "the refreshed token's id").toBe(sharedAccount.username);
    // orig_iat kept, exp moved on by the time since the login (the server's Date), exp = expire, 24 h
    // from the server's clock, HS256: one judge for login and refresh.
    const replaced = { expS: claims!.exp as number, issuedS: claims!.orig_iat as number };
    expect(
      judgeIssuedToken(res.headers, body, { toleranceS, origIatS: replaced.issuedS, replaced, answerMs: res.ms }).problems,
    ).toHaveNoProblems('the refreshed token does not keep the contract');
  });

  test('a refresh an hour after login keeps the original login time and moves exp on by that hour', async ({
    api,
    sharedSession,
    target,
    toleranceS,
  }) => {
    test.skip(!target.jwtKey, NEEDS_KEY);
    // A token from a login an hour ago: a refresh that resets orig_iat, or keeps the old exp, shows by a whole hour.
    const old = claimsFor(sharedSession.username, { ageS: 3600 });
    const res = await api.refresh(await signToken(old, target.jwtKey!));
    const body = await expectAnswer(res, LoginOk, { status: 200 });
    expect(decodeToken(body.token)?.claims.id, "the refreshed token's id").toBe(sharedSession.username);
    const replaced = { expS: old.exp, issuedS: old.orig_iat };
    expect(
      judgeIssuedToken(res.headers, body, { toleranceS, origIatS: old.orig_iat, replaced, answerMs: res.ms }).problems,
    ).toHaveNoProblems('the refreshed token does not keep the contract');
  });

  test('refresh is refused once the original login is more than 24 h old', async ({ api, sharedSession, target }) => {
    test.skip(!target.jwtKey, NEEDS_KEY);
    const stale = claimsFor(sharedSession.username, { ageS: 86_400 + 3600, lifetimeS: 86_400 + 7200 });
    expect(await api.refresh(await signToken(stale, target.jwtKey!))).toBeRefusedByAuth(401, MESSAGES.refreshExpired);
  });

  test('refresh without a token is refused: 401', async ({ api }) => {
    expect(await api.refresh(undefined)).toBeRefusedByAuth(401, MESSAGES.authHeaderEmpty);
  });
});
