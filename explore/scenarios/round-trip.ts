// Round trips: a password that register accepts logs in exactly as it was typed, by username and by
// e-mail address, and nothing else logs in; after a change the new password works as typed and the old
// one is refused. Usernames and passwords carry generated unusual text; the login is sent in one of the
// JSON encodings a client may use.
import fc from 'fast-check';
import { decodeHTML } from 'entities';
import { API_PATHS, MESSAGES } from '../../core/contract.ts';
import { HandlerError, PasswordChanged } from '../../core/schemas.ts';
import { choice, choiceClass, extraText, overDefaults, type Scenario, textClasses, withoutDefaults } from '../scenario.ts';
import { CATEGORIES, describeExtra, HIDDEN_PASSWORD_BYTES, SAMPLES, utf8Length } from '../text.ts';
import { ENCODING_WORDS, JSON_ENCODINGS, type JsonEncoding, postForm } from './forms.ts';
import { asSent, BCRYPT_BYTES, checkEcho, predictRegister, ruleSymptom } from './register.ts';
import { changePassword, logIn } from './steps.ts';

const WRONG = ['append', 'drop-last', 'swap-case', 'leading-space', 'trailing-space'] as const;
type Wrong = (typeof WRONG)[number];

export interface RoundTripInput {
  /** Text after the run's account name. */
  usernameTail: string;
  /** Text after the password's hidden part (which is never printed). */
  passwordTail: string;
  /** Text after the new password's hidden part. */
  newPasswordTail: string;
  register: 'multipart' | 'urlencoded';
  login: JsonEncoding;
  /** How the wrong password tried differs from the right one. */
  wrong: Wrong;
}

const DEFAULTS: RoundTripInput = {
  usernameTail: '',
  passwordTail: '',
  newPasswordTail: '',
  register: 'multipart',
  login: 'text',
  wrong: 'append',
};

const WRONG_WORDS: Record<Wrong, string> = {
  append: 'with one character appended',
  'drop-last': 'without its last character',
  'swap-case': 'with one letter in the other case',
  'leading-space': 'with a space in front',
  'trailing-space': 'with a space after it',
};

/** The wrong password tried, or undefined when the variant would be the same password to the contract
 *  (HTML entities are unescaped before hashing: `&amp` and `&amp;` are one password). */
export function wrongVariant(password: string, how: Wrong): string | undefined {
  let v: string;
  switch (how) {
    case 'append':
      v = `${password}x`;
      break;
    case 'drop-last':
      v = [...password].slice(0, -1).join('');
      break;
    case 'swap-case': {
      const i = [...password].findIndex((c) => c.toLowerCase() !== c.toUpperCase());
      if (i < 0) return undefined;
      const chars = [...password];
      const c = chars[i]!;
      chars[i] = c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase();
      v = chars.join('');
      break;
    }
    case 'leading-space':
      v = ` ${password}`;
      break;
    case 'trailing-space':
      v = `${password} `;
      break;
  }
  return v === '' || decodeHTML(v) === decodeHTML(password) ? undefined : v;
}

