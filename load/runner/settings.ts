// Settings of `npm run load` (and the load selftests). Raw LOAD_* values are checked by the same
// pure builders the k6 scripts use (lib/profiles.ts, lib/thresholds.ts), so both refuse alike.
import { resolve } from 'node:path';
import type { z } from 'zod';
import { parseCommandLine, parseSettings, SettingsError, setting, sharedSettings } from '../../core/settings.ts';
import { missingInbox } from '../../core/mail/index.ts';
import { parseTargetSettings } from '../../reference/settings.ts';
import { buildProfile, PROFILES, ProfileError, type ScriptName } from '../lib/profiles.ts';
import { assertTargetAllowed, SafetyError } from '../lib/safety.ts';
import { buildCriteria } from '../lib/thresholds.ts';

export const loadSettingsShape = {
  TARGET_URL: sharedSettings.TARGET_URL,
  TARGET_ENV: sharedSettings.TARGET_ENV,
  HTTP_TIMEOUT_MS: sharedSettings.HTTP_TIMEOUT_MS,
  /** The runner reads bodies itself on a latest target (registering and verifying the pool, its mail). */
  HTTP_MAX_BODY_BYTES: sharedSettings.HTTP_MAX_BODY_BYTES,
  TIME_TOLERANCE_S: sharedSettings.TIME_TOLERANCE_S,
  LOG_LEVEL: sharedSettings.LOG_LEVEL,
  LOG_FORMAT: sharedSettings.LOG_FORMAT,
  REPORTS_DIR: sharedSettings.REPORTS_DIR,
  /** Refused with TARGET_URL (the shared rule); without it, the bundled target reads it. */
  TARGET_FAULTS: sharedSettings.TARGET_FAULTS,
  TARGET_GENERATION: sharedSettings.TARGET_GENERATION,
  MAIL_INBOX_URL: sharedSettings.MAIL_INBOX_URL,
  MAIL_WAIT_S: sharedSettings.MAIL_WAIT_S,
  /** Must equal the target's host to load anything that is not this machine. */
  CONFIRM_TARGET: setting.text().optional(),
  LOAD_PROFILE: setting.oneOf(PROFILES).default('smoke'),
  // Checked by the builders the k6 scripts share (lib/profiles.ts, lib/thresholds.ts), before any traffic.
  LOAD_RATE: setting.checked().optional(),
  LOAD_DURATION: setting.checked().optional(),
  LOAD_PRE_VUS: setting.checked().optional(),
  LOAD_MAX_VUS: setting.checked().optional(),
  LOAD_POOL_SIZE: setting.checked().optional(),
  LOAD_P95_MS: setting.checked().optional(),
  LOAD_P99_MS: setting.checked().optional(),
  LOAD_MAX_ERROR_RATE: setting.checked().optional(),
  LOAD_MIN_CHECKS_RATE: setting.checked().optional(),
  /** Pre-provisioned accounts: a JSON file [{username, password}], or one account below. */
  LOAD_ACCOUNTS_FILE: setting.input().optional(),
  LOAD_USERNAME: setting.text().optional(),
  LOAD_PASSWORD: setting.text().optional(),
  /** A k6 binary to use instead of the pinned one found or installed automatically. */
  K6_BIN: setting.input().optional(),
};

/** The CLI flags of `npm run load -- <script> [flags]` and the settings they override. */
export const FLAG_SETTINGS = {
  profile: 'LOAD_PROFILE',
  rate: 'LOAD_RATE',
  duration: 'LOAD_DURATION',
  'pre-vus': 'LOAD_PRE_VUS',
  'max-vus': 'LOAD_MAX_VUS',
  'pool-size': 'LOAD_POOL_SIZE',
} as const;

/** The k6 -e name for each LOAD_* setting. */
export const K6_ENV_NAMES = {
  LOAD_PROFILE: 'PROFILE',
  LOAD_RATE: 'RATE',
  LOAD_DURATION: 'DURATION',
  LOAD_PRE_VUS: 'PRE_VUS',
  LOAD_MAX_VUS: 'MAX_VUS',
  LOAD_POOL_SIZE: 'POOL_SIZE',
  LOAD_P95_MS: 'P95_MS',
  LOAD_P99_MS: 'P99_MS',
  LOAD_MAX_ERROR_RATE: 'MAX_ERROR_RATE',
  LOAD_MIN_CHECKS_RATE: 'MIN_CHECKS_RATE',
} as const;

