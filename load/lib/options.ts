// What both k6 scripts' `options` hold alike, written once: each script's options show its own
// scenario and latency thresholds (what differs between login and credits), then spread these.
// k6-side: imports only k6's types and the leaf modules of lib/.
import type { Options } from 'k6/options';
import type { RunConfig, ScriptName } from './settings.ts';

/** Thresholds that abort: a clearly broken run stops early instead of loading a sick target for the
 *  whole profile; the delay lets a few seconds of samples arrive before judging. */
export const ABORT = { abortOnFail: true, delayAbortEval: '5s' } as const;

/** The thresholds every endpoint is held to besides its latency, each on the endpoint's own samples
 *  (tagged name=<script> by its scenario: a warm-up's and setup's count in none). */
export function endpointThresholds(name: ScriptName, run: RunConfig): NonNullable<Options['thresholds']> {
  return {
    // Failed requests (status >= 400 or no answer): the target is erroring.
    [`http_req_failed{name:${name}}`]: [{ threshold: `rate<=${run.maxErrorRate}`, ...ABORT }],
    // The answers have the right shape (the script's checks: lib/checks.ts).
    [`checks{name:${name}}`]: [{ threshold: `rate>=${run.minChecksRate}`, ...ABORT }],
    // Against vacuous passes (a rate threshold holds when nothing was measured): requests were sent...
    [`http_reqs{name:${name}}`]: ['count>0'],
    // ...and their answers checked (counted once per VU, on its first answer: no cost per request).
    [`${name}_checked`]: ['count>0'],
    // No rule: iterations k6 could not start in the measured part (its VUs ran out) shown in the
    // summary export, where `npm run capacity` reads them (a warm-up's are left out).
    [`dropped_iterations{scenario:${name}}`]: [],
    // The target's rate limit answered (429): the run stops at once; what it measured says nothing of the API.
    rate_limited: [{ threshold: 'count==0', abortOnFail: true }],
  };
}

/** How every run of either script goes, whatever its profile. */
export const RUN_OPTIONS = {
  // setup() registers (and for credits logs in) the pool in parallel batches; a slow target takes a while.
  setupTimeout: '120s',
  summaryTrendStats: ['avg', 'min', 'med', 'p(90)', 'p(95)', 'p(99)', 'max'],
  // A redirect is a failure, never followed: k6's default (10) would carry the traffic, passwords
  // included, to whatever host the target names, past the CONFIRM_TARGET gate. The runner refuses
  // --max-redirects and K6_MAX_REDIRECTS, which would override this.
  maxRedirects: 0,
} as const satisfies Options;
