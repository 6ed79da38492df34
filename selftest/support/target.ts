// Test support: a bundled target in-process plus a client bound to it, and a fresh registered account.
import { randomBytes } from 'node:crypto';
import { type Account, namedAccount } from '../../core/accounts.ts';
import { TemporalClient } from '../../core/client.ts';
import type { Mailer, WelcomeMail } from '../../reference/mailer.ts';
import { type RunningTarget, startTarget as startReferenceTarget, type TargetOptions } from '../../reference/server.ts';
import { PROOF_BCRYPT_COST } from '../../reference/settings.ts';

export interface Harness {
  target: RunningTarget;
  api: TemporalClient;
  close(): Promise<void>;
}

/** The reference target in-process, hashing at the proofs' bcrypt cost (4, not the real server's 10:
 *  a self-test needs bcrypt's answers, not its CPU, and a loaded machine runs out of the latter). */
export const startTarget = (opts: TargetOptions = {}): Promise<RunningTarget> =>
  startReferenceTarget({ bcryptCost: PROOF_BCRYPT_COST, ...opts });

export async function withTarget(opts: TargetOptions = {}): Promise<Harness> {
  const target = await startTarget(opts);
  const api = new TemporalClient({ baseUrl: target.url, timeoutMs: 15_000 }); // room for bcrypt on a loaded machine
  return { target, api, close: () => target.close() };
}

export type { Account };

export const newAccount = (): Account => {
  const id = randomBytes(5).toString('hex');
  return namedAccount('self-test', id, `pw-${id}-Secret!`);
};

/** Registers and logs in; returns the account and its token. */
export async function loggedIn(api: TemporalClient, acct = newAccount()): Promise<Account & { token: string; expire: string }> {
  const r = await api.register(acct);
  if (r.status !== 200) throw new Error(`register answered ${r.status}: ${r.text}`);
  const l = await api.login({ username: acct.username, password: acct.password });
  if (l.status !== 200) throw new Error(`login answered ${l.status}: ${l.text}`);
  const body = l.body as { token: string; expire: string };
  return { ...acct, token: body.token, expire: body.expire };
}

/** A mailer that keeps the welcome mails in memory (latest generation without SMTP). */
export function memoryMailer(): Mailer & { mails: WelcomeMail[]; linkFor(username: string): string } {
  const mails: WelcomeMail[] = [];
  return {
    mails,
    sendWelcome: (m) => void mails.push(m),
    flush: async () => {},
    close: () => {},
    linkFor(username) {
      const m = mails.findLast((x) => x.username === username);
      if (!m) throw new Error(`no welcome mail to ${username}`);
      return m.link;
    },
  };
}
