// A load run's settings, read from __ENV in k6's init context (so a refused value stops the run before
// any request: exit 107) and by the Node runner with the same values (exit 2, before anything starts).
// One name per setting everywhere: LOAD_RATE is the key in the environment, in .env, in
// `k6 run -e LOAD_RATE=…` and in `npm run load -- credits -e LOAD_RATE=…`.
// Imports only leaf modules, so both runtimes load it.
//
// Arrival-rate executors only: the request rate is what was asked even when the target slows down
// (a closed model, fixed VUs, would quietly send less as latency grows and hide the problem).
import { DEFAULT_TIME_TOLERANCE_S } from '../../core/contract.ts';
import { parseDurationS } from '../../core/durations.ts';
import { isLoopbackHost } from '../../core/loopback.ts';
import { SettingsError } from '../../core/settings-error.ts';
import { checkUrl, TARGET_URL_RULES } from '../../core/url.ts';

export const PROFILES = ['smoke', 'load', 'stress', 'spike', 'soak'] as const;
export type ProfileName = (typeof PROFILES)[number];
export type ScriptName = 'login' | 'credits';

/** Hard limits, even with overrides: every run is bounded in time and in VUs. */
export const LIMITS = { maxDurationS: 30 * 60, maxVUs: 500, maxRate: 20_000, maxPoolSize: 200 } as const;

type Shape = 'constant' | 'ramp' | 'spike';
/** rate: iterations (requests) per second, the peak for ramp and spike; VUs: pre-allocated..max. */
type Defaults = [rate: number, durationS: number, preVUs: number, maxVUs: number, shape: Shape];

// Login is bcrypt-bound (cost 10, ~50-100 ms of server CPU per login), so its rates are tens per
// second. Credits is a cheap authenticated read. A smoke is a smoke (k6's guidance: minimal load, a
// handful of iterations): 2 a second for 5 s, 10 requests, whatever the script, so that it fits in a
// deployment's rate limit; the matrix shows every fault its thresholds must catch still caught.
const DEFAULTS: Record<ScriptName, Record<ProfileName, Defaults>> = {
  login: {
    smoke: [2, 5, 2, 10, 'constant'],
    load: [10, 5 * 60, 10, 50, 'constant'],
    stress: [40, 10 * 60, 20, 200, 'ramp'],
    spike: [50, 3 * 60, 20, 200, 'spike'],
    soak: [5, 30 * 60, 5, 30, 'constant'],
  },
  credits: {
    smoke: [2, 5, 2, 10, 'constant'],
    load: [200, 5 * 60, 20, 100, 'constant'],
    stress: [1000, 10 * 60, 50, 400, 'ramp'],
    spike: [1000, 3 * 60, 50, 400, 'spike'],
    soak: [100, 30 * 60, 10, 50, 'constant'],
  },
};

/** Accounts setup() registers per profile when LOAD_POOL_SIZE is not given. */
const POOL_DEFAULTS: Record<ProfileName, number> = { smoke: 2, load: 20, stress: 50, spike: 50, soak: 10 };

/**
 * What a run of `profile` costs the target in requests: the scenario's iterations (rate × duration,
 * one request each; the ramps' and spike's area under their stages) and setup's (the pool registered,
 * and for credits logged in; on a latest target the runner also opens each account's mailed link).
 */
export function profileCost(script: ScriptName, profile: Profile, latest: boolean): number {
  const sc = profile.scenario;
  // k6 starts a constant rate's first iteration at 0 s and may start one more as the duration ends.
  const iterations =
    sc.executor === 'constant-arrival-rate'
      ? profile.rate * profile.durationS + 1
      : sc.stages.reduce((acc, st, i) => {
          const from = i === 0 ? sc.startRate : sc.stages[i - 1]!.target;
          return acc + ((from + st.target) / 2) * (parseDurationS(st.duration) ?? 0);
        }, 0);
  // Each pool account: its register; latest, its link opened twice (a user clicking twice); credits, a login.
  const setup = profile.poolSize * (1 + (latest ? 2 : 0) + (script === 'credits' ? 1 : 0));
  return Math.ceil(iterations) + setup;
}

/** The scenario as k6 wants it (a structural subset of k6's scenario types). */
interface ScenarioCommon {
  timeUnit: string;
  startTime?: string;
  preAllocatedVUs: number;
  maxVUs: number;
  gracefulStop: string;
}
export type ArrivalScenario =
  | (ScenarioCommon & { executor: 'constant-arrival-rate'; rate: number; duration: string })
  | (ScenarioCommon & { executor: 'ramping-arrival-rate'; startRate: number; stages: { target: number; duration: string }[] });

export interface Profile {
  name: ProfileName;
  rate: number;
  /** The measured part (the warm-up before it is not counted). */
  durationS: number;
  /** LOAD_WARMUP: seconds at the profile's first rate before the measured part, kept out of its figures. */
  warmupS: number;
  preVUs: number;
  maxVUs: number;
  poolSize: number;
  scenario: ArrivalScenario;
  /** The warm-up scenario, when LOAD_WARMUP is given. */
  warmup?: ArrivalScenario & { executor: 'constant-arrival-rate' };
  /** One line for logs: "login smoke: 3/s for 10s, 2..10 VUs". */
  describe: string;
}

