// The accounts the harness makes, and their names. One prefix per purpose, so an account left on a
// staging target says who made it and can be found and cleaned up. Import-free (k6 can load it).

export interface Account {
  username: string;
  password: string;
  email_address: string;
}

/** Who made the account: the API tests, the self-tests, a load run, a benchmark, the monitor. */
export type AccountPurpose = 'test' | 'self-test' | 'load' | 'bench' | 'monitor';

// The monitor's dedicated account keeps a name an SRE recognises on a production target.
const PREFIX: Record<AccountPurpose, string> = {
  test: 'hx-',
  'self-test': 'hx-self-',
  load: 'hx-load-',
  bench: 'hx-bench-',
  monitor: 'temporal-monitor-',
};

/** `hx-load-<unique>`: the purpose's prefix, then `unique` in the characters real users' names have
 *  (letters of either case, digits, dots and hyphens; nothing else, so never the `@` the contract
 *  refuses). The prefix is all lower case, so a run's accounts are found by it whatever follows. */
export function accountName(purpose: AccountPurpose, unique: string): string {
  return (
    PREFIX[purpose] +
    unique
      .replace(/[^A-Za-z0-9.-]/g, '')
      .replace(/\.{2,}/g, '.')
      .replace(/\.+$/, '')
  );
}

const GIVEN = ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Dennis', 'Frances', 'Ken', 'Radia', 'Tim'];
const FAMILY = ['Lovelace', 'Hopper', 'Turing', 'Dijkstra', 'Liskov', 'Ritchie', 'Allen', 'Thompson', 'Perlman', 'Berners-Lee'];

/**
 * A name shaped like a real user's, from any number: given and family name joined by a dot, mixed case,
 * a hyphen and digits (`Grace.Hopper-17`, `Tim.Berners-Lee-3`). Registration must take such names and
 * mail must reach them: a name of lower-case letters and dashes only would hide a server that breaks
 * on a dot (no mail sent) or on case.
 */
export function personLike(n: number): string {
  const i = Math.abs(Math.trunc(n));
  return `${GIVEN[i % GIVEN.length]}.${FAMILY[Math.trunc(i / GIVEN.length) % FAMILY.length]}-${i % 97}`;
}

/** An account named for `purpose`, its e-mail address made from its name. */
export function namedAccount(purpose: AccountPurpose, unique: string, password: string): Account {
  const username = accountName(purpose, unique);
  return { username, password, email_address: `${username}@example.com` };
}
