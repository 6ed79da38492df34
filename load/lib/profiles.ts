// Load profiles (smoke, load, stress, spike, soak) for each script, with env overrides and hard caps.
// Pure (it imports only the leaf duration.ts): the k6 scripts build their scenario with it from
// __ENV, and the Node orchestrator calls it with the same values to refuse bad ones before any traffic.
//
// Arrival-rate executors only: the request rate is what was asked even when the target slows down
// (a closed model — fixed VUs — would quietly send less when latency grows and hide the problem).
import { k6Duration, parseDuration } from './duration.ts';

export const PROFILES = ['smoke', 'load', 'stress', 'spike', 'soak'] as const;
export type ProfileName = (typeof PROFILES)[number];
export type ScriptName = 'login' | 'credits';

/** Hard limits, even with overrides: every run is bounded in time and in VUs. */
export const LIMITS = { maxDurationS: 30 * 60, maxVUs: 500, maxRate: 20_000, maxPoolSize: 200 } as const;

type Shape = 'constant' | 'ramp' | 'spike';
interface ProfileDefaults {
  /** Iterations (requests) per second; for ramp and spike, the peak. */
  rate: number;
  durationS: number;
  preVUs: number;
  maxVUs: number;
  shape: Shape;
}

// Login is bcrypt-bound (cost 10, ~50-100 ms of server CPU per login), so its rates are tens per
// second; the smoke rate fits a 2-core CI machine. Credits is a cheap authenticated read.
const DEFAULTS: Record<ScriptName, Record<ProfileName, ProfileDefaults>> = {
  login: {
    smoke: { rate: 3, durationS: 10, preVUs: 2, maxVUs: 10, shape: 'constant' },
    load: { rate: 10, durationS: 5 * 60, preVUs: 10, maxVUs: 50, shape: 'constant' },
    stress: { rate: 40, durationS: 10 * 60, preVUs: 20, maxVUs: 200, shape: 'ramp' },
    spike: { rate: 50, durationS: 3 * 60, preVUs: 20, maxVUs: 200, shape: 'spike' },
    soak: { rate: 5, durationS: 30 * 60, preVUs: 5, maxVUs: 30, shape: 'constant' },
  },
  credits: {
    smoke: { rate: 50, durationS: 10, preVUs: 5, maxVUs: 20, shape: 'constant' },
    load: { rate: 200, durationS: 5 * 60, preVUs: 20, maxVUs: 100, shape: 'constant' },
    stress: { rate: 1000, durationS: 10 * 60, preVUs: 50, maxVUs: 400, shape: 'ramp' },
    spike: { rate: 1000, durationS: 3 * 60, preVUs: 50, maxVUs: 400, shape: 'spike' },
    soak: { rate: 100, durationS: 30 * 60, preVUs: 10, maxVUs: 50, shape: 'constant' },
  },
};

/** Account pool size (users registered by setup) per profile when POOL_SIZE is not given. */
const POOL_DEFAULTS: Record<ProfileName, number> = { smoke: 5, load: 20, stress: 50, spike: 50, soak: 10 };

/** The scenario as k6 wants it (a structural subset of k6's scenario types). */
interface ScenarioCommon {
  timeUnit: string;
  preAllocatedVUs: number;
  maxVUs: number;
  gracefulStop: string;
}
export type ArrivalScenario =
  | (ScenarioCommon & { executor: 'constant-arrival-rate'; rate: number; duration: string })
  | (ScenarioCommon & { executor: 'ramping-arrival-rate'; startRate: number; stages: { target: number; duration: string }[] });

export interface Profile {
  script: ScriptName;
  name: ProfileName;
  rate: number;
  durationS: number;
  preVUs: number;
  maxVUs: number;
  poolSize: number;
  scenario: ArrivalScenario;
  /** One line for logs: "login smoke: 3/s for 10s, 2..10 VUs". */
  describe: string;
}

/** A refused profile or override; the message names the variable. */
export class ProfileError extends Error {
  override name = 'ProfileError';
}

type Env = Record<string, string | undefined>;

