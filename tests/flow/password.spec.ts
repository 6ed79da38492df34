import {
  CreditsAvailable,
  expect,
  expectAnswer,
  login,
  MESSAGES,
  missingField,
  newPassword,
  PasswordChanged,
  test,
} from '../../fixtures/test.ts';

test.describe('password change', () => {
  test('a wrong old password is refused: 400, the error does not echo it, and the password stays', async ({ api, session }) => {
    const wrong = newPassword();
    const res = await api.changePassword(session.token, { old_password: wrong, new_password: newPassword() });
    // The contract policy fails the answer if `wrong` (or any password this worker sent) is anywhere in it.
    expect(res).toFailWith(400, MESSAGES.passwordChangeFailed);
    expect(await api.login({ username: session.username, password: session.password }), 'login with the unchanged password').toHaveStatus(
      200,
    );
  });

  for (const field of ['old_password', 'new_password'] as const) {
    test(`a form without ${field} is refused: 400 '${missingField(field)}'`, async ({ api, sharedSession }) => {
      // Whatever a broken target does with it, the account keeps its password: the other field is it.
      const form = field === 'old_password' ? { new_password: sharedSession.password } : { old_password: sharedSession.password };
      expect(await api.changePassword(sharedSession.token, form)).toFailWith(400, missingField(field));
    });
  }

  test('the change takes effect at once: the old password is refused, the new one works', async ({ api, session }) => {
    const next = newPassword();
    const res = await api.changePassword(session.token, { old_password: session.password, new_password: next });
    await expectAnswer(res, PasswordChanged, { status: 200 });
    expect(await api.login({ username: session.username, password: session.password }), 'login with the old password').toBeRefusedByAuth(
      401,
      MESSAGES.incorrectCredentials,
    );
    await login(api, { username: session.username, password: next });
  });

  test('a token issued before the change stays valid until it expires', async ({ api, session }) => {
    expect(await api.changePassword(session.token, { old_password: session.password, new_password: newPassword() })).toHaveStatus(200);
    // The credits answer with the token from before the change.
    await expectAnswer(await api.creditsAvailable(session.token), CreditsAvailable, { status: 200 });
  });
});
