import { MESSAGES, missingField } from '../../core/contract.ts';
import { CreditsAvailable, RegisterOk, UsageOk } from '../../core/schemas.ts';
import { newUser, REGISTER_FIELDS, withAtUsername, withPlusEmail, without } from '../../fixtures/factories.ts';
import { expect, test } from '../../fixtures/test.ts';

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
    const res = await api.register(user);
    expect(res).toHaveStatus(200);
    expect(res.body).toMatchSchema(RegisterOk, 'the register answer');
    const u = RegisterOk.parse(res.body).response;
    // Scrubbed for real: neither the password nor a bcrypt hash (raw `$2a$` or Go's hex of it) anywhere.
    expect(res.text.includes(user.password), 'the register answer holds the password').toBe(false);
    expect(/\$2[aby]\$\d\d\$|24326[1-9]24/.test(res.text), 'the register answer holds a bcrypt hash').toBe(false);
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
    const usage = await api.usage(session.token);
    expect(usage).toHaveStatus(200);
    expect(usage.body).toMatchSchema(UsageOk, 'the usage answer');
    expect(UsageOk.parse(usage.body).response.Tier, 'tier of a new account').toBe('free');
    const credits = await api.creditsAvailable(session.token);
    expect(credits).toHaveStatus(200);
    expect(credits.body).toMatchSchema(CreditsAvailable, 'the credits answer');
    expect(CreditsAvailable.parse(credits.body).response, 'credits of a new account').toBe(0);
  });
});
