// k6 load test of POST /v2/auth/login.
//   k6 run -e TARGET_URL=http://127.0.0.1:8080 [-e PROFILE=smoke|load|stress|spike|soak] load/login.ts
// or `npm run load -- login --profile smoke` (starts the bundled target when TARGET_URL is unset).
// Every login costs the server a bcrypt hash (cost 10): this measures how many logins/s it sustains.
import exec from 'k6/execution';
import { Counter } from 'k6/metrics';
import type { Options } from 'k6/options';
import { urlHostname } from '../core/loopback.ts';
import { preProvisionedAccounts, registerPool } from './lib/accounts.ts';
import { login, type Credentials } from './lib/api.ts';
import { checkLogin } from './lib/checks.ts';
import { loadConfig } from './lib/config.ts';
import { summaryOutputs, type SummaryData } from './lib/summary.ts';
import { checkedCounter } from './lib/thresholds.ts';

const config = loadConfig('login');
const fileAccounts = preProvisionedAccounts(config.accountsFile, __ENV.ACCOUNTS_JSON);
const checked = new Counter(checkedCounter('login'));

export const options: Options = {
  scenarios: { login: config.profile.scenario },
  // Thresholds per endpoint (reasons in lib/thresholds.ts): error rate, p95/p99, checks, and proof
  // that logins were really sent and checked.
  thresholds: config.thresholds,
  // setup() registers the pool in parallel batches; with a slow target that takes a while.
  setupTimeout: '120s',
  summaryTrendStats: ['avg', 'min', 'med', 'p(90)', 'p(95)', 'p(99)', 'max'],
};

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

export function handleSummary(data: SummaryData): Record<string, string> {
  return summaryOutputs(data, {
    script: 'login',
    profile: config.profile.name,
    describe: config.profile.describe,
    target: urlHostname(config.baseUrl) ?? config.baseUrl,
    reportsDir: config.reportsDir,
    minChecksRate: config.criteria.minChecksRate,
  });
}
