// Settings of the release check and the matrix, and the up-front validation of every part's
// settings: a bad setting anywhere stops the run before any traffic.
import { loadSettings, parseSettings, setting, settingsEnv, sharedSettings, SettingsError, targetIsLocal } from '../core/settings.ts';
import { accountMakingProjects, inboxProblem, parseTestSettings } from '../fixtures/settings.ts';
import { validateLoadRun } from '../load/runner/settings.ts';
import { validateMonitorSettings } from '../monitors/settings.ts';
import {
  allowExplore,
  exploreGateProblem,
  exploreRequests,
  exploreSeconds,
  type FaultCheck,
  validateExploreSettings,
} from '../explore/settings.ts';

import { PARTS, type Part } from '../core/parts.ts';
import { PROJECTS } from '../parts/tests.ts';

export const releaseSettings = {
  ...sharedSettings,
  /** Which parts the release check runs. */
  RELEASE_PARTS: setting.list(PARTS).optional(),
  /** Set by CI systems: the parts log JSON lines there. */
  CI: setting.bool().default(false),
  /** The explorer's budget in the release check (default RELEASE_EXPLORE_SECONDS). */
  EXPLORE_SECONDS: exploreSeconds().optional(),
  /** Its budget of requests; against a rate-limited target the check shrinks it to fit. */
  EXPLORE_REQUESTS: exploreRequests().optional(),
  /** The explorer runs against a target that is not this machine only when true. */
  ALLOW_EXPLORE: allowExplore(),
  /** Which Playwright projects it runs (default: all that are allowed against the target). */
  RELEASE_TEST_PROJECTS: setting.list(PROJECTS).optional(),
  /** The version under test, as the team names it (a tag, a build number): recorded with the verdict. */
  TARGET_VERSION: setting.text().optional(),
};
export type ReleaseSettings = ReturnType<typeof loadReleaseSettings>;

export function loadReleaseSettings() {
  return loadSettings(releaseSettings);
}

/** The bundled target's own checks of its settings (TARGET_FAULTS against its catalog and generations):
 *  reference/settings.ts, passed in by callers that loaded it, which they do only when TARGET_URL is
 *  unset, so a release check against a deployment never loads the reference target. */
export interface ReferenceChecks {
  parseTargetSettings(env: Record<string, string | undefined>): unknown;
  faultProblems: FaultCheck;
}

/** Parses every part's settings (and the load safety gate); one SettingsError with every problem. */
export function validateAllParts(
  parts: readonly string[],
  env: Record<string, string | undefined> = settingsEnv(),
  reference?: ReferenceChecks,
): void {
  const problems: string[] = [];
  const attempt = (fn: () => unknown) => {
    try {
      fn();
    } catch (err) {
      if (err instanceof SettingsError) problems.push(...err.problems);
      else problems.push((err as Error).message);
    }
  };
  if (reference) attempt(() => reference.parseTargetSettings(env));
  // A latest target needs an inbox for the projects that make accounts (those the check will run).
  if (parts.includes('tests'))
    attempt(() => {
      const problem = inboxProblem(parseTestSettings(env), releaseProjects(parseSettings(releaseSettings, env)));
      if (problem) throw new SettingsError([problem]);
    });
  // The load part runs `npm run load -- <script> -e LOAD_PROFILE=smoke` (parts.ts): the same checks.
  if (parts.includes('load')) attempt(() => validateLoadRun(['login', '-e', 'LOAD_PROFILE=smoke'], env));
  if (parts.includes('monitor')) attempt(() => validateMonitorSettings(env));
  if (parts.includes('explore')) attempt(() => validateExploreSettings(env, reference?.faultProblems));
  if (problems.length) throw new SettingsError([...new Set(problems)]);
}

/** The release check's share of exploring, when EXPLORE_SECONDS does not say: a short look. */
export const RELEASE_EXPLORE_SECONDS = 30;

/** The parts a release check runs when RELEASE_PARTS does not say: all of them, but the explorer
 *  only where it may run (this machine, or ALLOW_EXPLORE=true); `skipped` says why it does not. */
export function defaultParts(s: ReleaseSettings): { parts: Part[]; skipped?: string } {
  if (s.RELEASE_PARTS) return { parts: [...s.RELEASE_PARTS] };
  const gate = exploreGateProblem(s);
  if (!gate) return { parts: [...PARTS] };
  return {
    parts: PARTS.filter((p) => p !== 'explore'),
    skipped: `explore: skipped: it registers many accounts; ${gate.replace(/^ALLOW_EXPLORE: /, '')}`,
  };
}

/** What `npm start` checks before any traffic: its own settings, then every part's it will run. */
export function validateRelease(env: Record<string, string | undefined> = settingsEnv(), reference?: ReferenceChecks): ReleaseSettings {
  const s = parseSettings(releaseSettings, env);
  validateAllParts(defaultParts(s).parts, env, reference);
  return s;
}

/** Does any of `parts` make accounts (so that the first one can tell the generation)? Those given
 *  beforehand (SMOKE_USERNAME, LOAD_ACCOUNTS_FILE or LOAD_USERNAME, MONITOR_USERNAME) make none. */
export function makesAccounts(s: ReleaseSettings, parts: readonly string[], env: Record<string, string | undefined>): boolean {
  const set = (k: string) => Boolean(env[k]?.trim());
  return parts.some(
    (p) =>
      (p === 'tests' &&
        accountMakingProjects({ TARGET_URL: s.TARGET_URL, SMOKE_USERNAME: env.SMOKE_USERNAME }, releaseProjects(s)).length > 0) ||
      (p === 'load' && !set('LOAD_ACCOUNTS_FILE') && !set('LOAD_USERNAME')) ||
      (p === 'monitor' && !set('MONITOR_USERNAME')) ||
      p === 'explore',
  );
}

/** The Playwright projects a release check runs: all locally; upgrade elsewhere only with ALLOW_UPGRADE. */
export function releaseProjects(s: ReleaseSettings): string[] {
  if (s.RELEASE_TEST_PROJECTS) return [...s.RELEASE_TEST_PROJECTS];
  return targetIsLocal(s) || s.ALLOW_UPGRADE ? [...PROJECTS] : PROJECTS.filter((p) => p !== 'upgrade');
}

/** The parts' log format: pretty lines for a person at a terminal; JSON lines in CI, through a pipe, or when asked. */
export function partsLogFormat(s: Pick<ReleaseSettings, 'LOG_FORMAT' | 'CI'>, stdoutIsTTY: boolean): 'json' | 'pretty' {
  if (s.LOG_FORMAT !== 'auto') return s.LOG_FORMAT;
  return stdoutIsTTY && !s.CI ? 'pretty' : 'json';
}
