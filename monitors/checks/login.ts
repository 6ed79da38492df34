// login: the monitoring account logs in and the body is what the contract says. On first use
// without MONITOR_USERNAME it registers the dedicated account, once, and keeps it in the state.
import { randomBytes } from 'node:crypto';
import { LoginOk, RegisterOk } from '../../core/schemas.ts';
import { checkShape } from '../../core/shape.ts';
import type { Account } from '../state.ts';
import { describeAnswer, ms, timed, type Check, type PassContext, type Verdict } from './context.ts';

async function dedicatedAccount(ctx: PassContext): Promise<Account | Verdict> {
  const kept = ctx.state.account(ctx.target);
  if (kept) return kept;
  const id = randomBytes(6).toString('hex');
  const account: Account = {
    username: `temporal-monitor-${id}`,
    password: randomBytes(18).toString('base64url'),
    email: `temporal-monitor-${id}@example.com`,
  };
  ctx.secrets.push(account.password);
  const res = await ctx.api.register({ username: account.username, password: account.password, email_address: account.email });
  if (res.status !== 200)
    return { status: 'fail', message: `could not register the monitoring account: register answered ${describeAnswer(res, ctx.secrets)}` };
  const shape = checkShape(RegisterOk, res.body, 'register body');
  if (!shape.ok)
    return { status: 'fail', message: `could not register the monitoring account: register answered HTTP 200 but the ${shape.problem}` };
  ctx.state.saveAccount(ctx.target, account);
  return account;
}

export const login: Check = {
  name: 'login',
  async run(ctx) {
    let username: string;
    let password: string;
    let registered = '';
    if (ctx.credentials) ({ username, password } = ctx.credentials);
    else {
      const had = ctx.state.account(ctx.target) !== undefined;
      const acct = await dedicatedAccount(ctx);
      if ('status' in acct) return acct;
      ({ username, password } = acct);
      if (!had) registered = ' (registered it as the dedicated monitoring account)';
    }
    ctx.secrets.push(password);
    const res = await timed(ctx, 'login', () => ctx.api.login({ username, password }));
    if (res.status === 401)
      return {
        status: 'fail',
        message: `the monitoring account ${username} was refused: login answered ${describeAnswer(res, ctx.secrets)}`,
      };
    if (res.status !== 200) return { status: 'fail', message: `login answered ${describeAnswer(res, ctx.secrets)}, expected 200` };
    const token = (res.body as { token?: unknown } | undefined)?.token;
    if (typeof token === 'string') ctx.secrets.push(token);
    const shape = checkShape(LoginOk, res.body, 'login body');
    if (!shape.ok) return { status: 'fail', message: shape.problem };
    const { expire } = shape.data;
    ctx.fresh = {
      token: shape.data.token,
      expire,
      expireS: Date.parse(expire) / 1000,
      headers: res.headers,
      receivedAtMs: Date.now(),
    };
    return { status: 'pass', message: `logged in as ${username}${registered} in ${ms(res.ms)}; the body matches the contract` };
  },
};
