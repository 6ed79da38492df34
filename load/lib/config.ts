// The run's configuration from __ENV (k6 -e values, or the environment): target, safety gate,
// profile, thresholds, timeouts. Runs in k6's init context, so a refused value stops the run
// before any request is sent.
import { DEFAULT_TIME_TOLERANCE_S } from '../../core/contract.ts';
import { buildProfile, type Profile, type ScriptName } from './profiles.ts';
import { assertTargetAllowed } from './safety.ts';
import { buildCriteria, buildThresholds, type Criteria } from './thresholds.ts';

export interface RunConfig {
  script: ScriptName;
  baseUrl: string;
  profile: Profile;
  criteria: Criteria;
  thresholds: ReturnType<typeof buildThresholds>;
  timeoutMs: number;
  toleranceS: number;
  accountsFile?: string;
}

function wholeNumber(key: string, fallback: number, min: number, max: number): number {
  const raw = __ENV[key];
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${key}: expected a whole number from ${min} to ${max}, got '${raw}'`);
  return n;
}

export function loadConfig(script: ScriptName): RunConfig {
  // k6 never starts the bundled target: faults given here would silently mean nothing.
  if (__ENV.TARGET_FAULTS?.trim())
    throw new Error(
      'TARGET_FAULTS: only the bundled reference target takes faults, and a k6 script always loads TARGET_URL; unset TARGET_FAULTS',
    );
  // The canonical URL the gate judged is the one requests go to, so k6's own URL parser (Go's) cannot read another host.
  const baseUrl = assertTargetAllowed(__ENV.TARGET_URL, __ENV.CONFIRM_TARGET);
  const profile = buildProfile(script, __ENV);
  const criteria = buildCriteria(script, __ENV);
  return {
    script,
    baseUrl,
    profile,
    criteria,
    thresholds: buildThresholds(script, criteria),
    timeoutMs: wholeNumber('HTTP_TIMEOUT_MS', 10_000, 100, 600_000),
    toleranceS: wholeNumber('TIME_TOLERANCE_S', DEFAULT_TIME_TOLERANCE_S, 0, 3600),
    accountsFile: __ENV.ACCOUNTS_FILE?.trim() || undefined,
  };
}
