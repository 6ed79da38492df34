// k6 load test of POST /v2/auth/login:
//   k6 run -e TARGET_URL=http://127.0.0.1:8080 [-e LOAD_PROFILE=smoke|load|stress|spike|soak] load/login.ts
// or `npm run load -- login` (starts the bundled target when TARGET_URL is unset).
// Every login costs the server a bcrypt hash (cost 10): this measures how many logins/s it sustains.
import exec from 'k6/execution';
import http from 'k6/http';
import { Counter } from 'k6/metrics';
import type { Options } from 'k6/options';
import { type Credentials, loginRequest, ourShare, preProvisionedAccounts, registerPool } from './lib/accounts.ts';
import { checkLogin, warningSecrets } from './lib/checks.ts';
import { ABORT, endpointThresholds, RUN_OPTIONS } from './lib/options.ts';
import { runConfig, scenariosOf } from './lib/settings.ts';

// TARGET_URL (the safety gate), the profile and the overrides (LOAD_*), refused here, before any request.
const run = runConfig('login', __ENV);

export const options: Options = {
  // An arrival rate, from the profile's table (lib/settings.ts); every sample is tagged name=login
  // (a LOAD_WARMUP before it is tagged name=login:warmup, and so kept out of every figure below).
  scenarios: scenariosOf('login', run.profile),
  thresholds: {
    // A login pays for a bcrypt hash, so it gets more room than a read; p99 is the tail a release must not blow up.
    'http_req_duration{name:login}': [{ threshold: `p(95)<${run.p95Ms ?? 1000}`, ...ABORT }, `p(99)<${run.p99Ms ?? 2000}`],
    // Errors, checks, proof that requests were sent and checked, dropped iterations, the rate limit
    // (lib/options.ts: the same for both scripts).
    ...endpointThresholds('login', run),
  },
  // The setup's time limit, the summary's statistics, no redirect followed (lib/options.ts).
  ...RUN_OPTIONS,
};
// No handleSummary: one would replace k6's own end-of-test summary (thresholds with the values they
// were judged on); `npm run load` writes its reports from k6's --summary-export instead.

const fileAccounts = preProvisionedAccounts(run.accountsFile, run.accountsJson);
const checked = new Counter('login_checked');
let counted = false;

interface SetupData {
  accounts: Credentials[];
}

/** A pool of users to log in: pre-provisioned or registered now (LOAD_POOL_SIZE; in a run split into
 *  execution segments, this process's share of it: lib/accounts.ts ourShare). */
export function setup(): SetupData {
  if (fileAccounts) return { accounts: [] };
  const { start, end } = ourShare(run.profile.poolSize);
  return { accounts: registerPool(run.baseUrl, end - start, run.timeoutMs) };
}

export default function (data: SetupData): void {
  const pool = fileAccounts ?? data.accounts;
  // Once per VU: a warning never quotes a password of the pool, however the target echoed it.
  if (!counted) warningSecrets(pool.map((a) => a.password));
  // Round robin over the pool across all VUs (login is bcrypt-bound: this lookup's cost does not show).
  const r = loginRequest(run.baseUrl, pool[exec.scenario.iterationInTest % pool.length] as Credentials, run.timeoutMs);
  checkLogin(http.post(r.url, r.body, r.params), run.toleranceS);
  if (!counted) {
    checked.add(1);
    counted = true;
  }
}
