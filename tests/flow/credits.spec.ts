import { CreditsAvailable, expect, expectAnswer, MESSAGES, test } from '../../fixtures/test.ts';

test.describe('credits', () => {
  test('credits are a JSON number, not negative, and 0 for a new account', async ({ api, sharedSession }) => {
    const body = await expectAnswer(await api.creditsAvailable(sharedSession.token), CreditsAvailable, { status: 200 });
    expect(body.response, 'credits of a new account').toBe(0);
  });

  test('credits require a token: 401 without one', async ({ api }) => {
    expect(await api.creditsAvailable(undefined)).toBeRefusedByAuth(401, MESSAGES.authHeaderEmpty);
  });
});
