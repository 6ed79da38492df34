// One redaction for everything that leaves the process as text: reports, alerts, error messages,
// log lines. pino's `redact` covers structured log fields; this covers strings. A secret is looked
// for in every form a carrier gives it (core/secret-forms.ts: JSON-escaped, percent-encoded,
// base64'd, HTML-escaped), and always before any other change to the text (collapsing whitespace,
// cutting), which would hide it from the search. Import-free but for a leaf module: k6 loads it too.
import { secretForms } from './secret-forms.ts';
import { terminalValue } from './terminal.ts';

const JWT_ANYWHERE = /eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g;
// "a readable Bearer token", "the Bearer header": prose about the scheme, not a value.
const BEARER = /(Bearer\s+)(?!(?:token|tokens|header|value|scheme|auth)\b)[^\s"',;]+/gi;
// One list of secret field names for both redactions (pino paths are exact; the text patterns also
// take an upper-case prefix, so MONITOR_PASSWORD=x and "SMOKE_PASSWORD":"x" are caught too).
const SECRET_KEYS = [
  'password',
  'old_password',
  'new_password',
  'token',
  'authorization',
  'HashedPassword',
  'EmailVerificationToken',
  'cookie',
  'JWT_KEY',
];
const ENV_SECRETS = ['MONITOR_PASSWORD', 'SMOKE_PASSWORD', 'LOAD_PASSWORD', 'TARGET_JWT_KEY'];
const NAMES = `(?:[A-Z0-9]+_)*(?:${SECRET_KEYS.join('|')})`;
// JSON (`"password":"x"`) and form/query (`password=x`) shapes only: prose such as "a token: 401" stays.
// A JSON value runs to its closing quote, past escaped ones (`"a\"b"`); inside a JSON string that
// quotes JSON (`\"password\":\"a\\\"b\"`) the escapes are doubled.
const SECRET_JSON = new RegExp(String.raw`("${NAMES}"\s*:\s*")((?:[^"\\]|\\.)*)`, 'gi');
// Quoted once, an inner `\` is `\\` and an inner `"` is `\"`: the value is inner escapes (`\\` and
// what follows it) and characters other than an unescaped `\"`.
const SECRET_JSON_QUOTED = new RegExp(String.raw`(\\"${NAMES}\\"\s*:\s*\\")((?:\\\\(?:\\\\|\\"|\\[^\\"]|[^\\"])|\\[^\\"]|[^\\"])*)`, 'gi');
const SECRET_FORM = new RegExp(`(\\b${NAMES}=)([^&\\s"',;]+)`, 'gi');
// The password of a URL (`amqp://user:secret@host`, a Mailpit behind a password): the user stays.
const URL_PASSWORD = /(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/?#@]*:)[^\s/?#@]+@/gi;
// A Basic header's value (`Authorization: Basic dXNlcjpwYXNz`, as a Pushgateway's 401 may quote it);
// "Basic auth" is prose.
const BASIC = /(\bBasic\s+)(?!(?:auth|authentication|authorization|credentials|header|scheme)\b)[A-Za-z0-9+/_-]{6,}={0,2}/g;

export const REDACTED = '[redacted]';

/** Shortest secret looked for: a shorter one would match ordinary text. */
const MIN_SECRET = 4;

// Secrets this process knows of whoever writes: the secret settings (core/settings.ts registers
// them as it parses), the password and Basic pair of a URL with credentials, the passwords a run
// makes. Every redactText call looks for them too. Tokens are not kept here (there is one per pass
// and they are JWTs, which the patterns catch): the list stays as short as the run's passwords.
const known = new Set<string>();

/** Makes `secret` one every redaction in this process looks for. */
export function addKnownSecret(secret: string | undefined): void {
  if (secret && secret.length >= MIN_SECRET) known.add(secret);
}

/** Replaces one secret in every form it may have been carried in. */
function redactSecret(text: string, secret: string): string {
  const forms = secretForms(secret);
  let out = text;
  for (const f of forms.literals) if (out.includes(f)) out = out.split(f).join(REDACTED);
  if (forms.percent) out = out.replace(forms.percent, REDACTED);
  return out;
}

/** Does `text` hold `secret` in any form it may have been carried in (core/secret-forms.ts)? */
export const holdsSecret = (text: string, secret: string): boolean => redactSecret(text, secret) !== text;

/** Replaces JWTs, bearer and Basic values, secret-named fields, passwords in URLs, and `secrets` and
 *  the process's known secrets (addKnownSecret) in any form they were carried in. */
export function redactText(text: string, secrets: readonly string[] = []): string {
  let out = text;
  // Known secrets first, in their exact forms, before the patterns rewrite what surrounds them; the
  // longest first, so a secret holding another (user:password) goes whole.
  const all = [...(known.size ? new Set([...secrets, ...known]) : secrets)].sort((a, b) => b.length - a.length);
  for (const s of all) if (s && s.length >= MIN_SECRET) out = redactSecret(out, s);
  return out
    .replace(JWT_ANYWHERE, REDACTED)
    .replace(BEARER, `$1${REDACTED}`)
    .replace(BASIC, `$1${REDACTED}`)
    .replace(SECRET_JSON, `$1${REDACTED}`)
    .replace(SECRET_JSON_QUOTED, `$1${REDACTED}`)
    .replace(SECRET_FORM, `$1${REDACTED}`)
    .replace(URL_PASSWORD, `$1${REDACTED}@`);
}

/** Shortest piece of a known secret that is still redacted where a text is cut. */
export const MIN_SECRET_FRAGMENT = 6;

/** `text` redacted, then cut to `max` characters (with …). Redaction comes first, so a cut can
 *  never split a secret into a piece the patterns no longer recognise; and whatever piece of a
 *  known secret (6 characters or more) still sits at the cut is redacted too. */
export function redactThenCut(text: string, max: number, secrets: readonly string[] = []): string {
  const redacted = redactText(text, secrets);
  if (redacted.length <= max) return redacted;
  let cut = redacted.slice(0, max);
  for (const s of new Set([...secrets, ...known])) {
    if (!s || s.length < MIN_SECRET_FRAGMENT) continue;
    for (let k = Math.min(s.length - 1, cut.length); k >= MIN_SECRET_FRAGMENT; k--)
      if (cut.endsWith(s.slice(0, k))) {
        cut = cut.slice(0, cut.length - k) + REDACTED;
        break;
      }
  }
  return `${cut}…`;
}

/** A server's text (a body, a header, a mail's subject) as a one-line excerpt for a message:
 *  redacted first, then its whitespace collapsed and its control characters shown escaped
 *  (core/terminal.ts), then cut to `max` characters. */
export function excerpt(text: string, max: number, secrets: readonly string[] = []): string {
  return redactThenCut(terminalValue(redactText(text, secrets).replace(/\s+/g, ' ').trim()), max, secrets);
}

/** pino redact paths: the secret fields at the top and up to three levels down, headers included. */
export const REDACT_PATHS = (() => {
  const keys = [...SECRET_KEYS, 'Authorization', ...ENV_SECRETS];
  const prefixes = ['', '*.', '*.*.', '*.*.*.'];
  return prefixes.flatMap((p) => keys.map((k) => `${p}${k}`));
})();
