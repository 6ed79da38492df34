// k6 load test of POST /v2/auth/login.
//   k6 run -e TARGET_URL=http://127.0.0.1:8080 [-e PROFILE=smoke|load|stress|spike|soak] load/login.ts
// or `npm run load -- login --profile smoke` (starts the bundled target when TARGET_URL is unset).
// Every login costs the server a bcrypt hash (cost 10): this measures how many logins/s it sustains.
import exec from 'k6/execution';
import { Counter } from 'k6/metrics';
import type { Options } from 'k6/options';
import { preProvisionedAccounts, registerPool } from './lib/accounts.ts';
import { login, type Credentials } from './lib/api.ts';
import { checkLogin } from './lib/checks.ts';
import { loadConfig } from './lib/config.ts';
import { scriptOptions } from './lib/script.ts';
import { checkedCounter } from './lib/thresholds.ts';

const config = loadConfig('login');
const fileAccounts = preProvisionedAccounts(config.accountsFile, __ENV.ACCOUNTS_JSON);
const checked = new Counter(checkedCounter('login'));

export const options: Options = scriptOptions(config);

interface SetupData {
  accounts: Credentials[];
}

/** A pool of users to log in: pre-provisioned (ACCOUNTS_FILE, ACCOUNTS_JSON) or registered now (POOL_SIZE). */
export function setup(): SetupData {
  if (fileAccounts) return { accounts: [] };
  return { accounts: registerPool(config.baseUrl, config.profile.poolSize, config.timeoutMs) };
}

export default function (data: SetupData): void {
  const pool = fileAccounts ?? data.accounts;
  const account = pool[exec.scenario.iterationInTest % pool.length] as Credentials;
  const res = login(config.baseUrl, account, config.timeoutMs);
  checkLogin(res, config.toleranceS);
  checked.add(1);
}