type Env = Record<string, string | undefined>;

/** The one parser of numeric settings: blank is unset (the fallback), anything else must be in range. */
export function envNumber(env: Env, key: string, fallback: number, min: number, max: number, whole = true): number {
  const raw = env[key];
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw);
  if (!(whole ? Number.isInteger(n) : Number.isFinite(n)) || n < min || n > max)
    throw new SettingsError([`${key}: expected a ${whole ? 'whole ' : ''}number from ${min} to ${max}, got '${raw}'`]);
  return n;
}

const k6Duration = (seconds: number): string => `${Math.max(0, Math.round(seconds))}s`;

function stagesFor(shape: Shape, rate: number, d: number): { startRate: number; stages: { target: number; duration: string }[] } {
  const stage = (target: number, s: number) => ({ target, duration: k6Duration(s) });
  if (shape === 'ramp') {
    // stress: climb to the peak, hold it, come down (40% / 40% / 20%).
    const up = Math.round(d * 0.4);
    const hold = Math.round(d * 0.4);
    return { startRate: 1, stages: [stage(rate, up), stage(rate, hold), stage(0, d - up - hold)] };
  }
  // spike: a tenth of the peak, a jump to the peak within 10 s, hold, drop back, recover.
  const base = Math.max(1, Math.round(rate / 10));
  const jump = Math.min(10, Math.max(1, Math.round(d * 0.05)));
  const before = Math.round(d * 0.3);
  const hold = Math.round(d * 0.2);
  const after = Math.max(0, d - before - 2 * jump - hold);
  return {
    startRate: base,
    stages: [stage(base, before), stage(rate, jump), stage(rate, hold), stage(base, jump), stage(base, after)],
  };
}

/** The profile from LOAD_PROFILE (default smoke) and the overrides LOAD_RATE, LOAD_DURATION,
 *  LOAD_PRE_VUS, LOAD_MAX_VUS, LOAD_POOL_SIZE. */
export function buildProfile(script: ScriptName, env: Env): Profile {
  const name = (env.LOAD_PROFILE?.trim() || 'smoke') as ProfileName;
  if (!(PROFILES as readonly string[]).includes(name))
    throw new SettingsError([`LOAD_PROFILE: expected one of ${PROFILES.join(', ')}, got '${env.LOAD_PROFILE}'`]);
  const [defRate, defDurationS, defPreVUs, defMaxVUs, shape] = DEFAULTS[script][name];

  const durationS = envDurationS(env, 'LOAD_DURATION', defDurationS, 1);
  const warmupS = envDurationS(env, 'LOAD_WARMUP', 0, 0);
  if (durationS + warmupS > LIMITS.maxDurationS)
    throw new SettingsError([
      `LOAD_WARMUP: with LOAD_DURATION at most ${LIMITS.maxDurationS / 60}m per run (a bound on every profile), ` +
        `got ${warmupS}s + ${durationS}s`,
    ]);
  const rate = envNumber(env, 'LOAD_RATE', defRate, 1, LIMITS.maxRate);
  const maxVUs = envNumber(env, 'LOAD_MAX_VUS', defMaxVUs, 1, LIMITS.maxVUs);
  const preVUs = envNumber(env, 'LOAD_PRE_VUS', Math.min(defPreVUs, maxVUs), 1, LIMITS.maxVUs);
  if (preVUs > maxVUs) throw new SettingsError([`LOAD_PRE_VUS: must not exceed LOAD_MAX_VUS (${maxVUs}), got ${preVUs}`]);
  const poolSize = envNumber(env, 'LOAD_POOL_SIZE', POOL_DEFAULTS[name], 1, LIMITS.maxPoolSize);

  const common = { timeUnit: '1s', preAllocatedVUs: preVUs, maxVUs, gracefulStop: '10s' };
  const measured = shape === 'constant' ? undefined : stagesFor(shape, rate, durationS);
  // After a warm-up the measured part starts later; the warm-up's VUs (and their connections) carry over.
  const after = warmupS > 0 ? { startTime: k6Duration(warmupS) } : {};
  const scenario: ArrivalScenario = measured
    ? { executor: 'ramping-arrival-rate', ...measured, ...common, ...after }
    : { executor: 'constant-arrival-rate', rate, duration: k6Duration(durationS), ...common, ...after };
  // No grace at its end: the measured part takes over at once, with the same VUs.
  const warmup =
    warmupS > 0
      ? {
          executor: 'constant-arrival-rate' as const,
          rate: measured?.startRate ?? rate,
          duration: k6Duration(warmupS),
          ...common,
          gracefulStop: '0s',
        }
      : undefined;
  const how = shape === 'constant' ? `${rate}/s` : `${shape} to ${rate}/s`;
  return {
    name,
    rate,
    durationS,
    warmupS,
    preVUs,
    maxVUs,
    poolSize,
    scenario,
    warmup,
    describe: `${script} ${name}: ${how} for ${durationS}s${warmupS ? ` after ${warmupS}s of warm-up` : ''}, ${preVUs}..${maxVUs} VUs`,
  };
}

