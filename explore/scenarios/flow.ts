// Account flows, model-based: fast-check generates sequences of commands (register, register a taken
// name, verify, log in with the current, a previous or a wrong password, read credits, usage and the
// token's username, refresh, change the password, upgrade) over up to three accounts; a model of what
// the contract says each account's state is predicts every answer. The commands are plain JSON, so a
// shrunk sequence can be listed in known-issues.json and replayed by fc.asyncModelRun.
import fc from 'fast-check';
import { API_PATHS, MESSAGES } from '../../core/contract.ts';
import { decodeToken, refreshExtensionProblem, serverNowS } from '../../core/jwt.ts';
import {
  AccountUpgraded,
  CreditsAvailable,
  HandlerError,
  LoginOk,
  PasswordChanged,
  RegisterOk,
  TokenUsername,
  UsageOk,
} from '../../core/schemas.ts';
import { StepFailed } from '../properties.ts';
import type { Scenario } from '../scenario.ts';
import type { World } from '../world.ts';
import { postForm } from './forms.ts';
import { logIn } from './steps.ts';

interface Account {
  username: string;
  email: string;
  password: string;
  previous: string[];
  verified: boolean;
  tier: 'unverified' | 'free' | 'paid';
  token?: string;
  /** The login time the token (and its refreshes) must carry. */
  origIat?: number;
  /** The token's exp, and the second it was issued (a login token's orig_iat; a refreshed one's Date):
   *  a refresh must move exp on by the time since. */
  exp?: number;
  issuedS?: number;
}
interface Model {
  accounts: Account[];
}

export type FlowStep =
  | { c: 'register' }
  | { c: 'register-taken'; i: number; reuse: 'username' | 'email' }
  | { c: 'verify'; i: number }
  | { c: 'login'; i: number; by: 'username' | 'email'; with: 'current' | 'previous' | 'wrong' }
  | { c: 'read'; i: number; what: 'credits' | 'usage' | 'token-username' }
  | { c: 'refresh'; i: number }
  | { c: 'change'; i: number; old: 'current' | 'wrong' }
  | { c: 'upgrade'; i: number }
  /** Time passes (a second and a bit): what a token carries must not move with it. */
  | { c: 'wait' };

const MAX_ACCOUNTS = 3;
/** Token times are whole seconds: a refresh must come a second later to show whether orig_iat moves. */
const WAIT_MS = 1100;

const fail = (property: 'account-state' | 'uniqueness', where: string, symptom: string, message: string): never => {
  throw new StepFailed({ property, where, symptom, message });
};

/** One step of a flow as a fast-check command: check() gates it on the model, run() sends it and
 *  compares the answer with what the model predicts, then moves the model on. */
export class FlowCommand implements fc.AsyncCommand<Model, World> {
  constructor(readonly step: FlowStep) {}

  /** The accounts a step can act on: those the model says are in the state it needs. */
  private candidates(m: Readonly<Model>): readonly Account[] {
    const s = this.step;
    switch (s.c) {
      case 'register':
      case 'wait':
        return [];
      case 'register-taken':
        return m.accounts;
      case 'verify':
        return m.accounts.filter((a) => !a.verified);
      case 'login':
        return s.with === 'previous' ? m.accounts.filter((a) => a.previous.length > 0) : m.accounts;
      case 'read':
      case 'refresh':
      case 'change':
      case 'upgrade':
        return m.accounts.filter((a) => a.token !== undefined);
    }
  }

  /** The account a step acts on: its index picks one of the candidates (so few steps are skipped). */
  private account(m: Readonly<Model>): Account | undefined {
    const c = this.candidates(m);
    return 'i' in this.step && c.length ? c[this.step.i % c.length] : undefined;
  }

  check(m: Readonly<Model>): boolean {
    const s = this.step;
    if (s.c === 'register') return m.accounts.length < MAX_ACCOUNTS;
    if (s.c === 'wait') return m.accounts.some((a) => a.token !== undefined);
    return this.account(m) !== undefined;
  }

