// Settings of `npm run load` (and the load selftests), under the names the k6 scripts read: LOAD_RATE
// is the key in the environment, in .env, in `npm run load -- credits -e LOAD_RATE=50` and in
// `k6 run -e LOAD_RATE=50`. The LOAD_* knobs are checked by the code the scripts run
// (lib/settings.ts), so both refuse alike; the runner then hands them to k6 under the same names.
import { resolve } from 'node:path';
import type { z } from 'zod';
import { missingInbox } from '../../core/mail/index.ts';
import { parseCommandLine, type ProgramInfo } from '../../core/cli.ts';
import { parseSettings, SettingsError, setting, sharedSettings } from '../../core/settings.ts';
import {
  assertTargetAllowed,
  buildCriteria,
  buildProfile,
  type Criteria,
  PROFILES,
  type Profile,
  type ScriptName,
} from '../lib/settings.ts';
import { k6EnvProblems } from './k6-env.ts';

/** The most k6 processes one machine runs for a run (LOAD_INSTANCES). */
export const MAX_INSTANCES = 16;

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
  /** The target's CA: trusted by the runner (the pool it registers) and handed to k6 (SSL_CERT_FILE). */
  TARGET_CA_FILE: sharedSettings.TARGET_CA_FILE,
  /** Must equal the target's host to load anything that is not this machine. */
  CONFIRM_TARGET: setting.text().optional(),
  LOAD_PROFILE: setting.oneOf(PROFILES).default('smoke'),
  // Checked by the code the k6 scripts run (lib/settings.ts), before any traffic.
  LOAD_RATE: setting.checked().optional(),
  LOAD_DURATION: setting.checked().optional(),
  LOAD_WARMUP: setting.checked().optional(),
  LOAD_PRE_VUS: setting.checked().optional(),
  LOAD_MAX_VUS: setting.checked().optional(),
  LOAD_POOL_SIZE: setting.checked().optional(),
  LOAD_P95_MS: setting.checked().optional(),
  LOAD_P99_MS: setting.checked().optional(),
  LOAD_MAX_ERROR_RATE: setting.checked().optional(),
  LOAD_MIN_CHECKS_RATE: setting.checked().optional(),
  /** k6 processes sharing the run by execution segment, as the k6-operator's `parallelism` runners do (load/runner/instances.ts). */
  LOAD_INSTANCES: setting.int(1, MAX_INSTANCES).default(1),
  /** Pre-provisioned accounts: a JSON file [{username, password}], or one account below. */
  LOAD_ACCOUNTS_FILE: setting.input().optional(),
  LOAD_USERNAME: setting.text().optional(),
  LOAD_PASSWORD: setting.text().optional(),
  /** A k6 binary to use instead of the pinned one found or installed automatically. */
  K6_BIN: setting.input().optional(),
};

/** The knobs the k6 scripts read, handed to k6 under the same names. */
const LOAD_KNOBS = [
  'LOAD_PROFILE',
  'LOAD_RATE',
  'LOAD_DURATION',
  'LOAD_WARMUP',
  'LOAD_PRE_VUS',
  'LOAD_MAX_VUS',
  'LOAD_POOL_SIZE',
  'LOAD_P95_MS',
  'LOAD_P99_MS',
  'LOAD_MAX_ERROR_RATE',
  'LOAD_MIN_CHECKS_RATE',
] as const;

export const SCRIPTS: readonly ScriptName[] = ['login', 'credits'];
export const USAGE =
  'usage: npm run load -- <login|credits> [-e LOAD_PROFILE=smoke|load|stress|spike|soak] [-e LOAD_RATE=N] [-e KEY=VALUE]... ' +
  '[-- <k6 flags>]';

