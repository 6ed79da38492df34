// The latest generation's e-mail verification (TARGET_GENERATION=latest): a new account cannot log in
// until the link mailed to it is opened; that link, its host swapped for the target's, verifies it, and
// opening it again breaks nothing; a tampered link or one made for another account is refused. The
// contract fixes the status of a refusal, not its words (the real server passes its JWT library's text
// through): the reason must be there, and another wording than the real server's is drift, not failure.
import {
  type Account,
  bodyExcerpt,
  claimsFor,
  EmailVerified,
  expect,
  expectAnswer,
  JWT_SHAPE,
  linkToken,
  login,
  MESSAGES,
  newUser,
  register,
  RegisterOk,
  rememberSecret,
  signToken,
  tamperSignature,
  type TemporalClient,
  test,
  UsageOk,
  type Verification,
  verificationLink,
  type VerificationLink,
  verifyUserMismatch,
} from '../../fixtures/test.ts';

/** Registers a fresh account without verifying it, and reads the link mailed to it. */
async function unverified(api: TemporalClient, runId: string, v: Verification): Promise<{ account: Account; mailed: VerificationLink }> {
  const account = newUser(runId);
  await register(api, account);
  expect(v.inbox, 'an inbox to read the verification mail from (MAIL_INBOX_URL)').toBeDefined();
  const mail = await v.inbox!.waitForMail({ address: account.email_address, username: account.username }, { timeoutMs: v.waitMs });
  const mailed = verificationLink(mail);
  // The link's token is a secret: whatever the tests print is scrubbed of it.
  if (mailed) rememberSecret(linkToken(mailed));
  expect(mailed, `a verification link in the mail to ${account.email_address} ('${bodyExcerpt(mail.subject, 100)}')`).toBeDefined();
  return { account, mailed: mailed! };
}

test.describe('e-mail verification', () => {
  test.skip(
    ({ target }) => target.generation !== 'latest',
    'the documented generation has no e-mail verification (TARGET_GENERATION=latest has)',
  );

  test('a new account is unverified: login is refused as for a wrong password (401), and a valid token for it gets 403', async ({
    api,
    target,
  }) => {
    const account = newUser(target.runId);
    const { response: user } = await expectAnswer(await api.register(account), RegisterOk, { status: 200 });
    expect(user.EmailEnabled, 'EmailEnabled of a new account').toBe(false);
    expect(
      await api.login({ username: account.username, password: account.password }),
      'login before the link is opened',
    ).toBeRefusedByAuth(401, MESSAGES.incorrectCredentials);
    test.skip(!target.jwtKey, "a valid token for an account that cannot log in can only be forged with the target's key (TARGET_JWT_KEY)");
    // Its usage row (tier unverified) stays unreadable: the authorizator refuses unverified accounts.
    const token = await signToken(claimsFor(account.username), target.jwtKey!);
    expect(await api.usage(token), 'usage with a token of the unverified account').toBeRefusedByAuth(403, MESSAGES.forbidden);
    expect(await api.creditsAvailable(token), 'credits with a token of the unverified account').toBeRefusedByAuth(403, MESSAGES.forbidden);
  });

  test("the mailed link names the account; its host swapped for the target's, it verifies the account: tier free, login works", async ({
    api,
    target,
    verification,
  }) => {
    const { account, mailed } = await unverified(api, target.runId, verification);
    // The server writes its own host into the link (production's, or dev's), whatever host was called.
    // (Booleans: a failed toMatch would print the link, and its token with it.)
    expect(/^https?:\/\/[^/]+\//.test(mailed.link), 'the mailed link is absolute').toBe(true);
    const [user, linkToken] = mailed.path.split('/').slice(-2);
    expect(user, 'the account the link names').toBe(account.username);
    expect(JWT_SHAPE.test(linkToken ?? ''), 'the token in the link is a JWT').toBe(true);
    await expectAnswer(await api.verifyEmail(mailed.link), EmailVerified, { status: 200 });
    const { token } = await login(api, account, target.generation);
    const usage = await expectAnswer(await api.usage(token), UsageOk, { status: 200 });
    expect(usage.response.Tier, 'tier once verified').toBe('free');
  });

  test('the mailed link opened twice (a user clicking twice, a mail scanner first): the second answer is 200 or a 4xx that says why, and the account stays verified', async ({
    api,
    target,
    verification,
  }) => {
    const { account, mailed } = await unverified(api, target.runId, verification);
    await expectAnswer(await api.verifyEmail(mailed.link), EmailVerified, { status: 200 });
    const again = await api.verifyEmail(mailed.link);
    if (again.status === 200) await expectAnswer(again, EmailVerified, { status: 200 });
    else {
      expect(again.status >= 400 && again.status < 500, `the second open answered ${again.status}, expected 200 or a 4xx`).toBe(true);
      expect(again, 'the second open of the link').toFailWith(again.status, {});
    }
    const { token } = await login(api, account, target.generation);
    const usage = await expectAnswer(await api.usage(token), UsageOk, { status: 200 });
    expect(usage.response.Tier, 'tier after the link was opened twice').toBe('free');
  });

  test('a tampered link is refused: 400 with a reason, and the account stays unverified', async ({ api, target, verification }) => {
    const { account, mailed } = await unverified(api, target.runId, verification);
    const token = mailed.path.split('/').at(-1)!;
    const tampered = `${mailed.path.slice(0, -token.length)}${tamperSignature(token)}`;
    expect(await api.verifyEmail(tampered), 'the tampered link').toFailWith(400, { usual: MESSAGES.signatureInvalid });
    expect(await api.login({ username: account.username, password: account.password }), 'login after the tampered link').toBeRefusedByAuth(
      401,
      MESSAGES.incorrectCredentials,
    );
  });

  test("another account's link is refused: 400 with a reason, and it verifies neither account", async ({ api, target, verification }) => {
    const mine = await unverified(api, target.runId, verification);
    const theirs = await unverified(api, target.runId, verification);
    const base = mine.mailed.path.split('/').slice(0, -2).join('/');
    const foreign = `${base}/${mine.account.username}/${theirs.mailed.path.split('/').at(-1)}`;
    expect(await api.verifyEmail(foreign), "my path with the other account's token").toFailWith(400, {
      usual: verifyUserMismatch(mine.account.username),
    });
    for (const a of [mine.account, theirs.account])
      expect(
        await api.login({ username: a.username, password: a.password }),
        `login of ${a.username} after the foreign link`,
      ).toBeRefusedByAuth(401, MESSAGES.incorrectCredentials);
  });
});
