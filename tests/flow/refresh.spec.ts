import { MESSAGES } from '../../core/contract.ts';
import { decodeToken, judgeIssuedToken } from '../../core/jwt.ts';
import { LoginOk } from '../../core/schemas.ts';
import { claimsFor, signToken } from '../../fixtures/forge.ts';
import { expect, test } from '../../fixtures/test.ts';

const NEEDS_KEY =
  "forging a validly signed token with an old login time needs the target's key: set TARGET_JWT_KEY (the bundled target has one)";

test.describe('refresh', () => {
  test('refresh gives a new token for 24 h from now and keeps the original login time', async ({
    api,
    sharedSession,
    target,
    toleranceS,
  }) => {
    test.skip(!target.jwtKey, NEEDS_KEY);
    // A token from a login an hour ago: a refresh that resets orig_iat shows at once.
    const old = claimsFor(sharedSession.username, { ageS: 3600 });
    const res = await api.refresh(await signToken(old, target.jwtKey!));
    expect(res).toHaveStatus(200);
    expect(res.body).toMatchSchema(LoginOk, 'the refresh answer');
    const body = LoginOk.parse(res.body);
    expect(decodeToken(body.token)?.claims.id, "the refreshed token's id").toBe(sharedSession.username);
    // orig_iat kept, exp = expire, 24 h from the server's clock, HS256: one judge for login and refresh.
    expect(judgeIssuedToken(res.headers, body, { toleranceS, origIatS: old.orig_iat }).problems).toHaveNoProblems(
      'the refreshed token does not keep the contract',
    );
  });

  test('refresh is refused once the original login is more than 24 h old', async ({ api, sharedSession, target }) => {
    test.skip(!target.jwtKey, NEEDS_KEY);
    const stale = claimsFor(sharedSession.username, { ageS: 86_400 + 3600, lifetimeS: 86_400 + 7200 });
    expect(await api.refresh(await signToken(stale, target.jwtKey!))).toBeRefusedByAuth(401, MESSAGES.tokenExpired);
  });

  test('refresh of a fresh login token answers a token for the same account', async ({ api, sharedSession }) => {
    const res = await api.refresh(sharedSession.token);
    expect(res).toHaveStatus(200);
    expect(res.body).toMatchSchema(LoginOk, 'the refresh answer');
    const before = decodeToken(sharedSession.token)?.claims;
    const after = decodeToken(LoginOk.parse(res.body).token)?.claims;
    expect(after?.id, "the refreshed token's id").toBe(sharedSession.username);
    expect(after?.orig_iat, "the refreshed token's orig_iat (the original login time)").toBe(before?.orig_iat);
  });

  test('refresh without a token is refused: 401', async ({ api }) => {
    expect(await api.refresh(undefined)).toBeRefusedByAuth(401, MESSAGES.authHeaderEmpty);
  });
});