export const LOAD_PROGRAM = {
  command: 'npm run load',
  summary: 'a k6 load test of login or credits (the bundled reference target when TARGET_URL is unset), with reports per run',
  usage: ['-- <login|credits> [-e KEY=VALUE]... [-- <k6 flags>]'],
  options: {
    env: {
      type: 'string',
      short: 'e',
      multiple: true,
      value: 'KEY=VALUE',
      description: 'a setting for this run, as k6 run -e (any setting below but LOAD_PASSWORD)',
    },
  },
  positionals: true,
  settings: loadSettingsShape,
  settingsFlag: '-e',
  renamed: Object.fromEntries(
    ['--vus', '-u'].map((f) => [
      f,
      'did you mean -e LOAD_MAX_VUS=<n>? (the profiles start VUs as the rate needs them: LOAD_PROFILE, LOAD_RATE, LOAD_PRE_VUS, LOAD_MAX_VUS)',
    ]),
  ),
  exits: "k6's: 0 passed, 99 thresholds crossed, 107 script error; 2 bad settings or command line; 3 k6 missing",
  examples: [
    'npm run load -- login                                   # the smoke profile against the bundled target',
    'npm run load -- credits -e LOAD_PROFILE=load -e LOAD_RATE=200',
    'TARGET_URL=https://api.staging.example.com CONFIRM_TARGET=api.staging.example.com npm run load -- login -e LOAD_PROFILE=smoke',
    'npm run load -- credits -- --out experimental-prometheus-rw  # k6 flags after a second --',
  ],
  notes: [
    'Profiles: smoke, load, stress, spike, soak (bounded: at most 30 min, 500 VUs). A target that is not this machine is',
    'loaded only with CONFIRM_TARGET=<its host>. Reports: REPORTS_DIR/load/<time>-<script>-<profile>/. More: docs/load.md.',
  ],
} satisfies ProgramInfo;

/** Settings `-e` may not carry: a password on a command line is seen by every process on the machine. */
const NOT_ON_COMMAND_LINE = new Set(['LOAD_PASSWORD']);

/** `-e KEY=VALUE` (as `k6 run -e`): one of the runner's settings, under the name it has everywhere. */
function commandLineEnv(pairs: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  const problems: string[] = [];
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    const key = eq < 0 ? pair : pair.slice(0, eq);
    if (eq < 0) problems.push(`-e ${key}: expected KEY=VALUE`);
    else if (NOT_ON_COMMAND_LINE.has(key)) problems.push(`-e ${key}: give it in the environment or .env, not on the command line`);
    else if (!Object.hasOwn(loadSettingsShape, key))
      problems.push(`-e ${key.slice(0, 60)}: not a setting of npm run load (see .env.example, section load)`);
    else out[key] = pair.slice(eq + 1);
  }
  if (problems.length) throw new SettingsError(problems);
  return out;
}

export interface LoadRun {
  script: ScriptName;
  settings: Readonly<z.infer<z.ZodObject<typeof loadSettingsShape>>>;
  /** The `-e` values, to be applied to the environment (the bundled target reads TARGET_FAULTS there). */
  commandLine: Record<string, string>;
  /** The canonical TARGET_URL the gate judged (undefined: the bundled target). */
  targetUrl?: string;
  /** The -e values for k6: the same names as the settings. */
  k6Env: Record<string, string | undefined>;
  /** The absolute REPORTS_DIR (the runner writes each run's reports in a folder of its own there). */
  reportsDir: string;
  /** The k6 flags given after `--`, checked by k6PassThrough. */
  k6Extra: string[];
  /** The profile the k6 script will build (its name, duration and description, "login smoke: …"). */
  profile: Profile;
  criteria: Criteria;
}

/** Everything `npm run load` checks before it starts anything: arguments, settings, the safety gate,
 *  an inbox for a latest target's pool, the profile and thresholds the k6 script will build (with the
 *  script's own code, lib/settings.ts). Throws SettingsError (exit 2) naming what is wrong. */