export const SCRIPTS: readonly ScriptName[] = ['login', 'credits'];
export const USAGE =
  'usage: npm run load -- <login|credits> [--profile smoke|load|stress|spike|soak] [--rate N] [--duration 5m] [--pre-vus N] [--max-vus N] [--pool-size N] [-- <k6 flags>]';

const flagShape = {
  LOAD_PROFILE: loadSettingsShape.LOAD_PROFILE.unwrap().optional(),
  LOAD_RATE: loadSettingsShape.LOAD_RATE,
  LOAD_DURATION: loadSettingsShape.LOAD_DURATION,
  LOAD_PRE_VUS: loadSettingsShape.LOAD_PRE_VUS,
  LOAD_MAX_VUS: loadSettingsShape.LOAD_MAX_VUS,
  LOAD_POOL_SIZE: loadSettingsShape.LOAD_POOL_SIZE,
};

/** "RATE: expected ..." from the shared builders → named as the user set it. */
function asSettingsError(err: Error): SettingsError {
  const m = /^([A-Z0-9_]+): (.*)$/s.exec(err.message);
  if (!m) return new SettingsError([err.message]);
  const k6Name = m[1] as string;
  const entry = Object.entries(K6_ENV_NAMES).find(([, v]) => v === k6Name);
  const flag = entry && Object.entries(FLAG_SETTINGS).find(([, v]) => v === entry[0])?.[0];
  const name = entry ? `${entry[0]}${flag ? ` (--${flag})` : ''}` : k6Name;
  return new SettingsError([`${name}: ${m[2]}`]);
}

export interface LoadRun {
  script: ScriptName;
  settings: Readonly<z.infer<z.ZodObject<typeof loadSettingsShape>>>;
  /** The canonical TARGET_URL the gate judged (undefined: the bundled target). */
  targetUrl?: string;
  /** The -e values for k6 (LOAD_* under k6's names, limits). */
  k6Env: Record<string, string | undefined>;
  /** The absolute REPORTS_DIR (the runner writes each run's reports in a folder of its own there). */
  reportsDir: string;
  /** The k6 flags given after `--`, checked by k6PassThrough. */
  k6Extra: string[];
  /** The profile the k6 script will build (its name, duration and description, "login smoke: …"). */
  profile: ReturnType<typeof buildProfile>;
  criteria: ReturnType<typeof buildCriteria>;
}

/** Everything `npm run load` checks before it starts anything: flags, settings, the safety gate, an
 *  inbox for a latest target's pool, the profile and thresholds the k6 script will build, and the
 *  bundled target's settings when it is used. Throws SettingsError (exit 2) naming what is wrong. */
export function validateLoadRun(argv: readonly string[], env: Record<string, string | undefined>): LoadRun {
  const { values, positionals, after } = parseCommandLine(
    'npm run load',
    argv,
    Object.fromEntries(Object.keys(FLAG_SETTINGS).map((f) => [f, { type: 'string' as const }])),
    { positionals: true },
  );
  // Everything after `--` is k6's (`-- --out experimental-prometheus-rw`), minus the flags that would undo the runner's guarantees.
  const k6Extra = k6PassThrough(after);
  const script = positionals[0] as ScriptName | undefined;
  if (!script || !SCRIPTS.includes(script) || positionals.length > 1)
    throw new SettingsError([
      positionals.length ? 'script: expected login or credits as the one argument' : 'script: expected login or credits',
      USAGE,
    ]);
  const fromEnv = parseSettings(loadSettingsShape, env);
  const fromFlags = parseSettings(
    flagShape,
    Object.fromEntries(Object.entries(FLAG_SETTINGS).map(([flag, name]) => [name, values[flag] as string | undefined])),
  );
  const s = { ...fromEnv, ...Object.fromEntries(Object.entries(fromFlags).filter(([, v]) => v !== undefined)) } as typeof fromEnv;

  // The gate first: nothing is started or sent before it passes.
  let targetUrl: string | undefined;
  if (s.TARGET_URL) {
    try {
      targetUrl = assertTargetAllowed(s.TARGET_URL, s.CONFIRM_TARGET);
    } catch (err) {
      if (err instanceof SafetyError)
        throw new SettingsError([err.message.startsWith('TARGET_URL') ? err.message : `CONFIRM_TARGET: ${err.message}`]);
      throw err;
    }
  } else parseTargetSettings(env);
  // A latest target: the pool is made and verified by the runner, which needs an inbox (or accounts given).
  const noInbox =
    s.LOAD_ACCOUNTS_FILE || s.LOAD_USERNAME
      ? undefined
      : missingInbox(s, 'the load test', 'LOAD_ACCOUNTS_FILE (or LOAD_USERNAME and LOAD_PASSWORD) with accounts verified beforehand');
  if (noInbox) throw new SettingsError([noInbox]);
  const k6Env: Record<string, string | undefined> = {
    ...Object.fromEntries(Object.entries(K6_ENV_NAMES).map(([name, k6Name]) => [k6Name, s[name as keyof typeof K6_ENV_NAMES]])),
    CONFIRM_TARGET: s.CONFIRM_TARGET,
    TARGET_GENERATION: s.TARGET_GENERATION,
    HTTP_TIMEOUT_MS: String(s.HTTP_TIMEOUT_MS),
    TIME_TOLERANCE_S: String(s.TIME_TOLERANCE_S),
  };
  try {
    const profile = buildProfile(script, k6Env);
    const criteria = buildCriteria(script, k6Env);
    return { script, settings: s, targetUrl, k6Env, reportsDir: resolve(s.REPORTS_DIR), k6Extra, profile, criteria };
  } catch (err) {
    if (err instanceof ProfileError) throw asSettingsError(err);
    throw err;
  }
}

