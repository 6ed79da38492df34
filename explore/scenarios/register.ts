// Register with generated forms: unusual usernames, passwords and e-mail addresses; fields missing or
// empty; the + and @ rules; each of the encodings a client may send; and, sometimes, a second
// registration that reuses the first one's username or e-mail address. The contract predicts every
// answer; an account it accepts must come back as sent (and, in the latest generation, be verifiable).
import fc from 'fast-check';
import { API_PATHS, MESSAGES, missingField } from '../../core/contract.ts';
import { HandlerError, RegisterOk } from '../../core/schemas.ts';
import { decodeHTML } from 'entities';
import { StepFailed } from '../properties.ts';
import { choice, choiceClass, extraText, overDefaults, type Scenario, textClasses, withoutDefaults } from '../scenario.ts';
import { CATEGORIES, describeExtra, HIDDEN_PASSWORD_BYTES, SAMPLES, shown, utf8Length } from '../text.ts';
import type { Outcome, World } from '../world.ts';
import { ENCODING_WORDS, FORM_ENCODINGS, type FormEncoding, postForm } from './forms.ts';

/** The contract's rules a form can break: a field missing or empty, a + in the e-mail address, an @ in the username. */
const RULES = ['none', 'missing', 'empty', 'plus', 'at', 'plus-and-at'] as const;
const FIELDS = ['username', 'password', 'email_address'] as const;
const AGAIN = ['no', 'username', 'email', 'both'] as const;

export interface RegisterInput {
  encoding: FormEncoding;
  /** Text after the run's account name. */
  usernameTail: string;
  /** Text after the password's hidden part (which is never printed). */
  passwordTail: string;
  /** Text at the end of the e-mail address's local part. */
  emailTail: string;
  /** The rule the form breaks, if any (one at a time, so each rule is met often). */
  rule: (typeof RULES)[number];
  /** The field missing or empty, for those rules. */
  field: (typeof FIELDS)[number];
  /** A second registration reusing the first one's username, e-mail address, or both. */
  again: (typeof AGAIN)[number];
}

const DEFAULTS: RegisterInput = {
  encoding: 'multipart',
  usernameTail: '',
  passwordTail: '',
  emailTail: '',
  rule: 'none',
  field: 'username',
  again: 'no',
};

/** What a second registration repeats, in words. */
const repeated = (again: RegisterInput['again']): string =>
  again === 'both' ? 'username and e-mail address' : again === 'email' ? 'e-mail address' : 'username';

/** The longest username and e-mail address a varchar(255) column holds; longer ones may be refused. */
const COLUMN_CHARS = 255;
/** bcrypt reads 72 bytes; a server may refuse a longer password rather than cut it. */
export const BCRYPT_BYTES = 72;

interface Form {
  username: string;
  password: string;
  email_address: string;
}

/** What a multipart body carries: FormData turns every line break into CRLF (the WHATWG rule a browser
 *  follows too), so that is what "as typed" means for a value sent that way. */
export const asSent = (value: string, encoding: string): string =>
  encoding === 'multipart' ? value.replace(/\r\n|\r|\n/g, '\r\n') : value;

function buildForm(i: RegisterInput, name: string, secret: string): Form {
  const form = {
    username: `${name}${i.rule === 'at' || i.rule === 'plus-and-at' ? '@' : ''}${i.usernameTail}`,
    password: `${secret}${i.passwordTail}`,
    email_address: `${name}${i.rule === 'plus' || i.rule === 'plus-and-at' ? '+tag' : ''}${i.emailTail}@example.com`,
  };
  return {
    username: asSent(form.username, i.encoding),
    password: asSent(form.password, i.encoding),
    email_address: asSent(form.email_address, i.encoding),
  };
}

/** The fields sent: all of them, but the one the rule leaves out or empties. */
const sent = (form: Form, i: RegisterInput): Record<string, string> => {
  const out: Record<string, string> = { ...form };
  if (i.rule === 'missing') delete out[i.field];
  if (i.rule === 'empty') out[i.field] = '';
  return out;
};