function intFrom(env: Env, key: string, fallback: number, min: number, max: number): number {
  const raw = env[key];
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new ProfileError(`${key}: expected a whole number from ${min} to ${max}, got '${raw}'`);
  return n;
}

function stagesFor(shape: Shape, rate: number, d: number): { startRate: number; stages: { target: number; duration: string }[] } {
  if (shape === 'ramp') {
    // stress: climb to the peak, hold it, come down (40% / 40% / 20%).
    const up = Math.round(d * 0.4);
    const hold = Math.round(d * 0.4);
    return {
      startRate: 1,
      stages: [
        { target: rate, duration: k6Duration(up) },
        { target: rate, duration: k6Duration(hold) },
        { target: 0, duration: k6Duration(d - up - hold) },
      ],
    };
  }
  // spike: a tenth of the peak, a jump to the peak within 10 s, hold, drop back, recover.
  const base = Math.max(1, Math.round(rate / 10));
  const jump = Math.min(10, Math.max(1, Math.round(d * 0.05)));
  const before = Math.round(d * 0.3);
  const hold = Math.round(d * 0.2);
  const after = Math.max(0, d - before - 2 * jump - hold);
  return {
    startRate: base,
    stages: [
      { target: base, duration: k6Duration(before) },
      { target: rate, duration: k6Duration(jump) },
      { target: rate, duration: k6Duration(hold) },
      { target: base, duration: k6Duration(jump) },
      { target: base, duration: k6Duration(after) },
    ],
  };
}

/**
 * The profile for `script`, from PROFILE (default smoke) and the overrides RATE, DURATION, PRE_VUS,
 * MAX_VUS, POOL_SIZE in `env`. Throws ProfileError naming the variable when a value is refused.
 */
export function buildProfile(script: ScriptName, env: Env): Profile {
  const name = (env.PROFILE?.trim() || 'smoke') as ProfileName;
  if (!(PROFILES as readonly string[]).includes(name))
    throw new ProfileError(`PROFILE: expected one of ${PROFILES.join(', ')}, got '${env.PROFILE}'`);
  const def = DEFAULTS[script][name];

  let durationS = def.durationS;
  const rawDuration = env.DURATION?.trim();
  if (rawDuration) {
    const parsed = parseDuration(rawDuration);
    if (parsed === undefined || parsed < 1)
      throw new ProfileError(`DURATION: expected a duration such as 30s, 5m or 1h, got '${rawDuration}'`);
    if (parsed > LIMITS.maxDurationS)
      throw new ProfileError(`DURATION: at most ${LIMITS.maxDurationS / 60}m per run (a bound on every profile), got '${rawDuration}'`);
    durationS = Math.round(parsed);
  }
  const rate = intFrom(env, 'RATE', def.rate, 1, LIMITS.maxRate);
  const maxVUs = intFrom(env, 'MAX_VUS', def.maxVUs, 1, LIMITS.maxVUs);
  const preVUs = intFrom(env, 'PRE_VUS', Math.min(def.preVUs, maxVUs), 1, LIMITS.maxVUs);
  if (preVUs > maxVUs) throw new ProfileError(`PRE_VUS: must not exceed MAX_VUS (${maxVUs}), got ${preVUs}`);
  const poolSize = intFrom(env, 'POOL_SIZE', POOL_DEFAULTS[name], 1, LIMITS.maxPoolSize);

  const common = { timeUnit: '1s', preAllocatedVUs: preVUs, maxVUs, gracefulStop: '10s' };
  const scenario: ArrivalScenario =
    def.shape === 'constant'
      ? { executor: 'constant-arrival-rate', rate, duration: k6Duration(durationS), ...common }
      : { executor: 'ramping-arrival-rate', ...stagesFor(def.shape, rate, durationS), ...common };
  const how = def.shape === 'constant' ? `${rate}/s` : `${def.shape} to ${rate}/s`;
  return {
    script,
    name,
    rate,
    durationS,
    preVUs,
    maxVUs,
    poolSize,
    scenario,
    describe: `${script} ${name}: ${how} for ${durationS}s, ${preVUs}..${maxVUs} VUs`,
  };
}