export function validateLoadRun(argv: readonly string[], baseEnv: Record<string, string | undefined>): LoadRun {
  const { values, positionals, after } = parseCommandLine(LOAD_PROGRAM, argv);
  // Everything after `--` is k6's (`-- --out experimental-prometheus-rw`), minus the flags that would undo the runner's guarantees.
  const k6Extra = k6PassThrough(after);
  const script = positionals[0] as ScriptName | undefined;
  if (!script || !SCRIPTS.includes(script) || positionals.length > 1)
    throw new SettingsError([
      positionals.length ? 'script: expected login or credits as the one argument' : 'script: expected login or credits',
      USAGE,
    ]);
  const commandLine = commandLineEnv(values.env ?? []);
  // A bad value in the environment is refused even where -e overrides it (npm start passes
  // -e LOAD_PROFILE=smoke): a setting is wrong wherever it is read.
  parseSettings(loadSettingsShape, baseEnv);
  // k6 reads its options from the environment too (k6-env.ts).
  const k6EnvRefused = k6EnvProblems(baseEnv);
  if (k6EnvRefused.length) throw new SettingsError(k6EnvRefused);
  const env = { ...baseEnv, ...commandLine };
  const s = parseSettings(loadSettingsShape, env);

  // The gate first: nothing is started or sent before it passes.
  // Without TARGET_URL, the bundled target checks its own settings as it starts (reference/bundled.ts,
  // loaded only then), still before any traffic.
  const targetUrl = s.TARGET_URL ? assertTargetAllowed(s.TARGET_URL, s.CONFIRM_TARGET) : undefined;
  // A latest target: the pool is made and verified by the runner, which needs an inbox (or accounts given).
  const noInbox =
    s.LOAD_ACCOUNTS_FILE || s.LOAD_USERNAME
      ? undefined
      : missingInbox(s, 'the load test', 'LOAD_ACCOUNTS_FILE (or LOAD_USERNAME and LOAD_PASSWORD) with accounts verified beforehand');
  if (noInbox) throw new SettingsError([noInbox]);
  const k6Env: Record<string, string | undefined> = {
    ...Object.fromEntries(LOAD_KNOBS.map((k) => [k, s[k]])),
    CONFIRM_TARGET: s.CONFIRM_TARGET,
    TARGET_GENERATION: s.TARGET_GENERATION,
    HTTP_TIMEOUT_MS: String(s.HTTP_TIMEOUT_MS),
    TIME_TOLERANCE_S: String(s.TIME_TOLERANCE_S),
  };
  const profile = buildProfile(script, k6Env);
  const criteria = buildCriteria(k6Env);
  return { script, settings: s, commandLine, targetUrl, k6Env, reportsDir: resolve(s.REPORTS_DIR), k6Extra, profile, criteria };
}

/** k6 flags a user may not pass after `--`: they would get around the safety gate (`-e TARGET_URL=…`,
 *  `--config` with a `hosts` map), the run's bounds (`--vus`, `--duration`, …), its verdict
 *  (`--no-thresholds`, `--no-summary`) or print secrets (`--http-debug` shows Authorization headers).
 *  The runner's own settings do those jobs. */
const K6_REFUSED = new Map<string, string>([
  ['-e', 'give the settings before the --: npm run load -- credits -e LOAD_RATE=50'],
  ['--env', 'give the settings before the --: npm run load -- credits -e LOAD_RATE=50'],
  ['--include-system-env-vars', 'the runner passes k6 exactly its settings (TARGET_URL, LOAD_*)'],
  ['-c', 'a config file could send the traffic elsewhere (hosts)'],
  ['--config', 'a config file could send the traffic elsewhere (hosts)'],
  ['-u', 'use -e LOAD_PROFILE, LOAD_RATE, LOAD_PRE_VUS and LOAD_MAX_VUS'],
  ['--vus', 'use -e LOAD_PROFILE, LOAD_RATE, LOAD_PRE_VUS and LOAD_MAX_VUS'],
  ['-d', 'use -e LOAD_DURATION (bounded to 30m)'],
  ['--duration', 'use -e LOAD_DURATION before the -- (bounded to 30m)'],
  ['-i', 'the profiles set the iterations'],
  ['--iterations', 'the profiles set the iterations'],
  ['-s', 'the profiles set the stages'],
  ['--stage', 'the profiles set the stages'],
  ['--execution-segment', 'the profiles set the scenarios'],
  ['--execution-segment-sequence', 'the profiles set the scenarios'],
  ['--no-thresholds', "the thresholds are the run's verdict"],
  ['--no-summary', 'the reports are written from the summary'],
  ['--http-debug', 'it prints request headers, Authorization tokens included'],
  ['--max-redirects', 'the scripts follow no redirect: one could carry the traffic, passwords included, to another host'],
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
