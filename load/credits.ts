// k6 load test of GET /v2/account/credits/available, an authenticated read:
//   k6 run -e TARGET_URL=http://127.0.0.1:8080 [-e LOAD_PROFILE=smoke|load|stress|spike|soak] load/credits.ts
// or `npm run load -- credits` (starts the bundled target when TARGET_URL is unset).
// setup() logs the accounts in once, so this measures credits (token check + read), not login.
import http from 'k6/http';
import { Counter } from 'k6/metrics';
import type { Options } from 'k6/options';
import { API_PATHS } from '../core/contract.ts';
import { loginPool, ourAccounts, ourShare, preProvisionedAccounts, registerPool } from './lib/accounts.ts';
import { checkCredits } from './lib/checks.ts';
import { ABORT, endpointThresholds, RUN_OPTIONS } from './lib/options.ts';
import { runConfig, scenariosOf } from './lib/settings.ts';

// TARGET_URL (the safety gate), the profile and the overrides (LOAD_*), refused here, before any request.
const run = runConfig('credits', __ENV);

export const options: Options = {
  // An arrival rate, from the profile's table (lib/settings.ts); every sample is tagged name=credits
  // (a LOAD_WARMUP before it is tagged name=credits:warmup, and so kept out of every figure below).
  scenarios: scenariosOf('credits', run.profile),
  thresholds: {
    // p95 is what users feel of a cheap read; p99 is the tail a release must not blow up.
    'http_req_duration{name:credits}': [{ threshold: `p(95)<${run.p95Ms ?? 300}`, ...ABORT }, `p(99)<${run.p99Ms ?? 800}`],
    // Errors, checks, proof that requests were sent and checked, dropped iterations, the rate limit
    // (lib/options.ts: the same for both scripts).
    ...endpointThresholds('credits', run),
  },
  // The setup's time limit, the summary's statistics, no redirect followed (lib/options.ts).
  ...RUN_OPTIONS,
};
// No handleSummary: one would replace k6's own end-of-test summary (thresholds with the values they
// were judged on); `npm run load` writes its reports from k6's --summary-export instead.

const fileAccounts = preProvisionedAccounts(run.accountsFile, run.accountsJson);
const checked = new Counter('credits_checked');
const url = `${run.baseUrl}${API_PATHS.creditsAvailable}`;

interface SetupData {
  tokens: string[];
}

/** Logged-in tokens, one per account: pre-provisioned or registered now (LOAD_POOL_SIZE); in a run
 *  split into execution segments, this process's share of them (lib/accounts.ts ourShare). */
export function setup(): SetupData {
  const { start, end } = ourShare(run.profile.poolSize);
  const accounts = fileAccounts ? ourAccounts(fileAccounts) : registerPool(run.baseUrl, end - start, run.timeoutMs);
  return { tokens: loginPool(run.baseUrl, accounts, run.timeoutMs) };
}

/** Made on a VU's first iteration: its account's token does not change. */
let params: { headers: { Authorization: string }; timeout: number } | undefined;

export default function (data: SetupData): void {
  if (params === undefined) {
    params = { headers: { Authorization: `Bearer ${data.tokens[__VU % data.tokens.length]}` }, timeout: run.timeoutMs };
    checkCredits(http.get(url, params));
    checked.add(1);
  } else checkCredits(http.get(url, params));
}
