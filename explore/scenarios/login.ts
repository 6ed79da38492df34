// Login bodies a client may send: fields missing, empty or of another JSON type, a body that is not
// JSON, real form fields instead of JSON, in each encoding; by username or e-mail address, with the
// right password, a wrong one, or for nobody. The contract predicts each answer: 200 with a token,
// 401 'Incorrect Username / Password', or 400 'Missing Username or Password'.
import fc from 'fast-check';
import { API_PATHS, MESSAGES } from '../../core/contract.ts';
import { AuthError, LoginOk } from '../../core/schemas.ts';
import { StepFailed } from '../properties.ts';
import { choice, choiceClass, overDefaults, type Scenario, withoutDefaults } from '../scenario.ts';
import { ENCODING_WORDS, JSON_ENCODINGS, type JsonEncoding, postForm, postJson } from './forms.ts';
import { plainSession } from './steps.ts';
import { decodeToken } from '../../core/jwt.ts';

const VALUES = ['right', 'wrong', 'empty', 'missing', 'number', 'null', 'array'] as const;
type Value = (typeof VALUES)[number];
const BODIES = ['json', 'not-json', 'urlencoded-form', 'multipart-form'] as const;

export interface LoginInput {
  body: (typeof BODIES)[number];
  encoding: JsonEncoding;
  /** Who logs in: the account by username or by e-mail address, or a name nobody has. */
  who: 'username' | 'email' | 'nobody';
  /** The username field: as `who` says (`right`), or broken. */
  usernameIs: Exclude<Value, 'wrong'>;
  passwordIs: Value;
  /** An extra field the contract does not know. */
  extra: boolean;
}

const DEFAULTS: LoginInput = { body: 'json', encoding: 'text', who: 'username', usernameIs: 'right', passwordIs: 'right', extra: false };

const jsonValue = (v: Value, right: string, wrong: string): unknown =>
  ({ right, wrong, empty: '', missing: undefined, number: 12345, null: null, array: [right] })[v];

export const login: Scenario<LoginInput> = {
  name: 'login',
  about: 'login bodies: missing, empty and mistyped fields, bodies that are not JSON, form fields instead of JSON, four encodings',
  weight: 1,
  arbitrary: () =>
    fc.record({
      body: choice(...BODIES),
      encoding: choice(...JSON_ENCODINGS),
      who: choice('username', 'email', 'nobody'),
      usernameIs: choice('right', 'empty', 'missing', 'number', 'null', 'array'),
      passwordIs: choice(...VALUES),
      extra: fc.boolean(),
    }),
  async run(i, w) {
    // One account for every login of the run: login does not change it.
    const a = await w.memo('plain session', () => plainSession(w));
    const name = i.who === 'email' ? a.email : i.who === 'username' ? a.username : `${w.newName()}-nobody`;
    const fields: Record<string, unknown> = {
      username: jsonValue(i.usernameIs, name, name),
      password: jsonValue(i.passwordIs, a.password, `${a.password}-wrong`),
      ...(i.extra ? { remember: true } : {}),
    };
    const bothStrings =
      typeof fields.username === 'string' && typeof fields.password === 'string' && fields.username !== '' && fields.password !== '';
    const res =
      i.body === 'json' || i.body === 'not-json'
        ? await w.send(
            'login',
            (api) => postJson(api, API_PATHS.login, i.body === 'json' ? JSON.stringify(fields) : `username=${name}&password=…`, i.encoding),
            [a.password],
          )
        : await w.send(
            'login',
            (api) =>
              postForm(
                api,
                API_PATHS.login,
                Object.fromEntries(Object.entries(fields).filter(([, v]) => typeof v === 'string')) as Record<string, string>,
                i.body === 'urlencoded-form' ? 'urlencoded' : 'multipart',
              ),
            [a.password],
          );
    // The server decodes JSON whatever the Content-Type says; anything else, or a field missing, empty
    // or not a string, is "Missing Username or Password".
    const missing = i.body !== 'json' || !bothStrings;
    const accepted = !missing && i.who !== 'nobody' && i.passwordIs === 'right';
    const body = w.expect(
      'login',
      'login',
      res,
      'input-rules',
      missing
        ? [{ status: 400, schema: AuthError, text: MESSAGES.missingCredentials }]
        : accepted
          ? [{ status: 200, schema: LoginOk }]
          : [{ status: 401, schema: AuthError, text: MESSAGES.incorrectCredentials }],
      { more: true },
    ) as { token?: string };
    if (accepted && decodeToken(body.token!)?.claims.id !== a.username)
      throw new StepFailed({
        property: 'input-rules',
        where: 'login',
        symptom: "the token's id is not the account's username",
        message: "login gave a token whose id claim is not the account's username",
      });
    w.passed('login');
  },
  // Each way of sending a login once, one change from the plain one at a time.
  corpus: () => [
    ...BODIES.slice(1).map((body) => ({ ...DEFAULTS, body })),
    ...JSON_ENCODINGS.slice(1).map((encoding) => ({ ...DEFAULTS, encoding })),
    ...(['email', 'nobody'] as const).map((who) => ({ ...DEFAULTS, who })),
    ...(['empty', 'missing', 'number', 'null', 'array'] as const).map((usernameIs) => ({ ...DEFAULTS, usernameIs })),
    ...VALUES.slice(1).map((passwordIs) => ({ ...DEFAULTS, passwordIs })),
    { ...DEFAULTS, extra: true },
  ],
  toJson: (i) => withoutDefaults({ ...i }, { ...DEFAULTS }),
  fromJson: (j) => overDefaults(j, DEFAULTS, 'login'),
  classes: (i) => [
    ...choiceClass('body', i.body, DEFAULTS.body),
    ...choiceClass('encoding', i.encoding, DEFAULTS.encoding),
    ...choiceClass('who', i.who, DEFAULTS.who),
    ...choiceClass('username', i.usernameIs, DEFAULTS.usernameIs),
    ...choiceClass('password', i.passwordIs, DEFAULTS.passwordIs),
    ...(i.extra ? ['extra:field'] : []),
  ],
  describe(i) {
    const what =
      i.body === 'json'
        ? `a login ${ENCODING_WORDS[i.encoding]}`
        : i.body === 'not-json'
          ? `a login body that is not JSON, ${ENCODING_WORDS[i.encoding].replace(/^as JSON /, '')}`
          : `a login sent as ${i.body === 'urlencoded-form' ? 'urlencoded' : 'multipart'} form fields instead of JSON`;
    const fields = [
      i.who !== 'username' ? (i.who === 'email' ? 'by e-mail address' : 'for an unknown user') : '',
      i.usernameIs !== 'right'
        ? `the username ${i.usernameIs === 'missing' || i.usernameIs === 'empty' ? i.usernameIs : `a JSON ${i.usernameIs}`}`
        : '',
      i.passwordIs !== 'right'
        ? `the password ${['wrong', 'missing', 'empty'].includes(i.passwordIs) ? i.passwordIs : `a JSON ${i.passwordIs}`}`
        : '',
      i.extra ? 'an extra field' : '',
    ].filter(Boolean);
    return `${what}${fields.length ? `, ${fields.join(', ')}` : ''}`;
  },
};
