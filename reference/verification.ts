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

function parseGoTime(s: string): number | undefined {
  const m = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(\.\d{1,9})? ([+-])(\d{2})(\d{2}) \S+$/.exec(s);
  if (!m) return undefined;
  const ms = Date.parse(`${m[1]}T${m[2]}${(m[3] ?? '').slice(0, 4)}${m[4]}${m[5]}:${m[6]}`);
  return Number.isNaN(ms) ? undefined : ms;
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
  if (expire === undefined) return { ok: false, reason: `parsing time "${claims.expire}" as "${GO_TIME_LAYOUT}": cannot parse` };
  if (Math.floor(nowMs / 1000) > Math.floor(expire / 1000)) return { ok: false, reason: 'token is expired' };
  return { ok: true };
}