  async run(m: Model, w: World): Promise<void> {
    const s = this.step;
    const a = this.account(m)!;
    const secrets = m.accounts.flatMap((x) => [x.password, ...x.previous]);
    switch (s.c) {
      case 'register': {
        const username = w.newName();
        const acct: Account = {
          username,
          email: `${username}@example.com`,
          password: w.secretPart(),
          previous: [],
          verified: !w.latest,
          tier: w.latest ? 'unverified' : 'free',
        };
        const res = await w.send('register', (api) => api.register({ username, password: acct.password, email_address: acct.email }), [
          ...secrets,
          acct.password,
        ]);
        w.expect('register', 'register', res, 'account-state', [{ status: 200, schema: RegisterOk }]);
        w.accounts++;
        m.accounts.push(acct);
        return;
      }
      case 'register-taken': {
        const other = w.newName();
        const form =
          s.reuse === 'username'
            ? { username: a.username, password: w.secretPart(), email_address: `${other}@example.com` }
            : { username: other, password: w.secretPart(), email_address: a.email };
        const res = await w.send('register', (api) => api.register(form), [...secrets, form.password]);
        if (res.status === 200) w.accounts++;
        w.expect(`register a taken ${s.reuse === 'username' ? 'username' : 'e-mail address'}`, 'register', res, 'uniqueness', [
          { status: 400, schema: HandlerError, text: s.reuse === 'username' ? MESSAGES.usernameTaken : MESSAGES.emailTaken },
        ]);
        return;
      }
      case 'verify':
        await w.verify({ username: a.username, email_address: a.email });
        a.verified = true;
        a.tier = 'free';
        return;
      case 'login': {
        const password = s.with === 'current' ? a.password : s.with === 'previous' ? a.previous.at(-1)! : `${a.password}-wrong`;
        const accepted = s.with === 'current' && a.verified;
        const step =
          s.with === 'current' && !a.verified
            ? 'login before the e-mail address is verified'
            : `login by ${s.by === 'email' ? 'e-mail address' : 'username'} with ` +
              `${s.with === 'current' ? 'the current' : s.with === 'previous' ? 'a previous' : 'a wrong'} password`;
        const token = await logIn(w, step, 'account-state', {
          login: s.by === 'email' ? a.email : a.username,
          password,
          encoding: 'text',
          accepted,
          account: a.username,
          secrets,
        });
        if (token) {
          const claims = decodeToken(token)?.claims;
          a.token = token;
          a.origIat = claims?.orig_iat as number;
          a.exp = claims?.exp as number;
          a.issuedS = a.origIat;
        }
        return;
      }
      case 'read': {
        const endpoint = s.what === 'credits' ? 'creditsAvailable' : s.what === 'usage' ? 'usage' : 'tokenUsername';
        const res = await w.send(
          endpoint,
          (api) =>
            s.what === 'credits' ? api.creditsAvailable(a.token) : s.what === 'usage' ? api.usage(a.token) : api.tokenUsername(a.token),
          secrets,
        );
        const schema = s.what === 'credits' ? CreditsAvailable : s.what === 'usage' ? UsageOk : TokenUsername;
        const step = `read ${s.what} with the account's token`;
        const body = w.expect(step, endpoint, res, 'account-state', [{ status: 200, schema }], { more: true }) as { response: unknown };
        if (s.what === 'usage') {
          const tier = (body.response as { Tier: string }).Tier;
          if (tier !== a.tier)
            fail(
              'account-state',
              step,
              `the tier is ${tier}, expected ${a.tier}`,
              `usage says tier '${tier}', expected '${a.tier}' for an account that ` +
                `${a.tier === 'paid' ? 'was upgraded' : 'was not upgraded'}`,
            );
        }
        if (s.what === 'token-username' && body.response !== a.username)
          fail('account-state', step, 'names another account', "the token's username route names another account than the token's");
        // Every account a flow makes is new: nothing pays credits in.
        if (s.what === 'credits' && body.response !== 0)
          fail('account-state', step, 'credits are not 0', `credits answered ${String(body.response)} for a new account, expected 0`);
        w.passed(step);
        return;
      }
      case 'refresh': {
        const res = await w.send('refresh', (api) => api.refresh(a.token), secrets);
        const body = w.expect('refresh', 'refresh', res, 'account-state', [{ status: 200, schema: LoginOk }], { more: true }) as {
          token: string;
        };
        const claims = decodeToken(body.token)?.claims ?? {};
        if (claims.id !== a.username)
          fail(
            'account-state',
            'refresh',
            'the new token names another account',
            "refresh gave a token whose id is not the account's username",
          );
        if (claims.orig_iat !== a.origIat)
          fail(
            'account-state',
            'refresh',
            'orig_iat moved',
            `refresh moved orig_iat from ${a.origIat} to ${String(claims.orig_iat)}: a session could be stretched past 48 h by refreshing`,
          );
        const serverS = serverNowS(res.headers);
        const exp = claims.exp as number;
        if (a.exp !== undefined && a.issuedS !== undefined) {
          const label = serverS === undefined ? 'the local clock' : "the server's Date header";
          const stuck = refreshExtensionProblem({ expS: a.exp, issuedS: a.issuedS }, exp, serverS ?? Date.now() / 1000, res.ms, label);
          if (stuck) fail('account-state', 'refresh', 'exp did not move on', stuck);
        }
        a.token = body.token;
        a.exp = exp;
        // The Date is written after the signing: as the issue time it can only make the next check lenient.
        a.issuedS = serverS ?? Math.floor(Date.now() / 1000);
        w.passed('refresh');
        return;
      }
      case 'change': {
        const next = w.secretPart();
        const old = s.old === 'current' ? a.password : `${a.password}-wrong`;
        const res = await w.send(
          'changePassword',
          (api) => postForm(api, API_PATHS.changePassword, { old_password: old, new_password: next }, 'multipart', a.token),
          [...secrets, next, old],
        );
        if (s.old === 'current') {
          w.expect('password change', 'changePassword', res, 'account-state', [{ status: 200, schema: PasswordChanged }]);
          a.previous.push(a.password);
          a.password = next;
        } else
          w.expect('password change with a wrong old password', 'changePassword', res, 'account-state', [
            { status: 400, schema: HandlerError, text: MESSAGES.passwordChangeFailed },
          ]);
        return;
      }
      case 'wait':
        await new Promise((r) => setTimeout(r, WAIT_MS));
        return;
      case 'upgrade': {
        if (!w.upgradeAllowed) return;
        const res = await w.send('upgrade', (api) => api.upgrade(a.token), secrets);
        if (a.tier === 'paid')
          w.expect('upgrade an upgraded account', 'upgrade', res, 'account-state', [
            { status: 400, schema: HandlerError, text: MESSAGES.alreadyUpgraded },
          ]);
        else {
          w.expect('upgrade', 'upgrade', res, 'account-state', [{ status: 200, schema: AccountUpgraded }]);
          a.tier = 'paid';
        }
        return;
      }
    }
  }

