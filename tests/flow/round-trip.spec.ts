// Round trips: what a user types as a password or a username either registers and then logs in exactly
// as typed, or is refused at register with a 400 that says why. Registered the way the documented client
// does (FormData: multipart/form-data), verified by its mail on a latest target, then logged in by JSON
// as the documented client sends it (text/plain) and as any other client does (application/json). One
// test per kind of text that has broken this server or its libraries: HTML entities (unescaped on one
// side only), markup and `; = & + %` (a request filter that rewrites or drops them), line breaks and
// other control characters, non-ASCII text in both Unicode normal forms, spaces around it, bcrypt's 72
// bytes exactly and past them, and nothing at all. A password must also refuse its near miss (the last
// character changed): a server that cuts it short takes both.
import {
  type Account,
  API_PATHS,
  decodeToken,
  expect,
  expectAnswer,
  LoginOk,
  MESSAGES,
  missingField,
  newPassword,
  newUser,
  RegisterOk,
  rememberPassword,
  type TemporalClient,
  test,
  type Verification,
  verify,
} from '../../fixtures/test.ts';

/** A kind of typed text: what it is called, and the text put into a plain password or username. */
interface Case {
  name: string;
  /** The typed value, from the plain one the fixtures make. */
  typed: (plain: string) => string;
}

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');
/** `plain` padded with `x` to exactly `n` bytes. */
const toBytes = (plain: string, n: number) => plain + 'x'.repeat(n - bytes(plain));

// What both fields are tested with.
const TEXT: Case[] = [
  { name: 'an HTML entity (&amp;)', typed: (p) => `${p}&amp;Co` },
  { name: 'markup (<b>…</b>)', typed: (p) => `${p}<b>bold</b>` },
  { name: 'the separators ; = & + %', typed: (p) => `${p};a=b&c+d%20e%` },
  { name: 'a line break (CR LF)', typed: (p) => `${p}\r\nnext` },
  { name: 'control characters (TAB, U+0001, DEL)', typed: (p) => `${p}\ttab\u0001\u007f` },
  { name: 'non-ASCII text in composed form (NFC: é, €, 😀)', typed: (p) => `${p}Café-€-😀`.normalize('NFC') },
  { name: 'non-ASCII text in decomposed form (NFD: e + U+0301)', typed: (p) => `${p}Café`.normalize('NFD') },
  { name: 'spaces before and after it', typed: (p) => `  ${p}  ` },
];
// bcrypt reads 72 bytes: a password of exactly 72 is whole, one byte more is where a silent cut shows.
const PASSWORD_ONLY: Case[] = [
  { name: 'exactly 72 bytes', typed: (p) => toBytes(p, 72) },
  { name: '73 bytes (one past what bcrypt reads)', typed: (p) => toBytes(p, 73) },
];

/** The same password with its last character changed: a near miss that must not log in. */
const nearMiss = (password: string): string => {
  const chars = [...password];
  chars[chars.length - 1] = chars.at(-1) === 'y' ? 'z' : 'y';
  return chars.join('');
};

/** Logs in by JSON, as `how` sends it; returns the answer. */
const logIn = (api: TemporalClient, username: string, password: string, how: 'text/plain' | 'application/json') =>
  how === 'text/plain'
    ? api.login({ username, password })
    : api.raw('POST', API_PATHS.login, {
        body: { kind: 'text', contentType: 'application/json', data: JSON.stringify({ username, password }) },
      });

/**
 * Registers `account` as the documented client does. A 400 with a reason ends the round trip as the
 * contract allows (the server refuses what it cannot keep, and says so): returns false. Otherwise the
 * answer must be the registered account, as typed, verified by its mail on a latest target.
 */
async function registered(api: TemporalClient, account: Account, v: Verification): Promise<boolean> {
  const res = await test.step('register it as the documented client does (multipart/form-data)', () => api.register(account));
  if (res.status === 400) {
    expect(res, 'refused at register').toFailWith(400, {});
    test.info().annotations.push({ type: 'refused at register', description: String((res.body as { response?: unknown }).response) });
    return false;
  }
  const { response: user } = await expectAnswer(res, RegisterOk, { status: 200 });
  expect(user.UserName, 'the username register answered with (it must be exactly as typed)').toBe(account.username);
  await test.step('open the link mailed to it (latest generation)', () => verify(api, account, v));
  return true;
}

/** Logs in as typed, both JSON ways: each gives a token for exactly this username. */
async function logsInAsTyped(api: TemporalClient, account: Account): Promise<void> {
  for (const how of ['text/plain', 'application/json'] as const)
    await test.step(`log in as typed, by JSON sent as ${how}`, async () => {
      const { token } = await expectAnswer(await logIn(api, account.username, account.password, how), LoginOk, { status: 200 });
      expect(decodeToken(token)?.claims.id, "the token's id (it must be the username exactly as typed)").toBe(account.username);
    });
}

test.describe('round trips: what is typed is what logs in', () => {
  for (const c of [...TEXT, ...PASSWORD_ONLY])
    test(`a password with ${c.name} logs in exactly as typed, or is refused at register saying why`, async ({
      api,
      target,
      verification,
    }) => {
      const account = { ...newUser(target.runId), password: c.typed(newPassword()) };
      rememberPassword(account.password);
      if (!(await registered(api, account, verification))) return;
      await logsInAsTyped(api, account);
      await test.step('a near miss (the last character changed) is refused', async () => {
        const miss = nearMiss(account.password);
        rememberPassword(miss);
        expect(await logIn(api, account.username, miss, 'text/plain'), 'login with the near miss').toBeRefusedByAuth(
          401,
          MESSAGES.incorrectCredentials,
        );
      });
    });

  for (const c of TEXT)
    test(`a username with ${c.name} comes back and logs in exactly as typed, or is refused at register saying why`, async ({
      api,
      target,
      verification,
    }) => {
      const plain = newUser(target.runId);
      // The e-mail address stays plain: this is about the username.
      const account = { ...plain, username: c.typed(plain.username) };
      if (!(await registered(api, account, verification))) return;
      await logsInAsTyped(api, account);
    });

  for (const field of ['password', 'username'] as const)
    test(`an empty ${field} is refused at register: 400 '${missingField(field)}'`, async ({ api, target }) => {
      const res = await api.register({ ...newUser(target.runId), [field]: '' });
      expect(res).toFailWith(400, missingField(field));
    });
});
