import {
  API_PATHS,
  decodeToken,
  expect,
  expectAnswer,
  judgeIssuedToken,
  LoginOk,
  MESSAGES,
  newPassword,
  newUser,
  test,
  TOKEN_ALGORITHM,
} from '../../fixtures/test.ts';

test.describe('login', () => {
  test('a right password gives a 24 h HS256 token whose exp equals expire', async ({ api, sharedAccount, toleranceS }) => {
    const res = await api.login({ username: sharedAccount.username, password: sharedAccount.password });
    const body = await expectAnswer(res, LoginOk, { status: 200 });
    expect(body.token.split('.').length, 'parts of the token').toBe(3);
    const decoded = decodeToken(body.token);
    expect(decoded?.header.alg, 'the token algorithm').toBe(TOKEN_ALGORITHM);
    expect(decoded?.claims.id, "the token's id claim").toBe(sharedAccount.username);
    expect(judgeIssuedToken(res.headers, body, { toleranceS }).problems).toHaveNoProblems(
      `the token does not keep the contract (tolerance ${toleranceS}s)`,
    );
  });

  test("the e-mail address logs in too, and the token's id is still the username", async ({ api, sharedAccount }) => {
    const res = await api.login({ username: sharedAccount.email_address, password: sharedAccount.password });
    const { token } = await expectAnswer(res, LoginOk, { status: 200 });
    expect(decodeToken(token)?.claims.id, "the token's id claim").toBe(sharedAccount.username);
  });

  test('a wrong password is refused: 401', async ({ api, sharedAccount }) => {
    const res = await api.login({ username: sharedAccount.username, password: newPassword() });
    expect(res).toBeRefusedByAuth(401, MESSAGES.incorrectCredentials);
  });

  test('an unknown user is refused: 401', async ({ api, target }) => {
    const nobody = newUser(target.runId);
    const res = await api.login({ username: nobody.username, password: nobody.password });
    expect(res).toBeRefusedByAuth(401, MESSAGES.incorrectCredentials);
  });

  const incomplete = {
    'no username': { password: 'x-password' },
    'no password': { username: 'x-user' },
    'an empty username': { username: '', password: 'x-password' },
    'an empty password': { username: 'x-user', password: '' },
    'neither field': {},
  };
  for (const [name, form] of Object.entries(incomplete)) {
    test(`a login with ${name} is refused: 400 '${MESSAGES.missingCredentials}'`, async ({ api }) => {
      expect(await api.login(form)).toBeRefusedByAuth(400, MESSAGES.missingCredentials);
    });
  }

  test('a body that is not JSON is refused: 400', async ({ api }) => {
    const res = await api.raw('POST', API_PATHS.login, {
      body: { kind: 'text', contentType: 'text/plain;charset=UTF-8', data: 'username=x&password=y' },
    });
    expect(res).toBeRefusedByAuth(400, MESSAGES.missingCredentials);
  });
});