  toString(): string {
    return JSON.stringify(this.step);
  }
}

/** The state every flow starts from: one account with a token. */
async function startingModel(w: World): Promise<Model> {
  const model: Model = { accounts: [] };
  await new FlowCommand({ c: 'register' }).run(model, w);
  const a = model.accounts[0]!;
  if (!a.verified) await new FlowCommand({ c: 'verify', i: 0 }).run(model, w);
  await new FlowCommand({ c: 'login', i: 0, by: 'username', with: 'current' }).run(model, w);
  return model;
}

const CORPUS_FLOW: FlowStep[] = [
  { c: 'register-taken', i: 0, reuse: 'username' },
  { c: 'register-taken', i: 0, reuse: 'email' },
  { c: 'read', i: 0, what: 'credits' },
  { c: 'read', i: 0, what: 'usage' },
  { c: 'read', i: 0, what: 'token-username' },
  { c: 'login', i: 0, by: 'email', with: 'wrong' },
  { c: 'wait' },
  { c: 'wait' },
  { c: 'refresh', i: 0 },
  { c: 'change', i: 0, old: 'wrong' },
  { c: 'change', i: 0, old: 'current' },
  { c: 'login', i: 0, by: 'email', with: 'previous' },
  { c: 'login', i: 0, by: 'username', with: 'current' },
  { c: 'register' },
  { c: 'verify', i: 0 },
  { c: 'upgrade', i: 0 },
  { c: 'read', i: 0, what: 'usage' },
  { c: 'upgrade', i: 0 },
];

