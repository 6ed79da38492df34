// token lifetime across runs: tokens issued on earlier passes (kept in the state) must still be
// accepted before their expire and refused (401) after it. The only way to see that the server
// really honours the 24 h it promises, both ways.
import { humanDuration, rfc3339 } from '../../core/durations.ts';
import { serverNowS } from '../../core/jwt.ts';
import { describeAnswer, timed, type Check } from './context.ts';

export const tokenAcrossRuns: Check = {
  name: 'token-across-runs',
  // With login down the probes would only repeat the outage (and its alert).
  needs: ['login'],
  async run(ctx) {
    const tol = ctx.config.toleranceS;
    if (ctx.kept.length === 0) return { status: 'pass', message: 'no token from an earlier pass to probe yet (this pass keeps one)' };
    const problems: string[] = [];
    const drop: number[] = [];
    let accepted = 0;
    let waiting = 0;
    for (const kept of ctx.kept) {
      const age = humanDuration((Date.now() - kept.issuedAtMs) / 1000);
      const localLeft = kept.expireS - Date.now() / 1000;
      // Too close to expiry to say which answer is right: ask again next pass.
      if (Math.abs(localLeft) <= tol + 1) {
        waiting++;
        continue;
      }
      const res = await timed(ctx, 'kept token', () => ctx.api.tokenUsername(kept.token));
      // Judge by the server's clock: it decides expiry by its own.
      const left = kept.expireS - (serverNowS(res.headers) ?? Date.now() / 1000);
      const when = `issued ${age} ago, expire=${rfc3339(kept.expireS)}`;
      if (left > tol) {
        if (res.status === 200) accepted++;
        else problems.push(`a token ${when} (${humanDuration(left)} left) is no longer accepted: ${describeAnswer(res, ctx.secrets)}`);
      } else if (left < -tol) {
        if (res.status === 401) drop.push(kept.id);
        else if (res.status === 200)
          problems.push(`a token that expired ${humanDuration(-left)} ago (${when}) is still accepted: the server does not enforce expiry`);
        else
          problems.push(`could not tell whether an expired token (${when}) is refused: ${describeAnswer(res, ctx.secrets)}, expected 401`);
      } else waiting++;
    }
    const summary = [
      accepted && `${accepted} accepted before expiry`,
      drop.length && `${drop.length} refused after expiry (forgotten)`,
      waiting && `${waiting} too close to expiry to judge`,
    ]
      .filter(Boolean)
      .join(', ');
    if (problems.length) return { status: 'fail', message: problems.join('; '), drop };
    return { status: 'pass', message: `kept tokens: ${summary}`, drop };
  },
};
