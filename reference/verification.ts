// The latest generation's e-mail verification token, as the real server makes and checks it
// (api/v2/utils.go generateEmailJWTToken / verifyEmailJWTToken, jwt-go v3): an HS512 JWT with the
// claims {emailVerificationString, expire (Go's time.String() of now + 24 h), user}, signed with the
// API's key; refused with jwt-go's and the handler's own words. (The contract calls it HS256; the
// source and the running server sign it HS512.)
import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';
import { base64url } from 'jose';

export const VERIFICATION_LIFETIME_S = 24 * 60 * 60;
const GO_TIME_LAYOUT = '2006-01-02 15:04:05.999999999 -0700 MST';

/** The user's stored verification string: 32 lower-case letters (database utils.LetterBytes). */
export const verificationString = (): string => Array.from({ length: 32 }, () => String.fromCharCode(97 + randomInt(26))).join('');

/** Go's `t.UTC().String()`: `2026-11-26 16:14:52.327 +0000 UTC` (fraction without trailing zeros). */
export function goTimeString(ms: number): string {
  const iso = new Date(ms).toISOString(); // 2026-11-26T16:14:52.327Z
  const frac = iso.slice(20, 23).replace(/0+$/, '');
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${frac ? `.${frac}` : ''} +0000 UTC`;
}

// Go's time.Parse with the layout above, element by element, so a refusal names where it stopped
// as Go does: `cannot parse "<rest of the value>" as "<layout element>"`.
const LAYOUT: [string, RegExp][] = [
  ['2006', /^\d{4}/],
  ['-', /^-/],
  ['01', /^\d{2}/],
  ['-', /^-/],
  ['02', /^\d{2}/],
  [' ', /^ /],
  ['15', /^\d{2}/],
  [':', /^:/],
  ['04', /^\d{2}/],
  [':', /^:/],
  ['05', /^\d{2}(\.\d{1,9})?/],
  [' ', /^ /],
  ['-0700', /^[+-]\d{4}/],
  [' ', /^ /],
  ['MST', /^[A-Z]{3,5}$/],
];
function parseGoTime(s: string): { ms: number } | { error: string } {
  let rest = s;
  const parts: string[] = [];
  for (const [elem, re] of LAYOUT) {
    const m = re.exec(rest);
    if (!m) return { error: `parsing time ${JSON.stringify(s)} as "${GO_TIME_LAYOUT}": cannot parse ${JSON.stringify(rest)} as "${elem}"` };
    parts.push(m[0]);
    rest = rest.slice(m[0].length);
  }
  const [y, , mo, , d, , h, , mi, , sec, , zone] = parts as string[];
  const ms = Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${sec!.slice(0, 6)}${zone!.slice(0, 3)}:${zone!.slice(3)}`);
  return Number.isNaN(ms) ? { error: `parsing time ${JSON.stringify(s)}: day out of range` } : { ms };
}

const sign = (key: string, input: string): string => base64url.encode(createHmac('sha512', key).update(input).digest());

/** The token in the link (jwt-go writes the claims with their keys sorted). */
export function makeVerificationToken(key: string, username: string, stored: string, nowMs: number): string {
  const header = base64url.encode(JSON.stringify({ alg: 'HS512', typ: 'JWT' }));
  const claims = base64url.encode(
    JSON.stringify({ emailVerificationString: stored, expire: goTimeString(nowMs + VERIFICATION_LIFETIME_S * 1000), user: username }),
  );
  return `${header}.${claims}.${sign(key, `${header}.${claims}`)}`;
}

export type VerifyResult = { ok: true } | { ok: false; reason: string };

/**
 * The handler's checks in its order. `stored` is the user's verification string, or undefined when
 * there is no such user. The reasons are the server's own (they are answered under `response`).
 */
export function checkVerificationToken(
  key: string,
  token: string,
  pathUser: string,
  stored: string | undefined,
  nowMs: number,
): VerifyResult {
  const parts = token.split('.');
  if (parts.length !== 3) return { ok: false, reason: 'token contains an invalid number of segments' };
  let header: Record<string, unknown>;
  let claims: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder().decode(base64url.decode(parts[0]!)));
    claims = JSON.parse(new TextDecoder().decode(base64url.decode(parts[1]!)));
  } catch {
    return { ok: false, reason: 'illegal base64 data at input byte 0' };
  }
  const alg = String(header.alg ?? '');
  if (!/^(none|[HRPE]S(256|384|512))$/.test(alg)) return { ok: false, reason: 'signing method (alg) is unavailable.' };
  if (!/^HS(256|384|512)$/.test(alg)) return { ok: false, reason: `unable to validate signing method: ${alg}` };
  if (alg !== 'HS512') return { ok: false, reason: 'expect hs512 signing method' };
  const want = Buffer.from(sign(key, `${parts[0]}.${parts[1]}`));
  const got = Buffer.from(parts[2]!);
  if (want.length !== got.length || !timingSafeEqual(want, got)) return { ok: false, reason: 'signature is invalid' };
  if (claims.user !== pathUser) return { ok: false, reason: `username from claim does not match expected user of ${pathUser}` };
  if (stored === undefined) return { ok: false, reason: 'unable to find username' };
  if (typeof claims.emailVerificationString !== 'string') return { ok: false, reason: 'failed to convert verification token to string' };
  if (claims.emailVerificationString !== stored) return { ok: false, reason: 'failed to validate email verification token' };
  if (typeof claims.expire !== 'string') return { ok: false, reason: 'failed to convert expire value to string' };
  const expire = parseGoTime(claims.expire);
  if ('error' in expire) return { ok: false, reason: expire.error };
  if (Math.floor(nowMs / 1000) > Math.floor(expire.ms / 1000)) return { ok: false, reason: 'token is expired' };
  return { ok: true };
}
