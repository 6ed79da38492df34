// One redaction for everything that leaves the process as text: reports, alerts, error messages.
// pino's `redact` covers structured log fields; this covers strings.

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
const SECRET_JSON = new RegExp(`("${NAMES}"\\s*:\\s*")([^"]*)`, 'gi');
const SECRET_FORM = new RegExp(`(\\b${NAMES}=)([^&\\s"',;]+)`, 'gi');
// The password of a URL (`amqp://user:secret@host`, a Mailpit behind a password): the user stays.
const URL_PASSWORD = /(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/?#@]*:)[^\s/?#@]+@/gi;

export const REDACTED = '[redacted]';

/** Replaces JWTs, bearer values, secret-named fields and any of `secrets` in `text`. */
export function redactText(text: string, secrets: readonly string[] = []): string {
  let out = text
    .replace(JWT_ANYWHERE, REDACTED)
    .replace(BEARER, `$1${REDACTED}`)
    .replace(SECRET_JSON, `$1${REDACTED}`)
    .replace(SECRET_FORM, `$1${REDACTED}`)
    .replace(URL_PASSWORD, `$1${REDACTED}@`);
  for (const s of secrets) if (s && s.length >= 4) out = out.split(s).join(REDACTED);
  return out;
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
  for (const s of secrets) {
    if (!s || s.length < MIN_SECRET_FRAGMENT) continue;
    for (let k = Math.min(s.length - 1, cut.length); k >= MIN_SECRET_FRAGMENT; k--)
      if (cut.endsWith(s.slice(0, k))) {
        cut = cut.slice(0, cut.length - k) + REDACTED;
        break;
      }
  }
  return `${cut}…`;
}

/** pino redact paths: the secret fields at the top and up to three levels down, headers included. */
export const REDACT_PATHS = (() => {
  const keys = [...SECRET_KEYS, 'Authorization', ...ENV_SECRETS];
  const prefixes = ['', '*.', '*.*.', '*.*.*.'];
  return prefixes.flatMap((p) => keys.map((k) => `${p}${k}`));
})();
