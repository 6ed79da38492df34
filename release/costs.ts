// What each part of the harness costs a target in requests: measured, not guessed. The figures below
// are what each part sent to the bundled target of each generation (`npm run costs` measures them
// again and holds them to these: a declared cost below what was measured, or far above it, fails);
// a k6 profile's is its rate × duration + set-up (load/lib/settings.ts profileCost), the explorer's is
// its budget (EXPLORE_REQUESTS), the generation probe's is core/generation.ts's.
import type { Generation } from '../core/contract.ts';
import { buildProfile, profileCost, type ScriptName } from '../load/lib/settings.ts';

/** Requests per Playwright project, every test run (none skipped), no retry: what `npm run costs`
 *  measures, with a little room (it fails when a figure here is off; docs/figures.md has the last run). */
export const TEST_COSTS: Record<string, Record<Generation, number>> = {
  smoke: { documented: 8, latest: 9 },
  flow: { documented: 146, latest: 210 },
  upgrade: { documented: 18, latest: 24 },
};

/** A healthy monitor pass: the first (it registers its account; latest: and opens its mailed link)
 *  and a later one; each token kept from earlier passes adds one request (at most 6 are kept). */
export const MONITOR_PASS_COSTS: Record<'first' | 'later', Record<Generation, number>> = {
  first: { documented: 5, latest: 7 },
  later: { documented: 5, latest: 5 },
};
export const MONITOR_KEPT_TOKENS = 6;

/** The generation probe (core/generation.ts): register and login; latest adds the mailed link (opened twice) and a login. */
export const PROBE_COSTS: Record<Generation, number> = { documented: 2, latest: 5 };

/** What the release check spends on its own: one look at what is left before each part, and after the last. */
export const LOOK_COST = 1;

/** The Playwright projects' cost. */
export const testsCost = (projects: readonly string[], g: Generation): number =>
  projects.reduce((n, p) => n + (TEST_COSTS[p]?.[g] ?? 0), 0);

/** One monitor pass, at most (its first, with every kept token probed). */
export const monitorCost = (g: Generation): number => MONITOR_PASS_COSTS.first[g] + MONITOR_KEPT_TOKENS;

/** A k6 smoke of `script` with these overrides (LOAD_RATE, LOAD_DURATION): iterations + set-up. */
export function smokeCost(script: ScriptName, g: Generation, o: { rate?: number; durationS?: number } = {}): number {
  const profile = buildProfile(script, {
    LOAD_PROFILE: 'smoke',
    ...(o.rate ? { LOAD_RATE: String(o.rate) } : {}),
    ...(o.durationS ? { LOAD_DURATION: `${o.durationS}s` } : {}),
  });
  return profileCost(script, profile, g === 'latest');
}
