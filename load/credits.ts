// k6 load test of GET /v2/account/credits/available, an authenticated read.
//   k6 run -e TARGET_URL=http://127.0.0.1:8080 [-e PROFILE=smoke|load|stress|spike|soak] load/credits.ts
// or `npm run load -- credits --profile smoke`.
// setup() logs the accounts in once, so this measures credits (token check + read), not login.
import http from 'k6/http';
import { Counter } from 'k6/metrics';
import type { Options } from 'k6/options';
import { preProvisionedAccounts, loginPool, registerPool } from './lib/accounts.ts';
import { API_PATHS } from '../core/contract.ts';
import { checkCredits } from './lib/checks.ts';
import { loadConfig } from './lib/config.ts';
import { scriptOptions } from './lib/script.ts';
import { checkedCounter } from './lib/thresholds.ts';

const config = loadConfig('credits');
const fileAccounts = preProvisionedAccounts(config.accountsFile, __ENV.ACCOUNTS_JSON);
const checked = new Counter(checkedCounter('credits'));

export const options: Options = scriptOptions(config);

interface SetupData {
  tokens: string[];
}

/** Logged-in tokens, one per account: pre-provisioned (ACCOUNTS_FILE, ACCOUNTS_JSON) or registered now (POOL_SIZE). */
export function setup(): SetupData {
  const accounts = fileAccounts ?? registerPool(config.baseUrl, config.profile.poolSize, config.timeoutMs);
  return { tokens: loginPool(config.baseUrl, accounts, config.timeoutMs) };
}

const url = `${config.baseUrl}${API_PATHS.creditsAvailable}`;
/** Made on a VU's first iteration: its account's token never changes. */
let params: { headers: { Authorization: string }; timeout: string } | undefined;

export default function (data: SetupData): void {
  params ??= { headers: { Authorization: `Bearer ${data.tokens[__VU % data.tokens.length]}` }, timeout: `${config.timeoutMs}ms` };
  checkCredits(http.get(url, params));
  checked.add(1);
}
