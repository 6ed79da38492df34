// The whole flow as one story, in order: each step builds on the one before.
import { MESSAGES } from '../../core/contract.ts';
import { AccountUpgraded, CreditsAvailable, LoginOk, PasswordChanged, RegisterOk, UsageOk } from '../../core/schemas.ts';
import { judgeIssuedToken } from '../../core/jwt.ts';
import { newPassword, newUser, type Account } from '../../fixtures/factories.ts';
import { verify } from '../../fixtures/session.ts';
import { expect, expectAnswer, skipUnlessUpgradeAllowed, test } from '../../fixtures/test.ts';

test.describe.configure({ mode: 'serial' });

test.describe('the account flow', () => {
  let account: Account;
  let token: string;
  let newPw: string;

  test('register a new account', async ({ api, target }) => {
    account = newUser(target.runId);
    await expectAnswer(await api.register(account), RegisterOk, { status: 200 });
  });

  test('open the link mailed to the new account (latest generation)', async ({ api, target, verification }) => {
    test.skip(target.generation !== 'latest', 'the documented generation has no e-mail verification (TARGET_GENERATION=latest has)');
    await verify(api, account, verification);
  });

  test('log in: a 24 h token', async ({ api, toleranceS }) => {
    const res = await api.login({ username: account.username, password: account.password });
    const body = await expectAnswer(res, LoginOk, { status: 200 });
    expect(judgeIssuedToken(res.headers, body, { toleranceS }).problems).toHaveNoProblems('the login token does not keep the contract');
    token = body.token;
  });

  test('change the password', async ({ api }) => {
    newPw = newPassword();
    await expectAnswer(await api.changePassword(token, { old_password: account.password, new_password: newPw }), PasswordChanged, {
      status: 200,
    });
  });

  test('the old password is refused and the new one works', async ({ api }) => {
    expect(await api.login({ username: account.username, password: account.password }), 'login with the old password').toBeRefusedByAuth(
      401,
      MESSAGES.incorrectCredentials,
    );
    ({ token } = await expectAnswer(await api.login({ username: account.username, password: newPw }), LoginOk, { status: 200 }));
  });

  test('credits: a number, 0 for a new account', async ({ api }) => {
    const body = await expectAnswer(await api.creditsAvailable(token), CreditsAvailable, { status: 200 });
    expect(body.response, 'credits of a new account').toBe(0);
  });

  test('upgrade', async ({ api, target }) => {
    skipUnlessUpgradeAllowed(target);
    await expectAnswer(await api.upgrade(token), AccountUpgraded, { status: 200 });
  });

  test('the upgrade shows in usage: tier paid', async ({ api, target }) => {
    skipUnlessUpgradeAllowed(target);
    const body = await expectAnswer(await api.usage(token), UsageOk, { status: 200 });
    expect(body.response.Tier, 'tier after the upgrade').toBe('paid');
  });

  test('credits still work', async ({ api }) => {
    await expectAnswer(await api.creditsAvailable(token), CreditsAvailable, { status: 200 });
  });
});
