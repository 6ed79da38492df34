// token works: the fresh token is accepted by an account route (credits) and the credits body is
// the contract's (a JSON number).
import { CreditsAvailable } from '../../core/schemas.ts';
import { checkShape } from '../../core/shape.ts';
import { describeAnswer, ms, timed, type Check } from './context.ts';

export const tokenWorks: Check = {
  name: 'token-works',
  needs: ['login'],
  async run(ctx) {
    const res = await timed(ctx, 'credits', () => ctx.api.creditsAvailable(ctx.fresh!.token));
    if (res.status === 401 || res.status === 403)
      return { status: 'fail', message: `the fresh token was refused by credits: ${describeAnswer(res, ctx.secrets)}` };
    if (res.status !== 200) return { status: 'fail', message: `credits answered ${describeAnswer(res, ctx.secrets)}, expected 200` };
    const shape = checkShape(CreditsAvailable, res.body, 'credits body');
    if (!shape.ok) return { status: 'fail', message: shape.problem };
    return { status: 'pass', message: `the fresh token is accepted by credits (${ms(res.ms)}); the body matches the contract` };
  },
};
