// Cheap checks of each answer's shape. Under load the scripts do not run the full schema (that is
// the API tests' job): they check what a regression would break first, the Content-Type included.
// Added fields (drift) are the Node side's business (core/judge.ts). A failed check logs why, in
// words, a few times per VU (never the token or the password).
//
// They run on every request, so they cost as little as k6 allows (npm run bench -- load): the check
// functions are made once, not per call; the credits number is read by k6's Go-side JSON selector
// (no body copied into JavaScript); the endpoint's `name` tag comes from the scenario, not from
// per-call tags; and the words of a warning are only put together when a check failed. A failed
// request's cause (lib/causes.ts) is counted then too, so the happy path adds no metric sample.
import { check } from 'k6';
import encoding from 'k6/encoding';
import type { RefinedResponse, ResponseType } from 'k6/http';
import { Counter } from 'k6/metrics';
import { isJsonContentType, JWT_SHAPE, TOKEN_LIFETIME_S } from '../../core/contract.ts';
import { dateHeaderS, expectedLifetime, humanLifetime } from '../../core/durations.ts';
import { redactText } from '../../core/redact.ts';
import { terminalValue } from '../../core/terminal.ts';
import { describeRateLimit, RATE_LIMITED, readRateLimit } from '../../core/rate-limit.ts';
import { CAUSES, type Cause, causeLine, causeMetric, requestCause } from './causes.ts';

/** Answers that were the target's rate limit (429), counted apart: not failures of the API. The
 *  scripts' threshold on it (count==0, abortOnFail) stops the run at once, and the runner's summary
 *  says "rate limited". Added only where a check already failed: no cost per request. */
export const rateLimited = new Counter('rate_limited');

/** A 429's words, with what the target announced. */
function limited(what: string, res: Res): string {
  const r = readRateLimit(res.headers);
  return `${what} ${RATE_LIMITED}: the target's rate limit, not a fault of the API${r ? ` (${describeRateLimit(r)})` : ''}`;
}

type Res = RefinedResponse<ResponseType | undefined>;

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const WARNINGS_PER_VU = 3;
let warnings = 0;

/** The passwords this VU sends (its pool's): never in a warning, in whatever form a target echoes them. */
let secrets: readonly string[] = [];
export function warningSecrets(list: readonly string[]): void {
  secrets = list;
}

/** A warning quotes the target's text (a header, a field): redacted, and its control characters
 *  escaped, so an answer cannot write to the terminal. */
function warn(what: () => string): void {
  if (warnings++ < WARNINGS_PER_VU) console.warn(terminalValue(redactText(what(), secrets)));
}

/** JSON's Content-Type (core/contract.ts's rule), with gin's exact header as the fast path. */
const GIN_JSON = 'application/json; charset=utf-8';
const jsonType = (res: Res): boolean => {
  const type = res.headers['Content-Type'];
  return type === GIN_JSON || isJsonContentType(type);
};

const typeLine = (what: string, res: Res): string =>
  `${what}: the JSON answer says Content-Type '${res.headers['Content-Type'] ?? '(none)'}', expected application/json`;

/** k6 follows no redirect (the scripts' maxRedirects: 0): one is a failure that says where it pointed. */
export const redirectWords = (res: Pick<Res, 'status' | 'headers'>): string => {
  const to = res.status >= 300 && res.status < 400 ? res.headers.Location : undefined;
  return to ? ` (a redirect to ${terminalValue(to.slice(0, 200))}, which is not followed)` : '';
};

const statusLine = (what: string, res: Res): string =>
  res.status === 0
    ? `${what}: no answer: ${causeLine(res.error_code, res.error, 0)}`
    : `${what} answered ${res.status}${redirectWords(res)}, expected 200${res.status === 429 ? `: ${causeLine(res.error_code, '', 429)}` : ''}`;

// One counter per cause of a failed request, added to only when one failed: the runner's summary
// says "18 × the target's TLS certificate is not trusted …" beside the checks that failed.
// A 429 goes to rate_limited, the counter the scripts' threshold stops the run on.
const failures = Object.fromEntries(CAUSES.map((c) => [c, c === 'rate_limited' ? rateLimited : new Counter(causeMetric(c))])) as Record<
  Cause,
  Counter
>;
/** Counts a failed request under its cause (setup's too, where it gives up). */
export const countFailure = (res: { error_code: number; error: string; status: number }): void =>
  failures[requestCause(res.error_code, res.error, res.status)].add(1);

