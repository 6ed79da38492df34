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

/** `hx-load-<unique>`: the purpose's prefix, then `unique` (lower-case letters, digits and dashes). */
export function accountName(purpose: AccountPurpose, unique: string): string {
  return PREFIX[purpose] + unique.toLowerCase().replace(/[^a-z0-9-]/g, '');
}

/** An account named for `purpose`, its e-mail address made from its name. */
export function namedAccount(purpose: AccountPurpose, unique: string, password: string): Account {
  const username = accountName(purpose, unique);
  return { username, password, email_address: `${username}@example.com` };
}
