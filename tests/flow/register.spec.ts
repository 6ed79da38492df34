import {
  CreditsAvailable,
  expect,
  expectAnswer,
  MESSAGES,
  missingField,
  newUser,
  REGISTER_FIELDS,
  RegisterOk,
  test,
  UsageOk,
  withAtUsername,
  without,
  withPlusEmail,
} from '../../fixtures/test.ts';

test.describe('register', () => {
  for (const field of REGISTER_FIELDS) {
    test(`a form without ${field} is refused: 400 '${missingField(field)}'`, async ({ api, target }) => {
      const res = await api.register(without(newUser(target.runId), field));
      expect(res).toFailWith(400, missingField(field));
    });
  }

  test('an e-mail address with a + sign is refused', async ({ api, target }) => {
    const res = await api.register(withPlusEmail(newUser(target.runId)));
    expect(res).toFailWith(400, MESSAGES.emailHasPlus);
  });

  test('a username with an @ sign is refused', async ({ api, target }) => {
    const res = await api.register(withAtUsername(newUser(target.runId)));
    expect(res).toFailWith(400, MESSAGES.usernameHasAt);
  });

  test('a username that is already taken is refused', async ({ api, target, newAccount }) => {
    const res = await api.register({ ...newUser(target.runId), username: newAccount.username });
    expect(res).toFailWith(400, MESSAGES.usernameTaken);
  });

  test('an e-mail address that is already taken is refused', async ({ api, target, newAccount }) => {
    const res = await api.register({ ...newUser(target.runId), email_address: newAccount.email_address });
    expect(res).toFailWith(400, MESSAGES.emailTaken);
  });

  test('a new account comes back with its secrets scrubbed, its defaults and well-formed fields', async ({ api, target }) => {
    const user = newUser(target.runId);
    // The contract policy also looks through the whole body for the password and for a bcrypt hash
    // (raw `$2a$10$…` or Go's hex of it), whatever field it hides in.
    const { response: u } = await expectAnswer(await api.register(user), RegisterOk, { status: 200 });
    expect({ UserName: u.UserName, EmailAddress: u.EmailAddress }, 'the account as registered').toEqual({
      UserName: user.username,
      EmailAddress: user.email_address,
    });
    expect(
      {
        AccountEnabled: u.AccountEnabled,
        EmailEnabled: u.EmailEnabled,
        AdminAccess: u.AdminAccess,
        Free: u.Free,
        Credits: u.Credits,
        DeletedAt: u.DeletedAt,
      },
      'the defaults of a new account',
    ).toEqual({ AccountEnabled: true, EmailEnabled: false, AdminAccess: false, Free: true, Credits: 0, DeletedAt: null });
    expect(Number.isSafeInteger(u.ID) && u.ID > 0, `ID ${u.ID} is a positive integer`).toBe(true);
    expect(Date.parse(u.UpdatedAt) >= Date.parse(u.CreatedAt), `UpdatedAt (${u.UpdatedAt}) is not before CreatedAt (${u.CreatedAt})`).toBe(
      true,
    );
  });

  test('a new account is on the free tier with 0 credits', async ({ api, session }) => {
    const usage = await expectAnswer(await api.usage(session.token), UsageOk, { status: 200 });
    expect(usage.response.Tier, 'tier of a new account').toBe('free');
    const credits = await expectAnswer(await api.creditsAvailable(session.token), CreditsAvailable, { status: 200 });
    expect(credits.response, 'credits of a new account').toBe(0);
  });
});
