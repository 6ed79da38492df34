// The explorer's settings: its budget, its seed and its safety gate, plus the shared ones. Parsed once,
// at the edge (main.ts); a bad one stops the run before any traffic.
import { bundledGeneration } from '../core/generation.ts';
import { isLoopbackUrl, urlHostname } from '../core/loopback.ts';
import { missingInbox } from '../core/mail/index.ts';
import { parseSettings, setting, SettingsError, sharedSettings, targetIsLocal } from '../core/settings.ts';

/** The wall-clock budget of an exploration, in seconds (the release check gives its own default). */
export const exploreSeconds = () => setting.int(5, 86_400);
/** A budget of requests (the release check passes its own, shrunk to fit the target's rate limit). */
export const exploreRequests = () => setting.int(10, 10_000_000);
/** The gate for a target that is not this machine. */
export const allowExplore = () => setting.bool().default(false);

export const exploreSettings = {
  ...sharedSettings,
  /** Generated inputs per scenario (fast-check's numRuns; shrinking not counted). */
  EXPLORE_RUNS: setting.int(1, 100_000).default(100),
  /** Wall-clock budget of the whole run, shrinking included. */
  EXPLORE_SECONDS: exploreSeconds().default(90),
  /** At most this many requests (the generation probe's included): the search ends there, as at its
   *  deadline. Its cost against a rate-limited target; npm start shrinks it to fit what the target grants. */
  EXPLORE_REQUESTS: exploreRequests().optional(),
  /** The seed of the generators: printed by every run, given back to replay it. */
  EXPLORE_SEED: setting.int(-2_147_483_648, 2_147_483_647).optional(),
  /** The explorer registers many accounts: against a target that is not this machine only when true. */
  ALLOW_EXPLORE: allowExplore(),
};

/** The bundled target's check of TARGET_FAULTS (its catalog, its generations), passed in by callers that
 *  have loaded reference/settings.ts: a run against TARGET_URL never loads the reference target. */
export type FaultCheck = (faults: string | undefined, generation: string) => string[];

export type ExploreSettings = ReturnType<typeof validateExploreSettings>;

/** Why the explorer may not run against this target, in one sentence; undefined when it may. */
export function exploreGateProblem(s: { TARGET_URL?: string; ALLOW_EXPLORE: boolean }): string | undefined {
  if (!s.TARGET_URL || isLoopbackUrl(s.TARGET_URL) || s.ALLOW_EXPLORE) return undefined;
  return (
    `ALLOW_EXPLORE: not true, and ${urlHostname(s.TARGET_URL) ?? s.TARGET_URL} is not this machine. The explorer registers many ` +
    'throwaway accounts (named hx-<run id>-…) and sends hundreds of requests; set ALLOW_EXPLORE=true to run it there'
  );
}

/** Parses and cross-checks the settings from `env`; throws SettingsError naming each variable. */
export function validateExploreSettings(env: Record<string, string | undefined>, checkFaults?: FaultCheck) {
  const s = parseSettings(exploreSettings, env);
  const problems: string[] = [];
  const gate = exploreGateProblem(s);
  if (gate) problems.push(gate);
  if (!s.TARGET_URL && checkFaults) problems.push(...checkFaults(s.TARGET_FAULTS, bundledGeneration(s.TARGET_GENERATION)));
  const noInbox = missingInbox(s, 'the explorer');
  if (noInbox) problems.push(noInbox);
  if (problems.length) throw new SettingsError(problems);
  return s;
}

/** Upgrade is irreversible: the explorer's flows upgrade their own accounts only where the tests may. */
export const upgradeAllowed = (s: Pick<ExploreSettings, 'TARGET_URL' | 'ALLOW_UPGRADE'>): boolean => targetIsLocal(s) || s.ALLOW_UPGRADE;
