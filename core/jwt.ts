// Reading tokens without the key (jose's decoders) and judging their lifetime in on-call words.
// jose's two decoders by their own entry points: its index loads ~45 modules (signing, JWE, JWKS)
// that a monitor pass, which only reads tokens, would pay for on every start.
import { decodeProtectedHeader } from 'jose/decode/protected_header';
import { decodeJwt } from 'jose/jwt/decode';
import { TOKEN_LIFETIME_S, TOKEN_ALGORITHM } from './contract.ts';
import { dateHeaderS, humanDuration, expectedLifetime } from './durations.ts';
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
  const claims = checkShape(TokenClaims, decoded.claims, 'token claims');
  if (!claims.ok) return { problems: [...problems, claims.problem], alg };
  const { exp, orig_iat } = claims.data;
  const expireS = Date.parse(input.expire) / 1000;
  if (Number.isNaN(expireS)) return { problems: [...problems, `expire '${input.expire}' is not a time`], claims: claims.data, alg };
  const lifetimeS = expireS - input.nowS;
  const label = input.nowLabel ?? 'now';
  if (Math.abs(lifetimeS - expected) > tol)
    problems.push(
      `token expires in ${humanDuration(lifetimeS)}, expected ${expectedLifetime(expected, tol)} (expire=${input.expire}, ` +
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
  return { ...judgeTokenLifetime({ ...o, token: body.token, expire: body.expire, nowS, nowLabel }), nowS, serverS, localS };
}
