// refresh: the fresh token refreshes into one whose expire is 24 h after now (not earlier than the
// login's), with exp = expire, the same orig_iat (the session is not stretched), exp moved on by the
// time since the login (the session is extended), whole-second claims written as integers, and HS256.
import { setTimeout as sleep } from 'node:timers/promises';
import { humanDuration, humanLifetime } from '../../core/durations.ts';
import { decodeToken, judgeIssuedToken } from '../../core/jwt.ts';
import { LoginOk } from '../../core/schemas.ts';
import { describeAnswer, judge, ms, timed, type Check } from './context.ts';

/** Token times and the Date header are whole seconds, and the Date may be written a second after the
 *  token is signed: two seconds after the login, a reset orig_iat and an exp that did not move both
 *  show. A second on our clock is a second on the server's, whatever their offset. */
const AFTER_TWO_SECONDS_MS = 2100;

export const refresh: Check = {
  name: 'refresh',
  needs: ['login'],
  async run(ctx) {
    const fresh = ctx.fresh!;
    const { toleranceS, expectedLifetimeS } = ctx.config;
    const wait = fresh.receivedAtMs + AFTER_TWO_SECONDS_MS - Date.now();
    if (wait > 0) await sleep(wait);
    const res = await timed(ctx, 'refresh', () => ctx.api.refresh(fresh.token));
    if (res.status !== 200)
      return { status: 'fail', message: `refresh answered ${describeAnswer(res, ctx.secrets)}, expected 200 with a new token` };
    const token = (res.body as { token?: unknown } | undefined)?.token;
    if (typeof token === 'string') ctx.secrets.push(token);
    const v = judge(ctx, LoginOk, res);
    if (!v.ok) return { status: 'fail', message: v.broken!, drift: v.drift };
    const login = decodeToken(fresh.token)?.claims;
    const loginOrigIat = typeof login?.orig_iat === 'number' ? login.orig_iat : undefined;
    const report = judgeIssuedToken(res.headers, v.data, {
      toleranceS,
      expectedLifetimeS,
      origIatS: loginOrigIat,
      replaced: loginOrigIat !== undefined && typeof login?.exp === 'number' ? { expS: login.exp, issuedS: loginOrigIat } : undefined,
      answerMs: res.ms,
    });
    const problems = report.problems.map((p) => `the refreshed token: ${p}`);
    if (Date.parse(v.data.expire) / 1000 < fresh.expireS)
      problems.unshift(`the refreshed expire (${v.data.expire}) is earlier than the login's (${fresh.expire})`);
    if (problems.length) return { status: 'fail', message: problems.join('; '), drift: v.drift };
    return {
      status: 'pass',
      message:
        `refresh gave a token expiring in ${humanLifetime(report.lifetimeS ?? 0, toleranceS)} (${ms(res.ms)}), orig_iat kept, exp moved on ` +
        `${humanDuration((report.claims?.exp ?? 0) - (typeof login?.exp === 'number' ? login.exp : 0))} since the login`,
      drift: v.drift,
    };
  },
};
