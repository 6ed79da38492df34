// Reading tokens without the key (jose's decoders) and judging their lifetime in on-call words.
// jose's two decoders by their own entry points: its index loads ~45 modules (signing, JWE, JWKS)
// that a monitor pass, which only reads tokens, would pay for on every start.
import { decodeProtectedHeader } from 'jose/decode/protected_header';
import { decodeJwt } from 'jose/jwt/decode';
import { TOKEN_LIFETIME_S, TOKEN_ALGORITHM } from './contract.ts';
import { dateHeaderS, humanDuration, humanLifetime, expectedLifetime, rfc3339 } from './durations.ts';
import { TokenClaims, TokenHeader } from './schemas.ts';
import { checkShape } from './shape.ts';

export interface DecodedToken {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
}

/** Header and claims of a JWT, unverified; undefined when it does not decode. */
export function decodeToken(token: string): DecodedToken | undefined {
  try {
    return { header: decodeProtectedHeader(token) as Record<string, unknown>, claims: decodeJwt(token) as Record<string, unknown> };
  } catch {
    return undefined;
  }
}

export interface LifetimeInput {
  token: string;
  /** The login/refresh body's `expire` (RFC 3339). */
  expire: string;
  /** Unix seconds to measure against: the server's Date header, or our clock. */
  nowS: number;
  /** What "now" is, for the message ("server Date", "local clock"). */
  nowLabel?: string;
  expectedLifetimeS?: number;
  toleranceS: number;
  /** A refreshed token: its orig_iat must be this (the original login time) instead of exp − lifetime. */
  origIatS?: number;
}

/** The claims the contract says are whole unix seconds. */
const WHOLE_SECONDS = ['exp', 'orig_iat'] as const;

/**
 * How the whole-second claims are written in the token's JSON: a JSON integer, nothing else. Read from
 * the text, not the parsed value: JSON.parse reads `1764950400.0` and `1.7649504e9` as integers, but a
 * client that decodes the claim into an integer type (Go's int64, Java's long) fails on both.
 */
export function claimWritingProblems(token: string): string[] {
  let text: string;
  try {
    text = Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8');
  } catch {
    return [];
  }
  const problems: string[] = [];
  for (const name of WHOLE_SECONDS) {
    const m = new RegExp(`"${name}"\\s*:\\s*(-?[0-9][0-9.eE+-]*)`).exec(text);
    if (m && !/^-?[0-9]+$/.test(m[1]!))
      problems.push(
        `the token's ${name} is written ${m[1]!.slice(0, 30)}, expected whole unix seconds as a JSON integer (a client that reads ` +
          'it into an integer fails)',
      );
  }
  return problems;
}

export interface Replaced {
  /** The replaced token's exp. */
  expS: number;
  /** The unix second it was issued (a login token's orig_iat). */
  issuedS: number;
}

/**
 * A refresh must extend the session: the new token's exp moves forward by the time that passed since
 * the token it replaces was issued, on the server's clock (its Date header, whole seconds). The Date is
 * written after the token is signed, so it may be a second later (more when the answer was slow): that
 * much slack. A refresh that keeps the old exp passes a "24 h ± 60 s" check for a minute after login,
 * and every session then dies 24 h after login whatever the client refreshes.
 */
export function refreshExtensionProblem(
  replaced: Replaced,
  newExpS: number,
  nowS: number,
  answerMs: number,
  label: string,
): string | undefined {
  const elapsed = nowS - replaced.issuedS;
  const moved = newExpS - replaced.expS;
  const slack = 1 + Math.floor(answerMs / 1000);
  if (moved >= elapsed - slack) return undefined;
  const kept = moved === 0 ? ` (the replaced token's own, ${rfc3339(replaced.expS)})` : '';
  return (
    `refresh did not extend the session: the new token's exp moved ${humanDuration(moved)}${kept}, but ${humanDuration(elapsed)} ` +
    `passed since the token it replaces was issued (by ${label}): a session refreshed this way still ends when the first token does`
  );
}

export interface LifetimeReport {
  problems: string[];
  /** expire − now, seconds. */
  lifetimeS?: number;
  claims?: TokenClaims;
  alg?: string;
}