export const roundTrip: Scenario<RoundTripInput> = {
  name: 'round-trip',
  about:
    'register, verify, log in as typed by username and by e-mail, a near-miss password refused, a change with a wrong old password ' +
    'refused, change the password, new works, old refused',
  weight: 4,
  arbitrary: () =>
    fc.record({
      usernameTail: extraText(CATEGORIES),
      passwordTail: extraText(CATEGORIES),
      newPasswordTail: extraText(CATEGORIES),
      register: choice('multipart', 'urlencoded'),
      login: choice(...JSON_ENCODINGS),
      wrong: choice(...WRONG),
    }),
  async run(i, w) {
    const name = w.newName();
    // What the register encoding carries is what the owner typed (FormData sends line breaks as CRLF).
    const form = {
      username: asSent(`${name}${i.usernameTail}`, i.register),
      password: asSent(`${w.secretPart()}${i.passwordTail}`, i.register),
      email_address: `${name}@example.com`,
    };
    const secrets = [form.password];
    const predicted = predictRegister(form, i.register);
    const { outcomes, accepts } = predicted;
    const reg = await w.send('register', (api) => postForm(api, API_PATHS.register, form, i.register), secrets);
    // Counted as made whatever the contract predicted: a server that wrongly accepts still made one.
    if (reg.status === 200) w.accounts++;
    const body = w.expect('register', 'register', reg, 'input-rules', outcomes, { symptom: ruleSymptom(predicted) });
    // A refused form (an @, or a value too long for the server) has nothing to round-trip.
    if (!accepts || reg.status !== 200) return;
    checkEcho(w, body, form, name);
    await w.verify(form);

    const typed = { encoding: i.login, account: form.username, secrets };
    const token = await logIn(w, 'login by username as typed', 'round-trip', {
      ...typed,
      login: form.username,
      password: form.password,
      accepted: true,
    });
    await logIn(w, 'login by e-mail address as typed', 'round-trip', {
      ...typed,
      login: form.email_address,
      password: form.password,
      accepted: true,
    });
    // One step whatever the variant: a near miss that logs in is one bug however the miss is made.
    const wrong = wrongVariant(form.password, i.wrong);
    if (wrong !== undefined)
      await logIn(w, 'login with a near miss of the password', 'round-trip', {
        ...typed,
        login: form.username,
        password: wrong,
        accepted: false,
        context: ` (the password ${WRONG_WORDS[i.wrong]})`,
      });

    // The client sends the change in the form encoding it registered with.
    const next = asSent(`${w.secretPart()}${i.newPasswordTail}`, i.register);
    secrets.push(next);
    // Wrong from its first byte: a password that differs only past bcrypt's 72 bytes is the near miss
    // above, one bug, not a second finding here.
    const refused = await changePassword(w, { token: token!, old: `not-it-${form.password}`, new: next, encoding: i.register, secrets });
    w.expect('change the password giving a wrong old one', 'changePassword', refused, 'round-trip', [
      { status: 400, schema: HandlerError, text: MESSAGES.passwordChangeFailed },
    ]);
    const changed = await changePassword(w, { token: token!, old: form.password, new: next, encoding: i.register, secrets });
    const tooLong = utf8Length(decodeHTML(next)) > BCRYPT_BYTES;
    w.expect('change the password', 'changePassword', changed, 'round-trip', [
      { status: 200, schema: PasswordChanged },
      ...(tooLong ? [{ status: 400, schema: HandlerError, text: MESSAGES.passwordChangeFailed }] : []),
    ]);
    if (changed.status !== 200) return;
    // A password that does not log in as typed is one bug, whether register or a change stored it.
    await logIn(w, 'login with the new password as typed', 'round-trip', {
      ...typed,
      login: form.username,
      password: next,
      accepted: true,
      where: 'login by username as typed',
    });
    await logIn(w, 'login with the old password after the change', 'round-trip', {
      ...typed,
      login: form.username,
      password: form.password,
      accepted: false,
    });
  },
  // Each kind of text in the password and the new one: what logs in as typed is what the round trip is
  // for (usernames are the register corpus's: it verifies each).
  corpus: () => SAMPLES.map(([, text]) => ({ ...DEFAULTS, passwordTail: text, newPasswordTail: text })),
  toJson: (i) => withoutDefaults({ ...i }, { ...DEFAULTS }),
  fromJson: (j) => overDefaults(j, DEFAULTS, 'round-trip'),
  classes: (i) => [
    ...textClasses('username', i.usernameTail),
    // A password is a password: the new one's kinds count as the password's (see the step names above).
    ...new Set([
      ...textClasses('password', i.passwordTail, HIDDEN_PASSWORD_BYTES),
      ...textClasses('password', i.newPasswordTail, HIDDEN_PASSWORD_BYTES),
    ]),
    ...choiceClass('register', i.register, DEFAULTS.register),
    ...choiceClass('login', i.login, DEFAULTS.login),
    ...choiceClass('wrong', i.wrong, DEFAULTS.wrong),
  ],
  describe(i) {
    const parts: string[] = [];
    if (i.usernameTail) parts.push(describeExtra('a username', i.usernameTail));
    if (i.passwordTail) parts.push(describeExtra('a password', i.passwordTail, HIDDEN_PASSWORD_BYTES));
    if (i.newPasswordTail) parts.push(describeExtra('a new password', i.newPasswordTail, HIDDEN_PASSWORD_BYTES));
    const how = [
      i.register !== DEFAULTS.register
        ? `registered ${i.register === 'urlencoded' ? 'as an urlencoded form' : 'as multipart/form-data'}`
        : '',
      i.login !== DEFAULTS.login ? `logging in ${ENCODING_WORDS[i.login]}` : '',
    ].filter(Boolean);
    return `an account${parts.length ? ` with ${parts.join(', ')}` : ' with plain values'}${how.length ? `, ${how.join(', ')}` : ''}`;
  },
};