/** A duration setting in whole seconds (30s, 5m, 1h), at most the bound on every run. */
function envDurationS(env: Env, key: string, fallback: number, min: number): number {
  const raw = env[key]?.trim();
  if (!raw) return fallback;
  const parsed = parseDurationS(raw);
  if (parsed === undefined || parsed < min)
    throw new SettingsError([`${key}: expected a duration such as ${min ? '' : '0s, '}30s, 5m or 1h, got '${raw}'`]);
  if (parsed > LIMITS.maxDurationS)
    throw new SettingsError([`${key}: at most ${LIMITS.maxDurationS / 60}m per run (a bound on every profile), got '${raw}'`]);
  return Math.round(parsed);
}

/**
 * The script's scenarios: the measured one under the endpoint's name (its samples tagged
 * `name: <endpoint>`, which every threshold selects), and, with LOAD_WARMUP, a warm-up before it
 * tagged `name: <endpoint>:warmup`, so its samples reach no threshold and no figure of the summary.
 */
export function scenariosOf(endpoint: ScriptName, profile: Profile): Record<string, ArrivalScenario & { tags: { name: string } }> {
  return {
    ...(profile.warmup && { warmup: { ...profile.warmup, tags: { name: `${endpoint}:warmup` } } }),
    [endpoint]: { ...profile.scenario, tags: { name: endpoint } },
  };
}

/** The thresholds' overrides. The latency defaults are each script's own (in its options). */
export interface Criteria {
  p95Ms?: number;
  p99Ms?: number;
  maxErrorRate: number;
  minChecksRate: number;
}

export function buildCriteria(env: Env): Criteria {
  const latency = (key: string) => (env[key]?.trim() ? envNumber(env, key, 0, 1, 600_000) : undefined);
  return {
    p95Ms: latency('LOAD_P95_MS'),
    p99Ms: latency('LOAD_P99_MS'),
    maxErrorRate: envNumber(env, 'LOAD_MAX_ERROR_RATE', 0.01, 0, 1, false),
    minChecksRate: envNumber(env, 'LOAD_MIN_CHECKS_RATE', 0.99, 0, 1, false),
  };
}

/**
 * The safety gate. Load is heavy: anything that is not this machine needs the user to name the host
 * with CONFIRM_TARGET, so a stray TARGET_URL in a shell never loads production. The host is the one
 * the parsed URL names (WHATWG): `http://127.0.0.1:x@prod` is prod. Returns the canonical base URL
 * the gate judged (traffic goes there, so k6's own URL parser cannot read another host). Messages
 * never quote TARGET_URL itself (it may hold a password).
 */
export function assertTargetAllowed(targetUrl: string | undefined, confirm: string | undefined): string {
  if (!targetUrl?.trim())
    throw new SettingsError(['TARGET_URL: not set (give the base URL of the API, e.g. -e TARGET_URL=http://127.0.0.1:8080)']);
  const checked = checkUrl(targetUrl.trim(), TARGET_URL_RULES);
  if ('problem' in checked) throw new SettingsError([`TARGET_URL: ${checked.problem}`]);
  const host = checked.url.hostname;
  if (isLoopbackHost(host)) return checked.value;
  const confirmed = (confirm ?? '').trim().toLowerCase();
  if (confirmed !== host)
    throw new SettingsError([
      `CONFIRM_TARGET: refusing to load ${host}: it is not this machine. Load tests send heavy traffic; to run against it, ` +
        `confirm the host explicitly with CONFIRM_TARGET=${host}` +
        (confirmed ? ` (CONFIRM_TARGET is '${confirm!.trim().slice(0, 100)}', which is another host)` : ''),
    ]);
  return checked.value;
}

export interface RunConfig extends Criteria {
  baseUrl: string;
  profile: Profile;
  timeoutMs: number;
  toleranceS: number;
  /** Pre-provisioned accounts: a JSON file of [{username, password}], or the array itself. */
  accountsFile?: string;
  accountsJson?: string;
}

/** Everything a k6 script reads from __ENV, checked. */
export function runConfig(script: ScriptName, env: Env): RunConfig {
  // k6 never starts the bundled target: faults given here would silently mean nothing.
  if (env.TARGET_FAULTS?.trim())
    throw new SettingsError([
      'TARGET_FAULTS: only the bundled reference target takes faults, and a k6 script always loads TARGET_URL; unset TARGET_FAULTS',
    ]);
  return {
    baseUrl: assertTargetAllowed(env.TARGET_URL, env.CONFIRM_TARGET),
    profile: buildProfile(script, env),
    ...buildCriteria(env),
    timeoutMs: envNumber(env, 'HTTP_TIMEOUT_MS', 10_000, 100, 600_000),
    toleranceS: envNumber(env, 'TIME_TOLERANCE_S', DEFAULT_TIME_TOLERANCE_S, 0, 3600),
    accountsFile: env.LOAD_ACCOUNTS_FILE?.trim() || undefined,
    accountsJson: env.LOAD_ACCOUNTS_JSON?.trim() || undefined,
  };
}
