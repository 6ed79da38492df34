import { setTimeout as sleep } from 'node:timers/promises';
import { MESSAGES } from '../../core/contract.ts';
import { decodeToken, judgeIssuedToken } from '../../core/jwt.ts';
import { LoginOk } from '../../core/schemas.ts';
import { claimsFor, expect, expectAnswer, signToken, test } from '../../fixtures/test.ts';

const NEEDS_KEY =
  "forging a validly signed token with an old login time needs the target's key: set TARGET_JWT_KEY (the bundled target has one)";

test.describe('refresh', () => {
  test('refresh keeps the original login time: orig_iat does not move (no key needed)', async ({ api, sharedAccount, toleranceS }) => {
    const login = await expectAnswer(await api.login({ username: sharedAccount.username, password: sharedAccount.password }), LoginOk, {
      status: 200,
    });
    const origIat = decodeToken(login.token)?.claims.orig_iat;
    expect(typeof origIat, "the login token's orig_iat").toBe('number');
    // orig_iat is whole seconds: a refresh in the login's own second could not show a reset. A second
    // on our clock is a second on the server's, whatever their offset.
    await sleep(1100);
    const res = await api.refresh(login.token);
    const body = await expectAnswer(res, LoginOk, { status: 200 });
    expect(decodeToken(body.token)?.claims.id, "the refreshed token's id").toBe(sharedAccount.username);
    // orig_iat kept, exp = expire, 24 h from the server's clock, HS256: one judge for login and refresh.
    expect(judgeIssuedToken(res.headers, body, { toleranceS, origIatS: origIat as number }).problems).toHaveNoProblems(
      'the refreshed token does not keep the contract',
    );
  });

  test('a refresh an hour after login still keeps the original login time', async ({ api, sharedSession, target, toleranceS }) => {
    test.skip(!target.jwtKey, NEEDS_KEY);
    // A token from a login an hour ago: a refresh that resets orig_iat shows by a whole hour.
    const old = claimsFor(sharedSession.username, { ageS: 3600 });
    const res = await api.refresh(await signToken(old, target.jwtKey!));
    const body = await expectAnswer(res, LoginOk, { status: 200 });
    expect(decodeToken(body.token)?.claims.id, "the refreshed token's id").toBe(sharedSession.username);
    expect(judgeIssuedToken(res.headers, body, { toleranceS, origIatS: old.orig_iat }).problems).toHaveNoProblems(
      'the refreshed token does not keep the contract',
    );
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
