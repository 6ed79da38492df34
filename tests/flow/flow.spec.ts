// The whole flow as one story, in order: each step builds on the one before.
import { MESSAGES } from '../../core/contract.ts';
import { AccountUpgraded, CreditsAvailable, LoginOk, PasswordChanged, RegisterOk, UsageOk } from '../../core/schemas.ts';
import { judgeIssuedToken } from '../../core/jwt.ts';
import { newPassword, newUser, type Account } from '../../fixtures/factories.ts';
import { verify } from '../../fixtures/session.ts';
import { expect, skipUnlessUpgradeAllowed, test } from '../../fixtures/test.ts';

test.describe.configure({ mode: 'serial' });

test.describe('the account flow', () => {
  let account: Account;
  let token: string;
  let newPw: string;

  test('register a new account', async ({ api, target }) => {
    account = newUser(target.runId);
    const res = await api.register(account);
    expect(res).toHaveStatus(200);
    expect(res.body).toMatchSchema(RegisterOk, 'the register answer');
  });

  test('open the link mailed to the new account (latest generation)', async ({ api, target, verification }) => {
    test.skip(target.generation !== 'latest', 'the documented generation has no e-mail verification (TARGET_GENERATION=latest has)');
    await verify(api, account, verification);
  });

  test('log in: a 24 h token', async ({ api, toleranceS }) => {
    const res = await api.login({ username: account.username, password: account.password });
    expect(res).toHaveStatus(200);
    expect(res.body).toMatchSchema(LoginOk, 'the login answer');
    const body = LoginOk.parse(res.body);
    expect(judgeIssuedToken(res.headers, body, { toleranceS }).problems).toHaveNoProblems('the login token does not keep the contract');
    token = body.token;
  });

  test('change the password', async ({ api }) => {
    newPw = newPassword();
    const res = await api.changePassword(token, { old_password: account.password, new_password: newPw });
    expect(res).toHaveStatus(200);
    expect(res.body).toMatchSchema(PasswordChanged, 'the password change answer');
  });

  test('the old password is refused and the new one works', async ({ api }) => {
    expect(await api.login({ username: account.username, password: account.password }), 'login with the old password').toBeRefusedByAuth(
      401,
      MESSAGES.incorrectCredentials,
    );
    const res = await api.login({ username: account.username, password: newPw });
    expect(res, 'login with the new password').toHaveStatus(200);
    token = LoginOk.parse(res.body).token;
  });

  test('credits: a number, 0 for a new account', async ({ api }) => {
    const res = await api.creditsAvailable(token);
    expect(res).toHaveStatus(200);
    expect(res.body).toMatchSchema(CreditsAvailable, 'the credits answer');
    expect(CreditsAvailable.parse(res.body).response, 'credits of a new account').toBe(0);
  });

  test('upgrade', async ({ api, target }) => {
    skipUnlessUpgradeAllowed(target);
    const res = await api.upgrade(token);
    expect(res).toHaveStatus(200);
    expect(res.body).toMatchSchema(AccountUpgraded, 'the upgrade answer');
  });

  test('the upgrade shows in usage: tier paid', async ({ api, target }) => {
    skipUnlessUpgradeAllowed(target);
    const res = await api.usage(token);
    expect(res).toHaveStatus(200);
    expect(res.body).toMatchSchema(UsageOk, 'the usage answer');
    expect(UsageOk.parse(res.body).response.Tier, 'tier after the upgrade').toBe('paid');
  });

  test('credits still work', async ({ api }) => {
    const res = await api.creditsAvailable(token);
    expect(res).toHaveStatus(200);
    expect(res.body).toMatchSchema(CreditsAvailable, 'the credits answer');
  });
});
