// The whole flow as one story, in order: each step builds on the one before, so it is one test with
// steps (a failed step ends the story and the report names it), not serial tests sharing variables.
import {
  AccountUpgraded,
  CreditsAvailable,
  expect,
  expectAnswer,
  judgeIssuedToken,
  LoginOk,
  MESSAGES,
  newPassword,
  newUser,
  PasswordChanged,
  RegisterOk,
  test,
  UsageOk,
  verify,
  whyNoUpgrade,
} from '../../fixtures/test.ts';

test('the account flow: register, log in, change the password, read credits, upgrade', async ({
  api,
  target,
  verification,
  toleranceS,
}) => {
  const account = newUser(target.runId);
  await test.step('register a new account', async () => {
    await expectAnswer(await api.register(account), RegisterOk, { status: 200 });
  });

  await test.step('open the link mailed to the new account (latest generation)', async (step) => {
    step.skip(target.generation !== 'latest', 'the documented generation has no e-mail verification (TARGET_GENERATION=latest has)');
    await verify(api, account, verification);
  });

  let token = await test.step('log in: a 24 h token', async () => {
    const res = await api.login({ username: account.username, password: account.password });
    const body = await expectAnswer(res, LoginOk, { status: 200 });
    expect(judgeIssuedToken(res.headers, body, { toleranceS }).problems).toHaveNoProblems('the login token does not keep the contract');
    return body.token;
  });

  const newPw = newPassword();
  await test.step('change the password', async () => {
    const res = await api.changePassword(token, { old_password: account.password, new_password: newPw });
    await expectAnswer(res, PasswordChanged, { status: 200 });
  });

  token = await test.step('the old password is refused and the new one works', async () => {
    const old = await api.login({ username: account.username, password: account.password });
    expect(old, 'login with the old password').toBeRefusedByAuth(401, MESSAGES.incorrectCredentials);
    return (await expectAnswer(await api.login({ username: account.username, password: newPw }), LoginOk, { status: 200 })).token;
  });

  await test.step('credits: a number, 0 for a new account', async () => {
    const body = await expectAnswer(await api.creditsAvailable(token), CreditsAvailable, { status: 200 });
    expect(body.response, 'credits of a new account').toBe(0);
  });

  await test.step('upgrade', async (step) => {
    step.skip(!target.upgradeAllowed, whyNoUpgrade(target));
    await expectAnswer(await api.upgrade(token), AccountUpgraded, { status: 200 });
  });

  await test.step('the upgrade shows in usage: tier paid', async (step) => {
    step.skip(!target.upgradeAllowed, whyNoUpgrade(target));
    const body = await expectAnswer(await api.usage(token), UsageOk, { status: 200 });
    expect(body.response.Tier, 'tier after the upgrade').toBe('paid');
  });

  await test.step('credits still work', async () => {
    await expectAnswer(await api.creditsAvailable(token), CreditsAvailable, { status: 200 });
  });
});
