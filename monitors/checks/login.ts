// login: the monitoring account logs in and the body keeps the contract. Without MONITOR_USERNAME
// the monitor uses a dedicated account it registers itself (verifying it by its mail on a target of
// the latest generation) and keeps in the state. When that account is refused later (a staging
// reset, an in-memory target restarted), the monitor heals once per pass: it registers and verifies
// a new one and says so; a given account it cannot re-create, so the message says what to do.
import { randomBytes } from 'node:crypto';
import { detectionLine } from '../../core/generation.ts';
import { unverifiedHint } from '../../core/mail/hints.ts';
import { VerificationError, verifyByMail } from '../../core/mail/verify.ts';
import { LoginOk, RegisterOk } from '../../core/schemas.ts';
import { type Account, namedAccount } from '../../core/accounts.ts';
import { describeAnswer, judge, ms, timed, type Check, type PassContext, type Verdict } from './context.ts';

/** How long a refused account's old mail is looked for before healing: it is there or long gone. */
const OLD_MAIL_WAIT_MS = 2000;

const isVerdict = (x: unknown): x is Verdict => typeof x === 'object' && x !== null && 'status' in x;

/** Opens the link mailed to `account` (latest generation); a fail verdict when that does not work. */
async function verifyAccount(ctx: PassContext, account: Account, waitMs: number): Promise<Verdict | undefined> {
  if (ctx.generation !== 'latest') return undefined;
  if (!ctx.inbox)
    return {
      status: 'fail',
      message:
        `the monitoring account ${account.username} cannot be verified: TARGET_GENERATION=latest needs MAIL_INBOX_URL, ` +
        `or MONITOR_USERNAME/MONITOR_PASSWORD of an account verified beforehand`,
    };
  try {
    await verifyByMail(ctx.api, ctx.inbox, account, waitMs);
    return undefined;
  } catch (err) {
    // Verified by the first open, broken by the second: the account can log in; the link is the bug.
    if (err instanceof VerificationError && err.stage === 'again') {
      ctx.linkProblem = err.message;
      return undefined;
    }
    if (err instanceof VerificationError) return { status: 'fail', message: `the monitoring account: ${err.message}` };
    throw err;
  }
}

/** A new dedicated account's name and password (its password a secret of the pass from here on). */
function newDedicated(ctx: PassContext): Account {
  // Named as a real user may be (a dot, mixed case, a hyphen, digits): `temporal-monitor-Synthetic.Probe-4f0c1a2b3c4d`.
  const id = `Synthetic.Probe-${randomBytes(6).toString('hex')}`;
  const account = namedAccount('monitor', id, randomBytes(18).toString('base64url'));
  ctx.secrets.push(account.password);
  ctx.passwords.push(account.password);
  return account;
}

/**
 * TARGET_GENERATION=auto and no dedicated account yet: the one it registers tells the generation
 * (core/generation.ts: logged in at once, or only once the link mailed to it was opened). The
 * generation is kept with the account in the state: later passes and runs do not ask again.
 */
async function detectDedicated(ctx: PassContext, drift: string[]): Promise<Account | Verdict> {
  const account = newDedicated(ctx);
  const d = await ctx.detect!(account);
  ctx.detection = d;
  ctx.generation = d.generation;
  if (d.register) {
    const v = judge(ctx, RegisterOk, d.register);
    drift.push(...v.drift);
    if (v.broken) return { status: 'fail', message: `could not register the monitoring account: ${v.broken}`, drift };
  }
  ctx.state.saveAccount(ctx.target, account, d.generation);
  if (!d.account?.usable) return { status: 'fail', message: `the monitoring account ${account.username}: ${d.why}`, drift };
  ctx.accountNote = ` (registered it as the dedicated monitoring account; ${detectionLine(d).replace(/^Generation/, 'generation')})`;
  return account;
}

/** Registers (and verifies) a new dedicated account and keeps it in the state. */
async function registerDedicated(ctx: PassContext, drift: string[]): Promise<Account | Verdict> {
  if (ctx.generation === 'auto' && ctx.detect) return detectDedicated(ctx, drift);
  const account = newDedicated(ctx);
  const res = await ctx.api.register(account);
  if (res.status !== 200)
    return { status: 'fail', message: `could not register the monitoring account: register answered ${describeAnswer(res, ctx.secrets)}` };
  const v = judge(ctx, RegisterOk, res);
  drift.push(...v.drift);
  if (v.broken) return { status: 'fail', message: `could not register the monitoring account: ${v.broken}`, drift };
  // Kept before it is verified: a mail that comes late is still found by a later attempt or pass.
  ctx.state.saveAccount(ctx.target, account);
  return (await verifyAccount(ctx, account, ctx.mailWaitMs)) ?? account;
}

type Login = Awaited<ReturnType<PassContext['api']['login']>>;
const logIn = (ctx: PassContext, a: { username: string; password: string }): Promise<Login> =>
  timed(ctx, 'login', () => ctx.api.login({ username: a.username, password: a.password }));

/**
 * The dedicated account was refused (401). On a latest target its link may simply not have been
 * opened yet (the mail came late); else it is gone, and a new one is registered (once per pass).
 * Returns the new login answer, or the verdict that ends the check.
 */
