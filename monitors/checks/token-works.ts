// token works: the fresh token is accepted by the account routes (credits, usage), their bodies
// keep the contract (credits a JSON number; the usage row for this account), and the account's credits
// and tier are what the monitor knows of them (account-values.ts).
import { CreditsAvailable, UsageOk } from '../../core/schemas.ts';
import { accountValueProblems } from './account-values.ts';
import { describeAnswer, judge, ms, timed, type Check } from './context.ts';

export const tokenWorks: Check = {
  name: 'token-works',
  needs: ['login'],
  async run(ctx) {
    const token = ctx.fresh!.token;
    const res = await timed(ctx, 'credits', () => ctx.api.creditsAvailable(token));
    if (res.status === 401 || res.status === 403)
      return { status: 'fail', message: `the fresh token was refused by credits: ${describeAnswer(res, ctx.secrets)}` };
    if (res.status !== 200) return { status: 'fail', message: `credits answered ${describeAnswer(res, ctx.secrets)}, expected 200` };
    const credits = judge(ctx, CreditsAvailable, res);
    if (!credits.ok) return { status: 'fail', message: credits.broken!, drift: credits.drift };
    const answer = await timed(ctx, 'usage', () => ctx.api.usage(token));
    if (answer.status !== 200)
      return { status: 'fail', message: `usage answered ${describeAnswer(answer, ctx.secrets)}, expected 200`, drift: credits.drift };
    const usage = judge(ctx, UsageOk, answer);
    const drift = [...credits.drift, ...usage.drift];
    if (!usage.ok) return { status: 'fail', message: usage.broken!, drift };
    const values = accountValueProblems(ctx, ctx.fresh!.username, { credits: credits.data.response, tier: usage.data.response.Tier });
    if (values.problems.length) return { status: 'fail', message: values.problems.join('; '), drift };
    return {
      status: 'pass',
      message:
        `the fresh token is accepted by credits (${ms(res.ms)}) and usage (${ms(answer.ms)}); both bodies keep the contract; ` +
        values.note,
      drift,
    };
  },
};
