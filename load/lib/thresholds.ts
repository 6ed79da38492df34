// Pass/fail criteria of a run, per endpoint, with env overrides. Pure (imports only profiles.ts).
// Defaults suit a staging target reached over a network; CI's smoke run uses them as they are.

import { ProfileError, type ScriptName } from './profiles.ts';

/** Staging defaults. Login pays for a bcrypt hash (cost 10), so it gets more room than credits. */
const DEFAULT_LATENCY_MS: Record<ScriptName, { p95: number; p99: number }> = {
  login: { p95: 1000, p99: 2000 },
  credits: { p95: 300, p99: 800 },
};
const DEFAULT_MAX_ERROR_RATE = 0.01;
const DEFAULT_MIN_CHECKS_RATE = 0.99;

export interface Criteria {
  p95Ms: number;
  p99Ms: number;
  maxErrorRate: number;
  minChecksRate: number;
}

/** Name of the counter each script adds to once per checked answer: proof that checks ran. */
export const checkedCounter = (script: ScriptName): string => `${script}_checked`;

type Env = Record<string, string | undefined>;

function numberFrom(env: Env, key: string, fallback: number, min: number, max: number): number {
  const raw = env[key];
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min || n > max) throw new ProfileError(`${key}: expected a number from ${min} to ${max}, got '${raw}'`);
  return n;
}

/** The criteria from P95_MS, P99_MS, MAX_ERROR_RATE, MIN_CHECKS_RATE (defaults above). */
export function buildCriteria(script: ScriptName, env: Env): Criteria {
  const d = DEFAULT_LATENCY_MS[script];
  return {
    p95Ms: numberFrom(env, 'P95_MS', d.p95, 1, 600_000),
    p99Ms: numberFrom(env, 'P99_MS', d.p99, 1, 600_000),
    maxErrorRate: numberFrom(env, 'MAX_ERROR_RATE', DEFAULT_MAX_ERROR_RATE, 0, 1),
    minChecksRate: numberFrom(env, 'MIN_CHECKS_RATE', DEFAULT_MIN_CHECKS_RATE, 0, 1),
  };
}

interface Threshold {
  threshold: string;
  abortOnFail?: boolean;
  delayAbortEval?: string;
}

/** k6 thresholds for one endpoint (requests tagged name=<script>). */
export function buildThresholds(script: ScriptName, c: Criteria): Record<string, (string | Threshold)[]> {
  const tag = `{name:${script}}`;
  // A run that is clearly broken stops early instead of hammering a sick target for the whole
  // profile; the delay lets a few seconds of samples arrive before judging.
  const abort = { abortOnFail: true, delayAbortEval: '5s' };
  return {
    // The share of failed requests (status >= 400 or no answer): the target is erroring.
    [`http_req_failed${tag}`]: [{ threshold: `rate<=${c.maxErrorRate}`, ...abort }],
    // Latency per endpoint: p95 is the experience, p99 the tail a release must not blow up.
    [`http_req_duration${tag}`]: [{ threshold: `p(95)<${c.p95Ms}`, ...abort }, `p(99)<${c.p99Ms}`],
    // The answers have the right shape (status, token, expire, credits type).
    [`checks${tag}`]: [{ threshold: `rate>=${c.minChecksRate}`, ...abort }],
    // Against vacuous passes: a rate threshold holds when nothing was measured, so requests
    // must have been sent and their answers checked.
    [`http_reqs${tag}`]: ['count>0'],
    [checkedCounter(script)]: ['count>0'],
  };
}