/** What the contract says register answers to this form. */
export function predictRegister(fields: Record<string, string>, encoding: FormEncoding): { outcomes: Outcome[]; accepts: boolean } {
  const refuse = (text: string): { outcomes: Outcome[]; accepts: boolean } => ({
    outcomes: [{ status: 400, schema: HandlerError, text }],
    accepts: false,
  });
  // The handler reads form fields only: a JSON body has none.
  if (encoding === 'json' || encoding === 'json-as-text') return refuse(missingField('username'));
  for (const f of ['username', 'password', 'email_address'] as const) if (!fields[f]) return refuse(missingField(f));
  if (fields.email_address!.includes('+')) return refuse(MESSAGES.emailHasPlus);
  if (fields.username!.includes('@')) return refuse(MESSAGES.usernameHasAt);
  const outcomes: Outcome[] = [{ status: 200, schema: RegisterOk }];
  const long =
    [...fields.username!].length > COLUMN_CHARS ||
    [...fields.email_address!].length > COLUMN_CHARS ||
    utf8Length(decodeHTML(fields.password!)) > BCRYPT_BYTES;
  if (long) outcomes.push({ status: 400, schema: HandlerError, text: MESSAGES.createFailed });
  return { outcomes, accepts: true };
}

/** The symptom when register does not refuse a form the contract refuses: that rule is not enforced,
 *  whatever it answered instead (a 200, or another rule's refusal): one root cause, one finding. */
export const ruleSymptom = (p: { outcomes: Outcome[]; accepts: boolean }): string | undefined =>
  p.accepts ? undefined : `does not refuse it with ${p.outcomes[0]!.status} '${p.outcomes[0]!.text}'`;

/** The account register answered with must be the one sent: a server that rewrites it breaks every later login. */
export function checkEcho(w: World, body: unknown, form: Form, name: string): void {
  const user = (body as { response: { UserName: string; EmailAddress: string } }).response;
  const tail = (s: string) => (s.startsWith(name) ? s.slice(name.length) : s);
  for (const [field, got, want] of [
    ['username', user.UserName, form.username],
    ['e-mail address', user.EmailAddress, form.email_address],
  ] as const)
    if (got !== want)
      throw new StepFailed({
        property: 'round-trip',
        where: 'register answer',
        symptom: `the ${field} comes back changed`,
        byInput: false,
        message:
          `register accepted the ${field} <account>${shown(tail(want))} but answered with <account>${shown(tail(got))}: what ` +
          `its owner typed is not what was stored`,
      });
  w.passed('register answer');
}

