// Settings of the release check and the matrix, and the up-front validation of every part's
// settings: a bad setting anywhere stops the run before any traffic.
import { z } from 'zod';
import { missingInbox } from '../core/mail/index.ts';
import { loadSettings, setting, sharedSettings, SettingsError, targetIsLocal } from '../core/settings.ts';
import { inboxProblem, loadTestSettings } from '../fixtures/settings.ts';
import { loadSettingsShape } from '../load/runner/settings.ts';
import { assertTargetAllowed } from '../load/lib/safety.ts';
import { crossCheck, monitorSettings } from '../monitors/settings.ts';
import { loadTargetSettings, targetSettings } from '../reference/settings.ts';
import { allowExplore, exploreGateProblem, exploreSeconds, loadExploreSettings } from '../explore/settings.ts';

import { PARTS, type PartName } from './parts.ts';

export { PARTS };
/** The Playwright projects (playwright.config.ts). */
export const PROJECTS = ['smoke', 'flow', 'upgrade'] as const;

export const releaseSettings = {
  ...sharedSettings,
  /** Shown in the header; the parts read it themselves when they start the bundled target. */
  TARGET_FAULTS: targetSettings.TARGET_FAULTS,
  /** Which parts the release check runs. */
  RELEASE_PARTS: setting
    .list()
    .pipe(z.array(z.enum(PARTS, { error: `expected a comma-separated list of ${PARTS.join(', ')}` })).min(1))
    .optional(),
  /** Set by CI systems: the parts log JSON lines there. */
  CI: setting.bool().default(false),
  /** The explorer's budget in the release check (default RELEASE_EXPLORE_SECONDS). */
  EXPLORE_SECONDS: exploreSeconds().optional(),
  /** The explorer runs against a target that is not this machine only when true. */
  ALLOW_EXPLORE: allowExplore(),
  /** Which Playwright projects it runs (default: all that are allowed against the target). */
  RELEASE_TEST_PROJECTS: setting
    .list()
    .pipe(z.array(z.enum(PROJECTS, { error: `expected a comma-separated list of ${PROJECTS.join(', ')}` })).min(1))
    .optional(),
};
export type ReleaseSettings = ReturnType<typeof loadReleaseSettings>;

export function loadReleaseSettings() {
  return loadSettings(releaseSettings);
}

/** Parses every part's settings (and the load safety gate); one SettingsError with every problem. */
export function validateAllParts(parts: readonly string[]): void {
  const problems: string[] = [];
  const attempt = (fn: () => unknown) => {
    try {
      fn();
    } catch (err) {
      if (err instanceof SettingsError) problems.push(...err.problems);
      else problems.push((err as Error).message);
    }
  };
  attempt(() => loadTargetSettings());
  if (parts.includes('tests'))
    attempt(() => {
      const problem = inboxProblem(loadTestSettings(), releaseProjects(loadReleaseSettings()));
      if (problem) throw new SettingsError([problem]);
    });
  if (parts.includes('load'))
    attempt(() => {
      const s = loadSettings(loadSettingsShape);
      if (s.TARGET_URL) assertTargetAllowed(s.TARGET_URL, s.CONFIRM_TARGET);
      const problem =
        s.LOAD_ACCOUNTS_FILE || s.LOAD_USERNAME
          ? undefined
          : missingInbox(s, 'the load test', 'LOAD_ACCOUNTS_FILE (or LOAD_USERNAME and LOAD_PASSWORD) with accounts verified beforehand');
      if (problem) throw new SettingsError([problem]);
    });
  if (parts.includes('monitor'))
    attempt(() => {
      const p = crossCheck(loadSettings(monitorSettings));
      if (p.length) throw new SettingsError(p);
    });
  if (parts.includes('explore')) attempt(() => loadExploreSettings());
  if (problems.length) throw new SettingsError([...new Set(problems)]);
}

/** The release check's share of exploring, when EXPLORE_SECONDS does not say: a short look. */
export const RELEASE_EXPLORE_SECONDS = 30;

/** The parts a release check runs when RELEASE_PARTS does not say: all of them, but the explorer
 *  only where it may run (this machine, or ALLOW_EXPLORE=true); `skipped` says why it does not. */
export function defaultParts(s: ReleaseSettings): { parts: PartName[]; skipped?: string } {
  const gate = exploreGateProblem(s);
  if (!gate) return { parts: [...PARTS] };
  return {
    parts: PARTS.filter((p) => p !== 'explore'),
    skipped: `explore: skipped: it registers many accounts; ${gate.replace(/^ALLOW_EXPLORE: /, '')}`,
  };
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
