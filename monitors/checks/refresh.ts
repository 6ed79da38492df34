// refresh: the fresh token refreshes into one whose expire is 24 h after now (not earlier than the
// login's), with exp = expire, the same orig_iat (the session is not stretched) and HS256.
import { TOKEN_ALGORITHM } from '../../core/contract.ts';
import { expectedLifetime, humanDuration } from '../../core/durations.ts';
import { decodeToken, serverNowS } from '../../core/jwt.ts';
import { LoginOk } from '../../core/schemas.ts';
import { checkShape } from '../../core/shape.ts';
import { describeAnswer, ms, timed, type Check } from './context.ts';

export const refresh: Check = {
  name: 'refresh',
  needs: ['login'],
  async run(ctx) {
    const fresh = ctx.fresh!;
    const { toleranceS, expectedLifetimeS } = ctx.config;
    const res = await timed(ctx, 'refresh', () => ctx.api.refresh(fresh.token));
    if (res.status !== 200) return { status: 'fail', message: `refresh answered ${describeAnswer(res, ctx.secrets)}, expected 200 with a new token` };
    const token = (res.body as { token?: unknown } | undefined)?.token;
    if (typeof token === 'string') ctx.secrets.push(token);
    const shape = checkShape(LoginOk, res.body, 'refresh body');
    if (!shape.ok) return { status: 'fail', message: shape.problem };
    const expireS = Date.parse(shape.data.expire) / 1000;
    const nowS = serverNowS(res.headers) ?? Date.now() / 1000;
    const decoded = decodeToken(shape.data.token);
    const problems: string[] = [];
    if (expireS < fresh.expireS) problems.push(`the refreshed expire (${shape.data.expire}) is earlier than the login's (${fresh.expire})`);
    if (Math.abs(expireS - nowS - expectedLifetimeS) > toleranceS)
      problems.push(`the refreshed token expires in ${humanDuration(expireS - nowS)}, expected ${expectedLifetime(expectedLifetimeS, toleranceS)}`);
    if (!decoded) problems.push('the refreshed token does not decode as a JWT');
    else {
      const { exp, orig_iat } = decoded.claims;
      if (decoded.header.alg !== TOKEN_ALGORITHM) problems.push(`the refreshed token's algorithm is ${String(decoded.header.alg)}, expected ${TOKEN_ALGORITHM}`);
      if (typeof exp !== 'number' || Math.abs(exp - expireS) > 1) problems.push(`the refreshed expire (${shape.data.expire}) and its exp differ`);
      if (fresh.origIat !== undefined && orig_iat !== fresh.origIat)
        problems.push(`refresh changed orig_iat (${String(orig_iat)}, was ${fresh.origIat}): sessions could be stretched forever`);
    }
    if (problems.length) return { status: 'fail', message: problems.join('; ') };
    return { status: 'pass', message: `refresh gave a token expiring in ${humanDuration(expireS - nowS)} (${ms(res.ms)}), orig_iat kept` };
  },
};
