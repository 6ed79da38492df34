// npm start against a rate-limited target: before any traffic beyond its probe, the plan (what every
// part will send, release/costs.ts) is held to what the target grants (what its probe's answers
// announced, core/rate-limit.ts). What can shrink shrinks to fit, and says so: the k6 smokes (their
// rate and duration, down to a floor) and the explorer's budget (EXPLORE_REQUESTS, down to a floor).
// What cannot fit stops the run before traffic: exit 3, one sentence saying what it needs, what the
// target grants until when, and what to do.
import type { Generation } from '../core/contract.ts';
import { describeRateLimit, freeAtMs, limitWords, type RateLimit, whenWords } from '../core/rate-limit.ts';
import { LOOK_COST, monitorCost, smokeCost, testsCost } from './costs.ts';
import type { Part } from '../core/parts.ts';

/** The smallest k6 smoke worth running: 1 a second for 3 s (each threshold still judged). */
export const SMOKE_FLOOR = { rate: 1, durationS: 3 };
/** The explorer's budget when the target announces a limit and EXPLORE_REQUESTS does not say, and its floor. */
export const EXPLORE_WANTED = 400;
export const EXPLORE_FLOOR = 50;
/** Kept back for what a plan cannot know: a retried test, a kept token more, a slow mail read again. */
export const marginFor = (need: number): number => Math.max(5, Math.ceil(need * 0.05));

export interface PlanInput {
  parts: readonly Part[];
  projects: readonly string[];
  generation: Generation;
  /** EXPLORE_REQUESTS, when given. */
  exploreRequests?: number;
  /** LOAD_RATE / LOAD_DURATION given by the user for the smokes: then they are not shrunk, and cost what they say. */
  loadFixed?: { rate?: number; durationS?: number };
}

export interface Plan {
  /** Requests per part as planned (load: both smokes). */
  costs: Partial<Record<Part, number>>;
  /** The k6 smokes' rate and duration, when shrunk. */
  smoke?: { rate: number; durationS: number };
  /** The explorer's budget of requests (undefined: no limit to keep to). */
  exploreRequests?: number;
  /** What was shrunk, in words (one line each). */
  notes: string[];
  total: number;
}

const smokes = (g: Generation, o?: { rate?: number; durationS?: number }) => smokeCost('login', g, o) + smokeCost('credits', g, o);

/** The costs of `parts` with the smokes and the explorer at the given sizes. */
function costsOf(i: PlanInput, smoke: { rate: number; durationS: number } | undefined, explore: number): Plan['costs'] {
  const c: Plan['costs'] = {};
  for (const p of i.parts)
    c[p] =
      LOOK_COST +
      (p === 'tests'
        ? testsCost(i.projects, i.generation)
        : p === 'load'
          ? smokes(i.generation, smoke)
          : p === 'monitor'
            ? monitorCost(i.generation)
            : explore);
  return c;
}
const sum = (c: Plan['costs']): number => Object.values(c).reduce((n, x) => n + (x ?? 0), 0);

/** The plan at full size: what npm start sends when nothing needs to shrink. */
export function fullPlan(i: PlanInput): Plan {
  const explore = i.exploreRequests ?? EXPLORE_WANTED;
  const costs = costsOf(i, undefined, explore);
  return { costs, notes: [], total: sum(costs), ...(i.parts.includes('explore') ? { exploreRequests: explore } : {}) };
}

/**
 * The plan shrunk to fit in `available` requests, or the least it needs when even its floors do not
 * fit. The smokes shrink first to their floor only if the explorer at its floor would not fit beside
 * them; the explorer takes what is left, up to what it wants.
 */
export function fitPlan(i: PlanInput, available: number): { plan: Plan } | { needs: number; costs: Plan['costs'] } {
  const full = fullPlan(i);
  const wantExplore = i.exploreRequests ?? EXPLORE_WANTED;
  const exploreFloor = Math.min(EXPLORE_FLOOR, wantExplore);
  const hasExplore = i.parts.includes('explore');
  const hasLoad = i.parts.includes('load') && !i.loadFixed;
  const floorCosts = costsOf(i, hasLoad ? SMOKE_FLOOR : undefined, exploreFloor);
  if (sum(floorCosts) > available) return { needs: sum(floorCosts), costs: floorCosts };
  const notes: string[] = [];
  let smoke: Plan['smoke'];
  // The smokes at full size if the explorer's floor still fits beside them; else the largest duration that does.
  if (hasLoad && sum(costsOf(i, undefined, exploreFloor)) > available) {
    smoke = { ...SMOKE_FLOOR };
    for (let d = SMOKE_FLOOR.durationS + 1; sum(costsOf(i, { rate: SMOKE_FLOOR.rate, durationS: d }, exploreFloor)) <= available; d++)
      smoke.durationS = d;
    notes.push(
      `load: each k6 smoke shrunk to ${smoke.rate}/s for ${smoke.durationS} s (${smokeCost('login', i.generation, smoke)} and ` +
        `${smokeCost('credits', i.generation, smoke)} requests) to fit the target's rate limit`,
    );
  }
  let explore: number | undefined;
  if (hasExplore) {
    const rest = available - sum(costsOf(i, smoke, 0));
    explore = Math.min(wantExplore, rest);
    notes.push(
      explore < wantExplore
        ? `explore: its budget shrunk to ${explore} requests (EXPLORE_REQUESTS; it wanted ${wantExplore}) to fit the target's rate limit`
        : `explore: at most ${explore} requests (EXPLORE_REQUESTS), within the target's rate limit`,
    );
  }
  const costs = costsOf(i, smoke, explore ?? 0);
  return { plan: { ...full, costs, smoke, exploreRequests: explore, notes, total: sum(costs) } };
}

/** The largest set of parts (then the cheapest) that fits at its floors, for the sentence's advice. */
function partsThatFit(i: PlanInput, available: number): Part[] | undefined {
  let best: { parts: Part[]; total: number } | undefined;
  const n = i.parts.length;
  for (let mask = 1; mask < (1 << n) - 1; mask++) {
    const parts = i.parts.filter((_, k) => mask & (1 << k));
    const r = fitPlan({ ...i, parts }, available);
    if ('needs' in r) continue;
    if (!best || parts.length > best.parts.length || (parts.length === best.parts.length && r.plan.total < best.total))
      best = { parts, total: r.plan.total };
  }
  return best?.parts;
}

/** The one sentence that stops a plan the target's limit cannot hold (exit 3). */
export function doesNotFit(
  i: PlanInput,
  needs: { needs: number; costs: Plan['costs'] },
  grant: RateLimit,
  available: number,
  host: string,
): string {
  const per = Object.entries(needs.costs)
    .map(([p, n]) => `${p} ${n}`)
    .join(', ');
  const free = freeAtMs(grant);
  const fits = partsThatFit(i, available);
  return (
    `Not started: this release check needs at least ${needs.needs} requests (${per}; each at its smallest) and ${host} ` +
    `grants ${Math.max(0, grant.remaining ?? 0)} more${free !== undefined ? ` until ${whenWords(free)}` : ''} (${limitWords(grant)}): ` +
    `wait${free !== undefined ? ' until then' : ''}, ask its operators for a higher limit for this client, or run fewer parts` +
    `${fits ? ` (RELEASE_PARTS=${fits.join(',')} fits)` : ''}`
  );
}

/** "600 requests per hour for this client, 587 left until …", for the check's first lines. */
export const grantLine = (grant: RateLimit): string => `rate limit: ${describeRateLimit(grant)} (${grant.from.join(', ')})`;
