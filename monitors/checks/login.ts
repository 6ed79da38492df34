// login: the monitoring account logs in and the body keeps the contract. On first use without
// MONITOR_USERNAME it registers the dedicated account, once, and keeps it in the state.
import { randomBytes } from 'node:crypto';
import { LoginOk, RegisterOk } from '../../core/schemas.ts';
import type { Account } from '../state.ts';
import { describeAnswer, judge, ms, timed, type Check, type PassContext, type Verdict } from './context.ts';

async function dedicatedAccount(ctx: PassContext): Promise<{ account: Account; drift: string[] } | Verdict> {
  const kept = ctx.state.account(ctx.target);
  if (kept) return { account: kept, drift: [] };
  const id = randomBytes(6).toString('hex');
  const account: Account = {
    username: `temporal-monitor-${id}`,
    password: randomBytes(18).toString('base64url'),
    email: `temporal-monitor-${id}@example.com`,
  };
  ctx.secrets.push(account.password);
  ctx.passwords.push(account.password);
  const res = await ctx.api.register({ username: account.username, password: account.password, email_address: account.email });
  if (res.status !== 200)
    return { status: 'fail', message: `could not register the monitoring account: register answered ${describeAnswer(res, ctx.secrets)}` };
  const v = judge(ctx, RegisterOk, res);
  if (v.broken) return { status: 'fail', message: `could not register the monitoring account: ${v.broken}`, drift: v.drift };
  ctx.state.saveAccount(ctx.target, account);
  return { account, drift: v.drift };
}

export const login: Check = {
  name: 'login',
  async run(ctx) {
    let username: string;
    let password: string;
    let registered = '';
    const drift: string[] = [];
    if (ctx.credentials) ({ username, password } = ctx.credentials);
    else {
      const had = ctx.state.account(ctx.target) !== undefined;
      const acct = await dedicatedAccount(ctx);
      if ('status' in acct) return acct;
      ({ username, password } = acct.account);
      drift.push(...acct.drift);
      if (!had) registered = ' (registered it as the dedicated monitoring account)';
    }
    ctx.secrets.push(password);
    ctx.passwords.push(password);
    const res = await timed(ctx, 'login', () => ctx.api.login({ username, password }));
    if (res.status === 401)
      return {
        status: 'fail',
        message: `the monitoring account ${username} was refused: login answered ${describeAnswer(res, ctx.secrets)}`,
        drift,
      };
    if (res.status !== 200) return { status: 'fail', message: `login answered ${describeAnswer(res, ctx.secrets)}, expected 200`, drift };
    const token = (res.body as { token?: unknown } | undefined)?.token;
    if (typeof token === 'string') ctx.secrets.push(token);
    const v = judge(ctx, LoginOk, res);
    drift.push(...v.drift);
    if (!v.ok) return { status: 'fail', message: v.broken!, drift };
    const { expire } = v.data;
    ctx.fresh = {
      token: v.data.token,
      expire,
      expireS: Date.parse(expire) / 1000,
      headers: res.headers,
      receivedAtMs: Date.now(),
    };
    return { status: 'pass', message: `logged in as ${username}${registered} in ${ms(res.ms)}; the body keeps the contract`, drift };
  },
};
