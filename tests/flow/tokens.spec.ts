import {
  type Auth,
  claimsFor,
  expect,
  expectAnswer,
  foreignToken,
  MESSAGES,
  type Session,
  signToken,
  tamperClaims,
  tamperSignature,
  test,
  TokenUsername,
  unsignedToken,
  type UsualWording,
} from '../../fixtures/test.ts';

interface BadToken {
  name: string;
  /** The contract's text exactly, or (`{ usual }`) the JWT library's words, which the contract does not fix. */
  message: string | UsualWording;
  /** Also sent to refresh (not: no token, which refresh.spec covers; an expired one, which refresh takes by design within MaxRefresh). */
  refresh?: boolean;
  /** Forged with the target's key (TARGET_JWT_KEY): skipped where the key is not known. */
  needsKey?: boolean;
  /** The Authorization to send; `key` is the target's, when the token needs it. */
  make(s: Session, key: string): Promise<Auth> | Auth;
}

const NEEDS_KEY = "forging a validly signed expired token needs the target's key: set TARGET_JWT_KEY (the bundled target has one)";

const BAD_TOKENS: BadToken[] = [
  { name: 'no token', message: MESSAGES.authHeaderEmpty, make: () => undefined },
  { name: 'another scheme (Basic)', message: MESSAGES.invalidAuthHeader, refresh: true, make: () => ({ header: 'Basic aHg6aHg=' }) },
  { name: 'a garbage token', message: { usual: MESSAGES.malformedToken }, refresh: true, make: () => 'not-a-token' },
  {
    name: 'a token with a tampered signature',
    message: { usual: MESSAGES.signatureInvalid },
    refresh: true,
    make: (s) => tamperSignature(s.token),
  },
  {
    name: "a token whose claims were changed (another user's id)",
    message: { usual: MESSAGES.signatureInvalid },
    refresh: true,
    make: (s) => tamperClaims(s.token, `${s.username}-other`),
  },
  {
    name: 'an unsigned token (alg: none)',
    message: MESSAGES.invalidSigningAlgorithm,
    refresh: true,
    make: (s) => unsignedToken(claimsFor(s.username)),
  },
  {
    name: 'a token signed with another key (another realm)',
    message: { usual: MESSAGES.signatureInvalid },
    refresh: true,
    make: (s) => foreignToken(claimsFor(s.username)),
  },
  {
    name: 'an expired token, validly signed',
    message: { usual: MESSAGES.tokenExpired },
    needsKey: true,
    make: (s, key) => signToken(claimsFor(s.username, { ageS: 2 * 86_400 }), key),
  },
];

test.describe('tokens', () => {
  test('a fresh login token is accepted and names its account', async ({ api, sharedSession }) => {
    const body = await expectAnswer(await api.tokenUsername(sharedSession.token), TokenUsername, { status: 200 });
    expect(body.response, 'the account the token names').toBe(sharedSession.username);
  });

  for (const bad of BAD_TOKENS) {
    test(`credits refuse ${bad.name}: 401`, async ({ api, sharedSession, target }) => {
      test.skip(bad.needsKey === true && !target.jwtKey, NEEDS_KEY);
      const auth = await bad.make(sharedSession, target.jwtKey ?? '');
      expect(await api.creditsAvailable(auth)).toBeRefusedByAuth(401, bad.message);
    });

    test(`password change refuses ${bad.name}: 401`, async ({ api, sharedSession, target }) => {
      test.skip(bad.needsKey === true && !target.jwtKey, NEEDS_KEY);
      const auth = await bad.make(sharedSession, target.jwtKey ?? '');
      // The same password as old and new: even if a broken target accepted the token, nothing changes.
      const form = { old_password: sharedSession.password, new_password: sharedSession.password };
      expect(await api.changePassword(auth, form)).toBeRefusedByAuth(401, bad.message);
    });

    // Refresh signs a new token for the id in the one it is given: accepting a token it did not
    // sign would let anyone mint a token for any account.
    if (bad.refresh)
      test(`refresh refuses ${bad.name}: 401`, async ({ api, sharedSession, target }) => {
        test.skip(bad.needsKey === true && !target.jwtKey, NEEDS_KEY);
        const auth = await bad.make(sharedSession, target.jwtKey ?? '');
        expect(await api.refresh(auth)).toBeRefusedByAuth(401, bad.message);
      });
  }
});
