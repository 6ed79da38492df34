// Upgrade is irreversible: each test upgrades its own fresh account, and only where allowed.
import {
  AccountUpgraded,
  CreditsAvailable,
  expect,
  expectAnswer,
  login,
  MESSAGES,
  skipUnlessUpgradeAllowed,
  type TemporalClient,
  test,
  UsageOk,
} from '../../fixtures/test.ts';

const tierOf = async (api: TemporalClient, token: string): Promise<string> =>
  (await expectAnswer(await api.usage(token), UsageOk, { status: 200 })).response.Tier;

test.describe('upgrade', () => {
  test.beforeEach(({ target }) => skipUnlessUpgradeAllowed(target));

  test("upgrade answers 'account upgraded' and usage moves from free to paid", async ({ api, session }) => {
    expect(await tierOf(api, session.token), 'tier before the upgrade').toBe('free');
    await expectAnswer(await api.upgrade(session.token), AccountUpgraded, { status: 200 });
    expect(await tierOf(api, session.token), 'tier after the upgrade').toBe('paid');
  });

  test('a second upgrade is refused and the account stays paid', async ({ api, session }) => {
    expect(await api.upgrade(session.token), 'the first upgrade').toHaveStatus(200);
    expect(await api.upgrade(session.token), 'the second upgrade').toFailWith(400, MESSAGES.alreadyUpgraded);
    expect(await tierOf(api, session.token), 'tier after a second upgrade').toBe('paid');
  });

  test('the upgrade cannot be undone: a new login still sees the paid tier, and credits still work', async ({ api, session }) => {
    expect(await api.upgrade(session.token)).toHaveStatus(200);
    const { token } = await login(api, session);
    expect(await tierOf(api, token), 'tier seen by a new login').toBe('paid');
    await expectAnswer(await api.creditsAvailable(token), CreditsAvailable, { status: 200 });
  });

  test('upgrade requires a token: 401 without one', async ({ api }) => {
    expect(await api.upgrade(undefined)).toBeRefusedByAuth(401, MESSAGES.authHeaderEmpty);
  });
});
