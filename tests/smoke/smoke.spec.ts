// Safe against production: one existing account (SMOKE_USERNAME), read-only calls, no new accounts.
import {
  CreditsAvailable,
  expect,
  expectAnswer,
  judgeIssuedToken,
  LoginOk,
  MESSAGES,
  test,
  TokenUsername,
  UsageOk,
} from '../../fixtures/test.ts';

test.describe('smoke', () => {
  test.skip(
    ({ target }) => !target.smoke && !target.local,
    'smoke needs SMOKE_USERNAME and SMOKE_PASSWORD against a non-local target (it never creates accounts there)',
  );

  test('login gives a 24 h HS256 token whose exp equals expire', async ({ api, smokeAccount, toleranceS }) => {
    const res = await api.login({ username: smokeAccount!.username, password: smokeAccount!.password });
    const body = await expectAnswer(res, LoginOk, { status: 200 });
    expect(judgeIssuedToken(res.headers, body, { toleranceS }).problems).toHaveNoProblems('the login token does not keep the contract');
  });

  test('the token is accepted and names the account', async ({ api, smokeSession }) => {
    const body = await expectAnswer(await api.tokenUsername(smokeSession.token), TokenUsername, { status: 200 });
    expect(body.response, 'the account the token names').toBe(smokeSession.username);
  });

  test('credits are a JSON number, not negative', async ({ api, smokeSession }) => {
    await expectAnswer(await api.creditsAvailable(smokeSession.token), CreditsAvailable, { status: 200 });
  });

  test("usage answers the account's usage row", async ({ api, smokeSession }) => {
    const body = await expectAnswer(await api.usage(smokeSession.token), UsageOk, { status: 200 });
    expect(body.response.UserName, 'the usage row is for').toBe(smokeSession.username);
  });

  test('credits without a token are refused: 401', async ({ api }) => {
    expect(await api.creditsAvailable(undefined)).toBeRefusedByAuth(401, MESSAGES.authHeaderEmpty);
  });
});
