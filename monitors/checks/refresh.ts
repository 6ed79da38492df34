// refresh: the fresh token refreshes into one whose expire is 24 h after now (not earlier than the
// login's), with exp = expire, the same orig_iat (the session is not stretched) and HS256.
import { humanDuration } from '../../core/durations.ts';
import { decodeToken, judgeIssuedToken } from '../../core/jwt.ts';
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
    if (res.status !== 200)
      return { status: 'fail', message: `refresh answered ${describeAnswer(res, ctx.secrets)}, expected 200 with a new token` };
    const token = (res.body as { token?: unknown } | undefined)?.token;
    if (typeof token === 'string') ctx.secrets.push(token);
    const shape = checkShape(LoginOk, res.body, 'refresh body');
    if (!shape.ok) return { status: 'fail', message: shape.problem };
    const loginOrigIat = decodeToken(fresh.token)?.claims.orig_iat;
    const report = judgeIssuedToken(res.headers, shape.data, {
      toleranceS,
      expectedLifetimeS,
      origIatS: typeof loginOrigIat === 'number' ? loginOrigIat : undefined,
    });
    const problems = report.problems.map((p) => `the refreshed token: ${p}`);
    if (Date.parse(shape.data.expire) / 1000 < fresh.expireS)
      problems.unshift(`the refreshed expire (${shape.data.expire}) is earlier than the login's (${fresh.expire})`);
    if (problems.length) return { status: 'fail', message: problems.join('; ') };
    return {
      status: 'pass',
      message: `refresh gave a token expiring in ${humanDuration(report.lifetimeS ?? 0)} (${ms(res.ms)}), orig_iat kept`,
    };
  },
};
