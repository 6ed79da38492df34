// Tokens the way gin-jwt v2.3 (jwt-go v3) issues and checks them: HS256, claims {exp, id, orig_iat},
// errors in jwt-go's words. The fault set can bend each step the way a real regression would.
import { CompactSign, SignJWT, jwtVerify, decodeJwt, decodeProtectedHeader, errors } from 'jose';
import { MESSAGES } from '../core/contract.ts';
import { rfc3339 } from '../core/durations.ts';
import type { FaultSet } from './faults.ts';

export interface TokenConfig {
  key: string;
  realm: string;
  lifetimeS: number;
  maxRefreshS: number;
  /** Milliseconds since the epoch; injectable so tests can move time. */
  now: () => number;
  faults: FaultSet;
}

export type Verified = { ok: true; username: string; origIat: number; exp: number } | { ok: false; message: string };

const CLOCK_AHEAD_S = 600;
const ROTATED_KEY_SUFFIX = ':rotated';

/** Go's time.RFC3339 for a UTC time: seconds, `Z`. */

export class TokenService {
  private readonly keys = new Map<string, CryptoKey>();
  constructor(private readonly cfg: TokenConfig) {}

  get realm(): string {
    return this.cfg.realm;
  }

  private async key(alg: 'HS256' | 'HS512', rotated = false): Promise<CryptoKey> {
    const id = `${alg}${rotated ? ROTATED_KEY_SUFFIX : ''}`;
    let k = this.keys.get(id);
    if (!k) {
      const raw = new TextEncoder().encode(this.cfg.key + (rotated ? ROTATED_KEY_SUFFIX : ''));
      k = await crypto.subtle.importKey('raw', raw, { name: 'HMAC', hash: alg === 'HS256' ? 'SHA-256' : 'SHA-512' }, false, [
        'sign',
        'verify',
      ]);
      this.keys.set(id, k);
    }
    return k;
  }

  private get signingAlg(): 'HS256' | 'HS512' {
    return this.cfg.faults.has('alg-hs512') ? 'HS512' : 'HS256';
  }

  /** A login or refresh answer: the token and its `expire`. A refresh gives the original login time
   *  (`origIatS`) and the replaced token's `exp` (which only the refresh-keeps-exp fault reuses). */
  async issue(username: string, origIatS?: number, replacedExpS?: number): Promise<{ token: string; expire: string | number }> {
    const f = this.cfg.faults;
    const nowS = Math.floor(this.cfg.now() / 1000) + (f.has('clock-ahead') ? CLOCK_AHEAD_S : 0);
    let exp = nowS + (f.has('token-1h') ? 3600 : this.cfg.lifetimeS);
    if (f.has('refresh-keeps-exp') && replacedExpS !== undefined) exp = replacedExpS;
    const origIat = f.has('refresh-resets-origin') || origIatS === undefined ? nowS : origIatS;
    const key = await this.key(this.signingAlg, f.has('token-rejected'));
    const header = { alg: this.signingAlg, typ: 'JWT' };
    // jwt-go writes MapClaims with sorted keys: exp, id, orig_iat.
    const token = f.has('exp-float')
      ? // A library that stopped truncating writes exp with the milliseconds (`….734`, `….000` too): written by
        // hand, as JSON.stringify would drop a `.000`. expire stays whole seconds.
        await new CompactSign(
          new TextEncoder().encode(
            `{"exp":${exp}.${String(this.cfg.now() % 1000).padStart(3, '0')},"id":${JSON.stringify(username)},"orig_iat":${origIat}}`,
          ),
        )
          .setProtectedHeader(header)
          .sign(key)
      : await new SignJWT({ exp, id: username, orig_iat: origIat }).setProtectedHeader(header).sign(key);
    const expireS = exp + (f.has('expire-not-exp') ? 3600 : 0);
    return { token, expire: f.has('expire-unix') ? expireS : rfc3339(expireS) };
  }

  /** Is a session that began at `origIatS` too old to be refreshed (MaxRefresh)? */
  refreshWindowPassed(origIatS: number): boolean {
    return origIatS < this.cfg.now() / 1000 - this.cfg.maxRefreshS;
  }

  /** The auth middleware's check of an Authorization header. `forRefresh` lets an expired token through. */
  async verify(authorization: string | undefined, forRefresh = false): Promise<Verified> {
    const f = this.cfg.faults;
    if (!authorization) return { ok: false, message: MESSAGES.authHeaderEmpty };
    const parts = authorization.split(' ');
    if (parts.length !== 2 || parts[0] !== 'Bearer') return { ok: false, message: MESSAGES.invalidAuthHeader };
    const token = parts[1]!;
    if (token.split('.').length !== 3) return { ok: false, message: MESSAGES.malformedToken };
    let alg: unknown;
    let claims: Record<string, unknown>;
    try {
      alg = decodeProtectedHeader(token).alg;
      claims = decodeJwt(token) as Record<string, unknown>;
    } catch {
      return { ok: false, message: 'illegal base64 data at input byte 0' };
    }
    // A refresh that takes unsigned tokens while the account routes still refuse them is a bug of its own.
    const unsignedOk = alg === 'none' && (f.has('alg-none-accepted') || (forRefresh && f.has('refresh-accepts-alg-none')));
    if (alg !== this.signingAlg && !unsignedOk) return { ok: false, message: MESSAGES.invalidSigningAlgorithm };
    if (!unsignedOk && !f.has('signature-unchecked')) {
      try {
        await jwtVerify(token, await this.key(this.signingAlg), { algorithms: [this.signingAlg], currentDate: new Date(this.cfg.now()) });
      } catch (err) {
        if (err instanceof errors.JWSSignatureVerificationFailed) return { ok: false, message: MESSAGES.signatureInvalid };
        if (!(err instanceof errors.JWTExpired)) return { ok: false, message: (err as Error).message };
      }
    }
    const exp = claims.exp;
    const id = claims.id;
    if (typeof id !== 'string' || typeof exp !== 'number') return { ok: false, message: 'missing exp field' };
    const nowS = this.cfg.now() / 1000;
    if (!forRefresh && exp <= nowS && !f.has('expired-accepted')) return { ok: false, message: MESSAGES.tokenExpired };
    const origIat = typeof claims.orig_iat === 'number' ? claims.orig_iat : 0;
    if (forRefresh && this.refreshWindowPassed(origIat)) return { ok: false, message: MESSAGES.refreshExpired };
    return { ok: true, username: id, origIat, exp };
  }
}
