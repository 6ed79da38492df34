// The accounts `npm run load` hands to k6 in a JSON file (read there with SharedArray):
// - pre-provisioned ones, LOAD_ACCOUNTS_FILE as it is, or one account given by LOAD_USERNAME and
//   LOAD_PASSWORD (e.g. CI secrets) written to a private temp file removed after the run, so the
//   password never appears in k6's arguments;
// - against a target of the latest generation, where an account logs in only once the link mailed to
//   it is opened, a pool the runner registers and verifies through the inbox before k6 starts (k6
//   cannot read mail; its setup() would only register accounts that cannot log in).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import type { TemporalClient } from '../../core/client.ts';
import { MESSAGES } from '../../core/contract.ts';
import { TransportError } from '../../core/http.ts';
import type { Inbox } from '../../core/mail/index.ts';
import { VerificationError, verifyByMail } from '../../core/mail/verify.ts';
import { excerpt } from '../../core/redact.ts';
import { SettingsError } from '../../core/settings.ts';
import { personLike } from '../../core/accounts.ts';

const AccountList = z.array(z.object({ username: z.string().min(1), password: z.string().min(1) })).min(1);

export interface AccountsFile {
  path?: string;
  cleanup(): void;
}

export function prepareAccounts(s: { LOAD_ACCOUNTS_FILE?: string; LOAD_USERNAME?: string; LOAD_PASSWORD?: string }): AccountsFile {
  if (s.LOAD_ACCOUNTS_FILE) {
    const path = resolve(s.LOAD_ACCOUNTS_FILE);
    let parsed: unknown;
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      throw new SettingsError([`LOAD_ACCOUNTS_FILE: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`]);
    }
    try {
      parsed = JSON.parse(text);
    } catch {
      // JSON.parse quotes the text it chokes on, and this file holds passwords.
      throw new SettingsError([`LOAD_ACCOUNTS_FILE: ${path} is not valid JSON`]);
    }
    if (!AccountList.safeParse(parsed).success)
      throw new SettingsError([`LOAD_ACCOUNTS_FILE: expected a non-empty JSON array of {"username", "password"} in ${path}`]);
    return { path, cleanup: () => {} };
  }
  if (!s.LOAD_USERNAME !== !s.LOAD_PASSWORD)
    throw new SettingsError([
      `${s.LOAD_USERNAME ? 'LOAD_PASSWORD' : 'LOAD_USERNAME'}: set both LOAD_USERNAME and LOAD_PASSWORD, or neither`,
    ]);
  if (!s.LOAD_USERNAME || !s.LOAD_PASSWORD) return { cleanup: () => {} };
  return privateAccountsFile([{ username: s.LOAD_USERNAME, password: s.LOAD_PASSWORD }]);
}

/** Accounts in a file only this user can read, in a temp dir that cleanup() removes. */
export function privateAccountsFile(accounts: readonly { username: string; password: string }[]): AccountsFile & { path: string } {
  const dir = mkdtempSync(join(tmpdir(), 'hx-load-'));
  const path = join(dir, 'accounts.json');
  writeFileSync(path, JSON.stringify(accounts), { mode: 0o600 });
  return { path, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

// ---- the verified pool of a latest target ----

export interface PoolAccount {
  username: string;
  password: string;
}

/** Why the pool could not be made, in the words k6's setup() would use. */
export class PoolError extends Error {
  override name = 'PoolError';
}

/** Registrations and verifications at once: bcrypt makes each registration cost the server ~70 ms. */
const AT_ONCE = 4;
/** A staging blip (a 5xx, no answer) must not sink the run: each step is tried up to this many times,
 *  as k6's own setup() retries its registrations (load/lib/accounts.ts). */
const ATTEMPTS = 6;
const pause = (attempt: number) => new Promise((r) => setTimeout(r, 200 * attempt));

/** Runs `step` until it does not fail transiently (an answer >= 500, or none at all). */
async function retried<T>(step: () => Promise<T>, transient: (x: T) => boolean): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      const out = await step();
      if (!transient(out) || attempt === ATTEMPTS) return out;
    } catch (err) {
      // A refused certificate is refused again a second later: not a blip.
      const blip = err instanceof TransportError && err.kind !== 'tls';
      if (!blip || attempt === ATTEMPTS) throw err;
    }
    await pause(attempt);
  }
}

/** Registers `count` accounts and, given an inbox (a latest target), opens the link mailed to each. */
export async function verifiedPool(
  api: TemporalClient,
  inbox: Inbox | undefined,
  count: number,
  mailWaitMs: number,
): Promise<PoolAccount[]> {
  const id = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  const accounts = Array.from({ length: count }, (_, i) => ({
    // Named as real users are (a dot, mixed case, a hyphen): a server that breaks on such names shows here too.
    username: `hx-load-${id}-${personLike(i)}`,
    password: `pw-${randomBytes(9).toString('base64url')}-${i}-Load!`,
    email_address: `hx-load-${id}-${personLike(i)}@example.test`,
  }));
  let next = 0;
  const one = async (i: number): Promise<void> => {
    const a = accounts[i]!;
    const what = `load account ${i + 1} of ${count}`;
    let tries = 0;
    const res = await retried(
      () => {
        tries++;
        return api.register(a);
      },
      (r) => r.status >= 500,
    );
    // A retry after an answer that was lost may find the account already made: it is ours.
    const ours = res.status === 200 || (tries > 1 && res.status === 400 && res.text.includes(MESSAGES.usernameTaken));
    if (!ours) throw new PoolError(`registering ${what} answered ${res.status}: ${excerpt(res.text, 160, [a.password])}`);
    // No mail comes for an answer that is not a registration (a proxy's page): do not wait for one.
    if (!res.json) throw new PoolError(`registering ${what} answered ${res.status} with a body that is not JSON: no account to verify`);
    if (!inbox) return;
    try {
      // Each opening of the link is retried on its own: retrying the whole verification after a blip on
      // the second opening fails it one time in three at 20 % of 5xx (both openings must pass at once).
      await verifyByMail(api, inbox, a, mailWaitMs, (open) => retried(open, (r) => r.status >= 500));
    } catch (err) {
      if (err instanceof VerificationError) throw new PoolError(`${what}: ${err.message}`);
      throw err;
    }
  };
  const guarded = async (i: number): Promise<void> => {
    try {
      await one(i);
    } catch (err) {
      if (err instanceof TransportError) throw new PoolError(`load account ${i + 1} of ${count}: ${err.message}`);
      throw err;
    }
  };
  await Promise.all(
    Array.from({ length: Math.min(AT_ONCE, count) }, async () => {
      while (next < count) await guarded(next++);
    }),
  );
  return accounts.map(({ username, password }) => ({ username, password }));
}
