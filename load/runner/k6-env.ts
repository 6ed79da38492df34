// k6 also reads its options from the environment (K6_<OPTION>), and those override the script's own
// options: the runner starts k6 with the user's environment (K6_PROMETHEUS_RW_* and other outputs'
// settings come that way), so the environment could undo what the runner guarantees as surely as
// the flags it refuses after `--` (settings.ts K6_REFUSED). These are refused with exit 2, before
// anything starts, naming the variable; an empty one (which k6 would still read) is not passed on.
//
// K6_HTTP_DEBUG is refused rather than quietly removed: whoever set it wants k6's request dump, and
// the run should say plainly why there is none (as for --http-debug) instead of going ahead without it.

const OPTIONS = 'the profiles set the scenarios: use LOAD_PROFILE, LOAD_RATE, LOAD_DURATION, LOAD_PRE_VUS, LOAD_MAX_VUS';

/** K6_* variables that would undo the runner's guarantees, with why. */
export const K6_ENV_REFUSED: ReadonlyMap<string, string> = new Map([
  [
    'K6_MAX_REDIRECTS',
    'the scripts follow no redirect (maxRedirects: 0): one could carry the traffic, passwords included, to another host',
  ],
  ['K6_HTTP_DEBUG', 'it prints every request and answer: Authorization tokens and password= bodies'],
  ['K6_VUS', OPTIONS],
  ['K6_DURATION', OPTIONS],
  ['K6_ITERATIONS', OPTIONS],
  ['K6_STAGES', OPTIONS],
  ['K6_EXECUTION_SEGMENT', OPTIONS],
  ['K6_EXECUTION_SEGMENT_SEQUENCE', OPTIONS],
  ['K6_NO_THRESHOLDS', "the thresholds are the run's verdict"],
  ['K6_NO_SUMMARY', 'the reports are written from the summary'],
  ['K6_CONFIG', 'a config file could send the traffic elsewhere (hosts)'],
  ['K6_INCLUDE_SYSTEM_ENV_VARS', 'the runner passes k6 exactly its settings (TARGET_URL, LOAD_*)'],
]);

/** One sentence per refused variable set to something in `env` (the environment, .env included). */
export function k6EnvProblems(env: Record<string, string | undefined>): string[] {
  return [...K6_ENV_REFUSED]
    .filter(([name]) => env[name] !== undefined && env[name]!.trim() !== '')
    .map(([name, why]) => `${name}: not accepted by npm run load (${why}); unset it`);
}

/** The refused variables removed from k6's environment (execa deletes a key set to undefined). */
export const withoutRefusedK6Env = (): Record<string, undefined> =>
  Object.fromEntries([...K6_ENV_REFUSED.keys()].map((k) => [k, undefined]));