/** k6 flags a user may not pass after `--`: they would get around the safety gate (`-e TARGET_URL=…`,
 *  `--config` with a `hosts` map), the run's bounds (`--vus`, `--duration`, …), its verdict
 *  (`--no-thresholds`, `--no-summary`) or print secrets (`--http-debug` shows Authorization headers).
 *  The runner's own settings do those jobs. */
const K6_REFUSED = new Map<string, string>([
  ['-e', 'the runner passes k6 exactly its settings (TARGET_URL, LOAD_*)'],
  ['--env', 'the runner passes k6 exactly its settings (TARGET_URL, LOAD_*)'],
  ['--include-system-env-vars', 'the runner passes k6 exactly its settings (TARGET_URL, LOAD_*)'],
  ['-c', 'a config file could send the traffic elsewhere (hosts)'],
  ['--config', 'a config file could send the traffic elsewhere (hosts)'],
  ['-u', 'use --profile, --rate, --pre-vus and --max-vus'],
  ['--vus', 'use --profile, --rate, --pre-vus and --max-vus'],
  ['-d', 'use --duration (bounded to 30m)'],
  ['--duration', 'use --duration before the -- (bounded to 30m)'],
  ['-i', 'the profiles set the iterations'],
  ['--iterations', 'the profiles set the iterations'],
  ['-s', 'the profiles set the stages'],
  ['--stage', 'the profiles set the stages'],
  ['--execution-segment', 'the profiles set the scenarios'],
  ['--execution-segment-sequence', 'the profiles set the scenarios'],
  ['--no-thresholds', "the thresholds are the run's verdict"],
  ['--no-summary', 'the reports are written from the summary'],
  ['--http-debug', 'it prints request headers, Authorization tokens included'],
]);

/** The k6 flags given after `--` (`npm run load -- credits -- --out experimental-prometheus-rw`), passed
 *  to `k6 run` as they are, except those that would undo the runner's guarantees (exit 2, named). */
export function k6PassThrough(args: readonly string[]): string[] {
  const problems = args.flatMap((arg) => {
    const flag = arg.split('=')[0]!;
    const why = K6_REFUSED.get(flag);
    if (why) return [`k6 flag ${flag}: not accepted after -- (${why})`];
    if (/^-[a-z]{2,}$/i.test(flag) && [...flag.slice(1)].some((c) => K6_REFUSED.has(`-${c}`)))
      return [`k6 flags ${flag}: give short flags one by one`];
    return [];
  });
  if (problems.length) throw new SettingsError(problems);
  return [...args];
}

/** k6's `testid` tag for the run (remote-write outputs label every series with it), unless the user
 *  tagged one: `<script>-<profile>-<UTC time>`. */
export function testIdTag(extra: readonly string[], script: string, profile: string, now = new Date()): { testid: string; args: string[] } {
  for (const [i, a] of extra.entries()) {
    const v = a === '--tag' ? extra[i + 1] : a.startsWith('--tag=') ? a.slice(6) : undefined;
    if (v?.startsWith('testid=')) return { testid: v.slice(7), args: [] };
  }
  const testid = `${script}-${profile}-${now.toISOString().replace(/[-:]|\.\d+/g, '')}`;
  return { testid, args: ['--tag', `testid=${testid}`] };
}