/** A failed check's words: a 429 is counted apart (it is the limit's, not the API's). */
const failedStatus = (what: string, res: Res): string => (res.status === 429 ? limited(what, res) : statusLine(what, res));

function jsonBody(res: Res): Record<string, unknown> | undefined {
  if (typeof res.body !== 'string') return undefined;
  try {
    const v: unknown = JSON.parse(res.body);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

// ---- credits: 200 with {code: 200, response: <number>} ----

/** The last answer's `response`: read once by its check, quoted by its warning. */
let credits: unknown;

// Two checks, as a bare k6 script has: each check is one metric sample per request, and at credits'
// rates a third (the Content-Type on its own) cost more than the rest of the script. The Content-Type
// is still judged on every answer; the warning says which half failed.
const CREDITS_CHECKS = {
  'credits: status is 200': (r: Res) => r.status === 200,
  // k6's selector reads the value in Go; it is undefined for a body that is not a JSON object.
  'credits: JSON answer with a numeric response': (r: Res) => {
    credits = r.status === 200 && jsonType(r) ? r.json('response') : undefined;
    return Number.isFinite(credits);
  },
};

export function checkCredits(res: Res): boolean {
  const ok = check(res, CREDITS_CHECKS);
  if (!ok) {
    if (res.status !== 200) countFailure(res);
    warn(() => {
      if (res.status !== 200) return failedStatus('credits', res);
      if (!jsonType(res)) return typeLine('credits', res);
      const body = jsonBody(res);
      const what = body === undefined ? 'non-JSON body' : `${typeof credits} (${JSON.stringify(credits)?.slice(0, 40)})`;
      return `credits: response is a ${what}, expected a JSON number`;
    });
  }
  return ok;
}

// ---- login: 200, a JWT, expire in RFC 3339 about 24 h ahead and equal to the token's exp ----

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

/** What the login checks read, worked out once per answer (login is bcrypt-bound: clarity first). */
let login = { token: undefined as unknown, expire: undefined as unknown, expireMs: NaN, aheadS: NaN, exp: undefined as number | undefined };
let toleranceS = 60;

const LOGIN_CHECKS = {
  'login: status is 200': (r: Res) => r.status === 200,
  'login: Content-Type is application/json': jsonType,
  'login: token is a JWT': () => typeof login.token === 'string' && JWT_SHAPE.test(login.token),
  'login: expire is an RFC 3339 time': () => Number.isFinite(login.expireMs),
  'login: expire is 24h ahead': () => Number.isFinite(login.aheadS) && Math.abs(login.aheadS - TOKEN_LIFETIME_S) <= toleranceS,
  "login: expire equals the token's exp": () =>
    login.exp !== undefined && Number.isFinite(login.expireMs) && Math.abs(login.exp - login.expireMs / 1000) < 1,
};

export function checkLogin(res: Res, tolerance: number): boolean {
  toleranceS = tolerance;
  const body = res.status === 200 ? jsonBody(res) : undefined;
  const token = body?.token;
  const expire = body?.expire;
  const expireMs = typeof expire === 'string' && RFC3339.test(expire) ? Date.parse(expire) : NaN;
  // The server's clock from its Date header (second resolution), else ours.
  const aheadS = expireMs / 1000 - (dateHeaderS(res.headers.Date) ?? Date.now() / 1000);
  login = { token, expire, expireMs, aheadS, exp: typeof token === 'string' ? tokenExp(token) : undefined };
  const ok = check(res, LOGIN_CHECKS);
  if (!ok && res.status !== 200) countFailure(res);
  if (!ok)
    warn(() => {
      if (res.status !== 200) return failedStatus('login', res);
      if (!jsonType(res)) return typeLine('login', res);
      if (!LOGIN_CHECKS['login: token is a JWT']())
        return `login: token is ${typeof token === 'string' ? 'not a JWT' : `missing (${typeof token})`}`;
      if (!Number.isFinite(expireMs))
        return `login: expire is not an RFC 3339 time (it is a ${typeof expire}${typeof expire === 'number' ? `: ${expire}` : ''})`;
      if (!LOGIN_CHECKS['login: expire is 24h ahead']())
        return (
          `login: token expires in ${humanLifetime(aheadS, toleranceS)}, ` +
          `expected ${expectedLifetime(TOKEN_LIFETIME_S, toleranceS)} (expire=${String(expire)})`
        );
      const exp = login.exp;
      const expAt = exp === undefined ? 'missing' : new Date(exp * 1000).toISOString();
      return `login: expire (${String(expire)}) is not the token's exp (${expAt})`;
    });
  return ok;
}
