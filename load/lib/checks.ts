// Cheap checks of each answer's shape, tagged per endpoint. Under load the scripts do not run the
// full schema (that is the API tests' job): they check what a regression would break first, the
// Content-Type included. Added fields (drift) are the Node side's business (core/judge.ts).
// A failed check logs why, in words, a few times per VU (never the token or the password).
import { check } from 'k6';
import encoding from 'k6/encoding';
import type { RefinedResponse, ResponseType } from 'k6/http';
import { isJsonContentType, JWT_SHAPE, TOKEN_LIFETIME_S } from '../../core/contract.ts';
import { dateHeaderS, expectedLifetime, humanDuration } from '../../core/durations.ts';

type Res = RefinedResponse<ResponseType | undefined>;

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const WARNINGS_PER_VU = 3;
let warnings = 0;

function warn(what: string): void {
  if (warnings++ < WARNINGS_PER_VU) console.warn(what);
}

function jsonBody(res: Res): Record<string, unknown> | undefined {
  if (typeof res.body !== 'string') return undefined;
  try {
    const v: unknown = JSON.parse(res.body);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The token's `exp` claim, decoded without the key (k6's own base64url). */
function tokenExp(token: string): number | undefined {
  try {
    const claims: unknown = JSON.parse(encoding.b64decode(token.split('.')[1] ?? '', 'rawurl', 's'));
    const exp = (claims as { exp?: unknown }).exp;
    return typeof exp === 'number' ? exp : undefined;
  } catch {
    return undefined;
  }
}

/** The server's clock from its Date header (second resolution), else ours. */
function serverNowS(res: Res): number {
  return dateHeaderS(res.headers.Date) ?? Date.now() / 1000;
}

/** The answer's Content-Type is JSON's (the same rule as core/judge.ts). */
const contentType = (res: Res): string | undefined => res.headers['Content-Type'];
const typeLine = (what: string, res: Res): string =>
  `${what}: the JSON answer says Content-Type '${contentType(res) ?? '(none)'}', expected application/json`;

const statusLine = (what: string, res: Res): string =>
  res.status === 0 ? `${what}: no answer (${res.error || 'connection failed'})` : `${what} answered ${res.status}, expected 200`;

/** Checks a login answer: 200, a JWT, expire in RFC 3339 about 24 h ahead and equal to the token's exp. */
export function checkLogin(res: Res, toleranceS: number): boolean {
  const body = res.status === 200 ? jsonBody(res) : undefined;
  const token = body?.token;
  const expire = body?.expire;
  const expireMs = typeof expire === 'string' && RFC3339.test(expire) ? Date.parse(expire) : NaN;
  const aheadS = expireMs / 1000 - serverNowS(res);
  const exp = typeof token === 'string' ? tokenExp(token) : undefined;

  const results = {
    'login: status is 200': res.status === 200,
    'login: Content-Type is application/json': isJsonContentType(contentType(res)),
    'login: token is a JWT': typeof token === 'string' && JWT_SHAPE.test(token),
    'login: expire is an RFC 3339 time': Number.isFinite(expireMs),
    'login: expire is 24h ahead': Number.isFinite(aheadS) && Math.abs(aheadS - TOKEN_LIFETIME_S) <= toleranceS,
    "login: expire equals the token's exp": exp !== undefined && Number.isFinite(expireMs) && Math.abs(exp - expireMs / 1000) < 1,
  };
  const ok = check(res, Object.fromEntries(Object.entries(results).map(([k, v]) => [k, () => v])), { name: 'login' });
  if (!ok) {
    if (!results['login: status is 200']) warn(statusLine('login', res));
    else if (!results['login: Content-Type is application/json']) warn(typeLine('login', res));
    else if (!results['login: token is a JWT'])
      warn(`login: token is ${typeof token === 'string' ? 'not a JWT' : `missing (${typeof token})`}`);
    else if (!results['login: expire is an RFC 3339 time'])
      warn(`login: expire is not an RFC 3339 time (it is a ${typeof expire}${typeof expire === 'number' ? `: ${expire}` : ''})`);
    else if (!results['login: expire is 24h ahead'])
      warn(
        `login: token expires in ${humanDuration(aheadS)}, expected ${expectedLifetime(TOKEN_LIFETIME_S, toleranceS)} (expire=${String(expire)})`,
      );
    else
      warn(
        `login: expire (${String(expire)}) is not the token's exp (${exp === undefined ? 'missing' : new Date(exp * 1000).toISOString()})`,
      );
  }
  return ok;
}

/** Checks a credits answer: 200 with {code: 200, response: <number>}. */
export function checkCredits(res: Res): boolean {
  const body = res.status === 200 ? jsonBody(res) : undefined;
  const credits = body?.response;
  const results = {
    'credits: status is 200': res.status === 200,
    'credits: Content-Type is application/json': isJsonContentType(contentType(res)),
    'credits: response is a number': typeof credits === 'number' && Number.isFinite(credits),
  };
  const ok = check(res, Object.fromEntries(Object.entries(results).map(([k, v]) => [k, () => v])), { name: 'credits' });
  if (!ok) {
    if (!results['credits: status is 200']) warn(statusLine('credits', res));
    else if (!results['credits: Content-Type is application/json']) warn(typeLine('credits', res));
    else
      warn(
        `credits: response is a ${body === undefined ? 'non-JSON body' : `${typeof credits} (${JSON.stringify(credits)?.slice(0, 40)})`}, expected a JSON number`,
      );
  }
  return ok;
}