export const register: Scenario<RegisterInput> = {
  name: 'register',
  about:
    'register forms: unusual values, missing and empty fields, the + and @ rules, four encodings, a second registration of the same ' +
    'name or address',
  weight: 2,
  arbitrary: () =>
    fc.record({
      encoding: choice(...FORM_ENCODINGS),
      usernameTail: extraText(CATEGORIES),
      passwordTail: extraText(CATEGORIES),
      emailTail: extraText(CATEGORIES.filter((c) => c !== 'long')),
      rule: fc.constantFrom(...RULES),
      field: choice(...FIELDS),
      again: fc.constantFrom(...AGAIN),
    }),
  async run(i, w) {
    const name = w.newName();
    const form = buildForm(i, name, w.secretPart());
    const fields = sent(form, i);
    const predicted = predictRegister(fields, i.encoding);
    const { outcomes, accepts } = predicted;
    const res = await w.send('register', (api) => postForm(api, API_PATHS.register, fields, i.encoding), [form.password]);
    // Counted as made whatever the contract predicted: a server that wrongly accepts still made one.
    if (res.status === 200) w.accounts++;
    const body = w.expect('register', 'register', res, 'input-rules', outcomes, { symptom: ruleSymptom(predicted) });
    if (!accepts || res.status !== 200) return;
    checkEcho(w, body, form, name);
    if (i.again !== 'no') {
      const other = buildForm({ ...DEFAULTS }, w.newName(), w.secretPart());
      const second = {
        username: i.again === 'email' ? other.username : form.username,
        password: other.password,
        email_address: i.again === 'username' ? other.email_address : form.email_address,
      };
      const texts =
        i.again === 'username'
          ? [MESSAGES.usernameTaken]
          : i.again === 'email'
            ? [MESSAGES.emailTaken]
            : [MESSAGES.usernameTaken, MESSAGES.emailTaken];
      const again = await w.send('register', (api) => postForm(api, API_PATHS.register, second, i.encoding), [
        form.password,
        second.password,
      ]);
      if (again.status === 200) w.accounts++;
      w.expect(
        `register again with the same ${repeated(i.again)}`,
        'register',
        again,
        'uniqueness',
        texts.map((text) => ({ status: 400, schema: HandlerError, text })),
      );
    }
    // A mail can only come to an address a mail server takes: unusual ones are left unverified.
    if (i.emailTail === '') await w.verify(form);
  },
  // Each kind of text in the username and password (the account verified by its mail, which a name can
  // break), then in the e-mail address (an account left unverified), each encoding, each rule, each reuse.
  corpus: () => [
    // A long username is one past 72 bytes on its own (no hidden part before it): twice the sample.
    ...SAMPLES.map(([kind, text]) => ({ ...DEFAULTS, usernameTail: kind === 'long' ? text.repeat(2) : text, passwordTail: text })),
    // Without the `+` in an address: that is the plus rule's example below, one bug one finding.
    ...SAMPLES.filter(([kind]) => kind !== 'long').map(([, text]) => ({ ...DEFAULTS, emailTail: text.replace('+', '') })),
    ...FORM_ENCODINGS.slice(1).map((encoding) => ({ ...DEFAULTS, encoding })),
    ...(['missing', 'empty', 'plus', 'at'] as const).map((rule) => ({ ...DEFAULTS, rule, field: 'password' as const })),
    ...(['username', 'email'] as const).map((again) => ({ ...DEFAULTS, again })),
  ],
  toJson: (i) => withoutDefaults({ ...i }, { ...DEFAULTS }),
  fromJson: (j) => overDefaults(j, DEFAULTS, 'register'),
  classes: (i) => [
    ...choiceClass('encoding', i.encoding, DEFAULTS.encoding),
    ...textClasses('username', i.usernameTail),
    ...textClasses('password', i.passwordTail, HIDDEN_PASSWORD_BYTES),
    ...textClasses('email', i.emailTail),
    // Both rules broken at once carries each rule's kind: a + not refused is one bug, alone or with an @.
    ...(i.rule === 'missing' || i.rule === 'empty'
      ? [`rule:${i.field} ${i.rule}`]
      : i.rule === 'plus-and-at'
        ? ['rule:plus', 'rule:at']
        : choiceClass('rule', i.rule, 'none')),
    ...choiceClass('again', i.again, 'no'),
  ],
  describe(i) {
    const parts: string[] = [];
    const gone = (f: string) => (i.rule === 'missing' || i.rule === 'empty') && i.field === f;
    if (gone('username')) parts.push(`the username ${i.rule}`);
    if (gone('password')) parts.push(`the password ${i.rule}`);
    if (gone('email_address')) parts.push(`the e-mail address ${i.rule}`);
    if (i.rule === 'plus' || i.rule === 'plus-and-at') parts.push('a + in the e-mail address');
    if (i.rule === 'at' || i.rule === 'plus-and-at') parts.push('an @ in the username');
    if (i.usernameTail && !gone('username')) parts.push(describeExtra('a username', i.usernameTail));
    if (i.passwordTail && !gone('password')) parts.push(describeExtra('a password', i.passwordTail, HIDDEN_PASSWORD_BYTES));
    if (i.emailTail && !gone('email_address')) parts.push(describeExtra('an e-mail address', i.emailTail));
    if (i.again !== 'no') parts.push(`then registered again with the same ${repeated(i.again)}`);
    return `a registration ${ENCODING_WORDS[i.encoding]}${parts.length ? ` with ${parts.join(', ')}` : ''}`;
  },
};
