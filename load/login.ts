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
import { ABORT, runConfig, scenariosOf } from './lib/settings.ts';

// TARGET_URL (the safety gate), the profile and the overrides (LOAD_*), refused here, before any request.
const run = runConfig('login', __ENV);

export const options: Options = {
  // An arrival rate, from the profile's table (lib/settings.ts); every sample is tagged name=login
  // (a LOAD_WARMUP before it is tagged name=login:warmup, and so kept out of every figure below).
  scenarios: scenariosOf('login', run.profile),
  thresholds: {
    // Failed requests (status >= 400 or no answer): the target is erroring.
    'http_req_failed{name:login}': [{ threshold: `rate<=${run.maxErrorRate}`, ...ABORT }],
    // A login pays for a bcrypt hash, so it gets more room than a read; p99 is the tail a release must not blow up.
    'http_req_duration{name:login}': [{ threshold: `p(95)<${run.p95Ms ?? 1000}`, ...ABORT }, `p(99)<${run.p99Ms ?? 2000}`],
    // The answers have the right shape: status, Content-Type, a JWT, expire 24 h ahead and equal to its exp.
    'checks{name:login}': [{ threshold: `rate>=${run.minChecksRate}`, ...ABORT }],
    // Against vacuous passes (a rate threshold holds when nothing was measured): requests were sent...
    'http_reqs{name:login}': ['count>0'],
    // ...and their answers checked (counted once per VU, on its first answer: no cost per request).
    login_checked: ['count>0'],
    // No rule: iterations k6 could not start in the measured part (its VUs ran out) shown in the
    // summary export, where `npm run capacity` reads them (a warm-up's are left out).
    'dropped_iterations{scenario:login}': [],
    // The target's rate limit answered (429): the run stops at once; what it measured says nothing of the API.
    rate_limited: [{ threshold: 'count==0', abortOnFail: true }],
  },
  // setup() registers the pool in parallel batches; a slow target takes a while.
  setupTimeout: '120s',
  summaryTrendStats: ['avg', 'min', 'med', 'p(90)', 'p(95)', 'p(99)', 'max'],
  // A redirect is a failure, never followed: k6's default (10) would carry the traffic, passwords
  // included, to whatever host the target names, past the CONFIRM_TARGET gate. The runner refuses
  // --max-redirects and K6_MAX_REDIRECTS, which would override this.
  maxRedirects: 0,
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