/**
 * Everything the contract promises about an issued token, checked at once: the algorithm, the claims,
 * `expire` = `exp`, `expire` 24 h after now, and `exp − orig_iat` = 24 h for a login (for a refresh,
 * orig_iat kept from the login). Each problem is a sentence.
 */
export function judgeTokenLifetime(input: LifetimeInput): LifetimeReport {
  const expected = input.expectedLifetimeS ?? TOKEN_LIFETIME_S;
  const tol = input.toleranceS;
  const problems: string[] = [];
  const decoded = decodeToken(input.token);
  if (!decoded) return { problems: ['the token does not decode as a JWT'] };
  const header = checkShape(TokenHeader, decoded.header, 'token header');
  const alg = typeof decoded.header.alg === 'string' ? decoded.header.alg : undefined;
  if (!header.ok) problems.push(`token algorithm is ${alg ?? 'missing'}, expected ${TOKEN_ALGORITHM}`);
  const written = claimWritingProblems(input.token);
  if (written.length) return { problems: [...problems, ...written], alg };
  const claims = checkShape(TokenClaims, decoded.claims, 'token claims');
  if (!claims.ok) return { problems: [...problems, claims.problem], alg };
  const { exp, orig_iat } = claims.data;
  const expireS = Date.parse(input.expire) / 1000;
  if (Number.isNaN(expireS)) return { problems: [...problems, `expire '${input.expire}' is not a time`], claims: claims.data, alg };
  const lifetimeS = expireS - input.nowS;
  const label = input.nowLabel ?? 'now';
  if (Math.abs(lifetimeS - expected) > tol)
    problems.push(
      `token expires in ${humanLifetime(lifetimeS, tol)}, expected ${expectedLifetime(expected, tol)} (expire=${input.expire}, ` +
        `measured from ${label})`,
    );
  // Both are whole seconds on the wire: any gap of a second or more is a real disagreement.
  if (Math.abs(exp - expireS) >= 1)
    problems.push(
      `expire (${input.expire}) and the token's exp (${new Date(exp * 1000).toISOString()}) differ by ` +
        `${humanDuration(exp - expireS)}, expected equal`,
    );
  if (input.origIatS !== undefined) {
    if (orig_iat !== input.origIatS)
      problems.push(
        `refresh moved orig_iat by ${humanDuration(orig_iat - input.origIatS)} (${orig_iat}, was ${input.origIatS}): a ` +
          `session could be stretched forever`,
      );
  } else if (Math.abs(exp - orig_iat - expected) > 1)
    problems.push(`the token's exp − orig_iat is ${humanDuration(exp - orig_iat)}, expected ${humanDuration(expected)}`);
  return { problems, lifetimeS, claims: claims.data, alg };
}

/** The server's clock from a Date header, unix seconds; undefined when absent or unreadable. */
export function serverNowS(headers: Record<string, string>): number | undefined {
  return dateHeaderS(headers.date);
}

export interface IssuedTokenOptions extends Pick<LifetimeInput, 'toleranceS' | 'expectedLifetimeS' | 'origIatS'> {
  /** Our clock when the answer arrived, unix seconds (default: now). */
  localNowS?: number;
  /** A refresh: the token it replaced, whose exp the new one must move past (refreshExtensionProblem). */
  replaced?: Replaced;
  /** How long the answer took, ms (the slack of the extension rule). */
  answerMs?: number;
}

/** judgeTokenLifetime for a login or refresh answer, measured from its Date header (our clock when
 *  there is none, and the message says so). Also returns the clocks it used. */
export function judgeIssuedToken(
  headers: Record<string, string>,
  body: { token: string; expire: string },
  o: IssuedTokenOptions,
): LifetimeReport & { nowS: number; serverS?: number; localS: number } {
  const localS = o.localNowS ?? Date.now() / 1000;
  const serverS = serverNowS(headers);
  const nowS = serverS ?? localS;
  const nowLabel = serverS === undefined ? 'the local clock (no Date header)' : "the server's Date header";
  const report = judgeTokenLifetime({ ...o, token: body.token, expire: body.expire, nowS, nowLabel });
  const exp = report.claims?.exp;
  const notExtended = o.replaced && exp !== undefined && refreshExtensionProblem(o.replaced, exp, nowS, o.answerMs ?? 0, nowLabel);
  return { ...report, problems: notExtended ? [...report.problems, notExtended] : report.problems, nowS, serverS, localS };
}