const idx = fc.nat(MAX_ACCOUNTS - 1);
// Weighted so that flows reach the interesting states: accounts exist and hold tokens.
const STEPS: fc.Arbitrary<FlowStep> = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ c: 'register' as const }) },
  {
    weight: 1,
    arbitrary: fc.record({
      c: fc.constant('register-taken' as const),
      i: idx,
      reuse: fc.constantFrom('username', 'email') as fc.Arbitrary<'username' | 'email'>,
    }),
  },
  { weight: 2, arbitrary: fc.record({ c: fc.constant('verify' as const), i: idx }) },
  {
    weight: 4,
    arbitrary: fc.record({
      c: fc.constant('login' as const),
      i: idx,
      by: fc.constantFrom('username', 'email') as fc.Arbitrary<'username' | 'email'>,
      with: fc.constantFrom('current', 'current', 'previous', 'wrong') as fc.Arbitrary<'current' | 'previous' | 'wrong'>,
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      c: fc.constant('read' as const),
      i: idx,
      what: fc.constantFrom('credits', 'usage', 'token-username') as fc.Arbitrary<'credits' | 'usage' | 'token-username'>,
    }),
  },
  { weight: 3, arbitrary: fc.record({ c: fc.constant('refresh' as const), i: idx }) },
  {
    weight: 2,
    arbitrary: fc.record({
      c: fc.constant('change' as const),
      i: idx,
      old: fc.constantFrom('current', 'wrong') as fc.Arbitrary<'current' | 'wrong'>,
    }),
  },
  { weight: 2, arbitrary: fc.record({ c: fc.constant('upgrade' as const), i: idx }) },
  { weight: 2, arbitrary: fc.constant({ c: 'wait' as const }) },
);

/** A step in words (a shrunk flow mostly has one account). */
const stepWords = (s: FlowStep): string => {
  switch (s.c) {
    case 'register':
      return 'register an account';
    case 'register-taken':
      return `register an account's ${s.reuse === 'email' ? 'e-mail address' : 'username'} again`;
    case 'verify':
      return `verify an unverified account`;
    case 'login':
      return (
        `log in by ${s.by === 'email' ? 'e-mail address' : 'username'} with ` +
        `${s.with === 'current' ? 'the current' : s.with === 'previous' ? 'a previous' : 'a wrong'} password`
      );
    case 'read':
      return `read ${s.what} with a token`;
    case 'refresh':
      return 'refresh a token';
    case 'change':
      return `change the password${s.old === 'wrong' ? ' giving a wrong old one' : ''}`;
    case 'upgrade':
      return 'upgrade';
    case 'wait':
      return 'wait a second';
  }
};

const describeSteps = (steps: FlowStep[]): string => steps.map(stepWords).join(', then ');

/** The steps of a shrunk sequence that ran (check() skips the others). */
const stepsOf = (cmds: Iterable<fc.AsyncCommand<Model, World>>): FlowStep[] =>
  [...cmds].filter((c) => (c as { hasRan?: boolean }).hasRan !== false).map((c) => JSON.parse(String(c)) as FlowStep);

export const flow: Scenario<Iterable<fc.AsyncCommand<Model, World>>> = {
  name: 'flow',
  about:
    'model-based flows from a logged-in account, over up to three: register, taken names, verify, logins, reads, refresh, password ' +
    'changes, upgrade, time passing',
  weight: 4,
  arbitrary: () => fc.commands([STEPS.map((step) => new FlowCommand(step))], { maxCommands: 12, size: 'medium' }),
  // One flow with every command: taken names, reads, wrong and previous passwords, a refresh two seconds
  // on (time enough for an exp that does not move to show), a change, a second account and an upgrade.
  corpus: () => [CORPUS_FLOW.map((step) => new FlowCommand(step))],
  // Every flow starts from an account that is registered, verified and logged in, so its first steps already act.
  run: (cmds, w) => fc.asyncModelRun(async () => ({ model: await startingModel(w), real: w }), cmds),
  toJson: (cmds) => stepsOf(cmds),
  fromJson(j) {
    if (!Array.isArray(j)) throw new Error('flow: expected a JSON array of steps');
    return j.map((s) => new FlowCommand(s as FlowStep));
  },
  classes: () => [],
  describe: (cmds) => `the flow: ${describeSteps(stepsOf(cmds))}`,
};