async function heal(
  ctx: PassContext,
  account: Account,
  refused: Login,
  drift: string[],
): Promise<{ res: Login; account: Account; drop?: number[] } | Verdict> {
  const why = `login answered ${describeAnswer(refused, ctx.secrets)}`;
  if (ctx.generation === 'latest' && ctx.inbox && !(await verifyAccount(ctx, account, OLD_MAIL_WAIT_MS))) {
    const res = await logIn(ctx, account);
    if (res.status !== 401) {
      ctx.accountNote = ' (it was refused until its e-mail address was verified: opened the link mailed to it)';
      return { res, account };
    }
  }
  ctx.accountMade = true;
  const fresh = await registerDedicated(ctx, drift);
  if (isVerdict(fresh))
    return {
      ...fresh,
      message: `the monitoring account ${account.username} was refused (${why}) and a new one could not be made: ${fresh.message}`,
    };
  ctx.accountNote =
    ` (the account it had, ${account.username}, was refused: ${why}; it has gone, as after a reset or restart ` +
    `of the target, so the monitor registered${ctx.generation === 'latest' ? ' and verified' : ''} this new one)`;
  // Tokens of the account that is gone say nothing about the server any more: forgotten, not probed.
  const drop = ctx.kept.map((k) => k.id);
  ctx.kept = [];
  return { res: await logIn(ctx, fresh), account: fresh, drop };
}

/** Why an account made in this pass may be refused: never "login is broken" for one that was never
 *  verified (the latest generation's new accounts cannot log in until then). */
function madeAndRefused(ctx: PassContext): string {
  if (ctx.generation === 'latest') return 'it was made in this pass and is not verified: the link mailed to it could not be opened';
  if (ctx.detection) return 'it was made in this pass and logged in once already, so login itself is broken';
  return (
    'it was made in this pass and refused at once: a new account of the documented generation (TARGET_GENERATION=documented) ' +
    'logs in at once, so either login is broken, or the target is of the latest generation and the account is not verified ' +
    '(unset TARGET_GENERATION to let the monitor tell which)'
  );
}

export const login: Check = {
  name: 'login',
  async run(ctx) {
    const drift: string[] = [];
    let account: Account | undefined;
    if (!ctx.credentials) {
      account = ctx.state.account(ctx.target);
      if (!account) {
        ctx.accountMade = true;
        const detecting = ctx.generation === 'auto';
        const made = await registerDedicated(ctx, drift);
        if (isVerdict(made)) return made;
        account = made;
        if (!detecting)
          ctx.accountNote =
            ` (registered it as the dedicated monitoring ` +
            `account${ctx.generation === 'latest' ? ' and opened the link mailed to it' : ''})`;
      }
    }
    const who = ctx.credentials ?? account!;
    ctx.secrets.push(who.password);
    ctx.passwords.push(who.password);
    let res = await logIn(ctx, who);
    let drop: number[] | undefined;
    if (res.status === 401 && account) {
      if (!ctx.accountMade) {
        // Refused: made again, once per pass.
        const healed = await heal(ctx, account, res, drift);
        if (isVerdict(healed)) return healed;
        ({ res, account, drop } = healed);
      } else if (ctx.generation === 'latest' && ctx.inbox) {
        // Made in this pass and not verified: a retry opens the link if it has come since, or says
        // again why it cannot (the link refused, no mail).
        const unverified = await verifyAccount(ctx, account, OLD_MAIL_WAIT_MS);
        if (unverified) return { ...unverified, drift };
        res = await logIn(ctx, account);
        ctx.accountNote = ' (registered it as the dedicated monitoring account and opened the link mailed to it, which came late)';
      }
    }
    const note = ctx.accountNote ?? '';
    const verdict = (v: Verdict): Verdict => ({ ...v, drift, ...(drop?.length ? { drop } : {}) });
    const username = (account ?? who).username;
    if (res.status === 401)
      return verdict({
        status: 'fail',
        message: ctx.credentials
          ? `the monitoring account ${username} was refused: login answered ` +
            `${describeAnswer(res, ctx.secrets)}${unverifiedHint(ctx.generation)}. ` +
            `It was given (MONITOR_USERNAME), so the monitor cannot re-create it: check that ${username} still ` +
            `exists${ctx.generation === 'latest' ? ' and is verified' : ''} and that MONITOR_PASSWORD is its password ` +
            `(re-create it after a reset of the target), or unset MONITOR_USERNAME and MONITOR_PASSWORD to let the monitor register its own`
          : `the monitoring account ${username} was refused: login answered ${describeAnswer(res, ctx.secrets)}${note}${
              ctx.accountMade ? `; ${madeAndRefused(ctx)}` : ''
            }`,
      });
    if (res.status !== 200) return verdict({ status: 'fail', message: `login answered ${describeAnswer(res, ctx.secrets)}, expected 200` });
    const token = (res.body as { token?: unknown } | undefined)?.token;
    if (typeof token === 'string') ctx.secrets.push(token);
    const v = judge(ctx, LoginOk, res);
    drift.push(...v.drift);
    if (!v.ok) return verdict({ status: 'fail', message: v.broken! });
    if (ctx.linkProblem)
      return verdict({
        status: 'fail',
        message: `the monitoring account ${username} logs in, but ${ctx.linkProblem.replace(/^could not verify \S+ for good: /, '')}`,
      });
    const { expire } = v.data;
    ctx.fresh = {
      username,
      token: v.data.token,
      expire,
      expireS: Date.parse(expire) / 1000,
      headers: res.headers,
      receivedAtMs: Date.now(),
    };
    return verdict({ status: 'pass', message: `logged in as ${username}${note} in ${ms(res.ms)}; the body keeps the contract` });
  },
};
