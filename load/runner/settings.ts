// Settings of `npm run load` (and the load selftests). Raw LOAD_* values are checked by the same
// pure builders the k6 scripts use (lib/profiles.ts, lib/thresholds.ts), so both refuse alike.
import { setting, SettingsError, sharedSettings } from '../../core/settings.ts';
import { PROFILES } from '../lib/profiles.ts';

export const loadSettingsShape = {
  TARGET_URL: sharedSettings.TARGET_URL,
  TARGET_ENV: sharedSettings.TARGET_ENV,
  HTTP_TIMEOUT_MS: sharedSettings.HTTP_TIMEOUT_MS,
  TIME_TOLERANCE_S: sharedSettings.TIME_TOLERANCE_S,
  LOG_LEVEL: sharedSettings.LOG_LEVEL,
  LOG_FORMAT: sharedSettings.LOG_FORMAT,
  REPORTS_DIR: sharedSettings.REPORTS_DIR,
  TARGET_GENERATION: sharedSettings.TARGET_GENERATION,
  MAIL_INBOX_URL: sharedSettings.MAIL_INBOX_URL,
  MAIL_WAIT_S: sharedSettings.MAIL_WAIT_S,
  /** Must equal the target's host to load anything that is not this machine. */
  CONFIRM_TARGET: setting.text().optional(),
  LOAD_PROFILE: setting.oneOf(PROFILES).default('smoke'),
  LOAD_RATE: setting.text().optional(),
  LOAD_DURATION: setting.text().optional(),
  LOAD_PRE_VUS: setting.text().optional(),
  LOAD_MAX_VUS: setting.text().optional(),
  LOAD_POOL_SIZE: setting.text().optional(),
  LOAD_P95_MS: setting.text().optional(),
  LOAD_P99_MS: setting.text().optional(),
  LOAD_MAX_ERROR_RATE: setting.text().optional(),
  LOAD_MIN_CHECKS_RATE: setting.text().optional(),
  /** Pre-provisioned accounts: a JSON file [{username, password}], or one account below. */
  LOAD_ACCOUNTS_FILE: setting.text().optional(),
  LOAD_USERNAME: setting.text().optional(),
  LOAD_PASSWORD: setting.text().optional(),
  /** A k6 binary to use instead of the pinned one found or installed automatically. */
  K6_BIN: setting.text().optional(),
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
