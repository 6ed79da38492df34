// token lifetime: the fresh token's expire is 24 h after the server's Date header, exp = expire,
// orig_iat is now, the algorithm is HS256. Clock skew is reported, so a wrong clock is seen as one.
import { humanDuration, humanLifetime } from '../../core/durations.ts';
import { judgeIssuedToken } from '../../core/jwt.ts';
import type { Check } from './context.ts';

const signed = (s: number): string => `${s >= 0 ? '+' : '−'}${humanDuration(Math.abs(s))}`;
/** Date and orig_iat are whole seconds, so a gap under 1.5 s is no skew at all. */
const skewText = (s: number): string => (Math.abs(s) < 1.5 ? 'in step' : signed(s));

export const tokenLifetime: Check = {
  name: 'token-lifetime',
  needs: ['login'],
  async run(ctx) {
    const fresh = ctx.fresh!;
    const { toleranceS, expectedLifetimeS } = ctx.config;
    const report = judgeIssuedToken(fresh.headers, fresh, { toleranceS, expectedLifetimeS, localNowS: fresh.receivedAtMs / 1000 });
    const { nowS, localS, serverS: dateS } = report;
    const problems = [...report.problems];
    const origIat = report.claims?.orig_iat;
    // The signer's clock against the server's own Date header: both come from the server, so a gap
    // is the server's fault, not ours.
    if (origIat !== undefined && Math.abs(origIat - nowS) > toleranceS + 1)
      problems.push(
        `the token's orig_iat is ${signed(origIat - nowS)} from the server's Date header (tolerance ` +
          `${humanDuration(toleranceS)}): the token signer's clock is off`,
      );
    const skew = [
      dateS === undefined ? 'no Date header' : `server Date ${skewText(dateS - localS)} with the local clock`,
      origIat === undefined ? undefined : `orig_iat ${skewText(origIat - localS)} with the local clock`,
    ]
      .filter(Boolean)
      .join(', ');
    if (problems.length) return { status: 'fail', message: `${problems.join('; ')} (clock skew: ${skew})` };
    const localSkew = dateS === undefined ? 0 : Math.abs(dateS - localS);
    const lifetime = humanLifetime(report.lifetimeS ?? 0, toleranceS);
    const summary = `token expires in ${lifetime} (expire = exp = ${fresh.expire}), ${report.alg}; clock skew: ${skew}`;
    // Our own clock being off is worth a look but is not the API's outage.
    if (localSkew > toleranceS + 1)
      return {
        status: 'degraded',
        message: `${summary} — this machine's clock is more than ${humanDuration(toleranceS)} off the server's`,
      };
    return { status: 'pass', message: summary };
  },
};
