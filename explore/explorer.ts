// One exploration: replay the known issues listed for this target (each must still fail as listed, or
// it is reported fixed), then search each scenario within its share of the budget, treating what is
// known or already found as explained. The result says which findings are new, which are known, and
// which listed issues no longer happen.
import type { KnownIssue } from '../core/known-issues.ts';
import { counterexampleOf, type Finding, findingKey, type Known, runOnce, search } from './engine.ts';
import { type Failure, keyedByInput, type Property, PROPERTY_NAMES, symptomKey, Throttled } from './properties.ts';
import type { Scenario } from './scenario.ts';
import { flow } from './scenarios/flow.ts';
import { login } from './scenarios/login.ts';
import { register } from './scenarios/register.ts';
import { roundTrip } from './scenarios/round-trip.ts';
import { tokens } from './scenarios/tokens.ts';
import type { World } from './world.ts';

/** In the order they run: the cheap ones (one request per input) first. */
export const SCENARIOS: readonly Scenario<never>[] = [tokens, register, login, roundTrip, flow] as unknown as Scenario<never>[];

export interface ReportedFinding extends Finding {
  /** `new` fails the run; `known` is listed in known-issues.json for this target. */
  status: 'new' | 'known';
  /** The known-issues.json entry that lists it. */
  knownIssue?: string;
}

export interface ExploreResult {
  seed: number;
  findings: ReportedFinding[];
  /** Listed for this target, but their counterexample no longer fails as listed: remove the entry. */
  fixed: { id: string; property: string; counterexample: string; why: string }[];
  scenarios: { name: string; about: string; runs: number; findings: number; skipped?: string }[];
  /** Each property and whether a new finding (or a fixed listed issue) broke it in this run. */
  verdicts: { property: Property; failed: boolean; known: number }[];
  /** Why the run stopped before its budget, when it did (a 429, a harness error). */
  stopped?: string;
}

export interface ExploreOptions {
  seed: number;
  runs: number;
  seconds: number;
  /** Known issues in force for this target (known-issues.json). */
  knownIssues: readonly KnownIssue[];
  first?: boolean;
  /** Only these scenarios (by name). */
  only?: readonly string[];
  /** Progress, one line at a time. */
  log?: (line: string) => void;
}

/** `<scenario> <JSON>` back into the scenario and its input; throws a sentence when it cannot. */
export function parseCounterexample(text: string): { scenario: Scenario<never>; input: never } {
  const m = /^\s*([a-z-]+)\s+(.*)$/s.exec(text);
  const scenario = m ? SCENARIOS.find((s) => s.name === m[1]) : undefined;
  if (!m || !scenario)
    throw new Error(`'${text.slice(0, 60)}' does not start with a scenario name (${SCENARIOS.map((s) => s.name).join(', ')})`);
  let json: unknown;
  try {
    json = JSON.parse(m[2]!);
  } catch {
    throw new Error(`the counterexample after '${m[1]}' is not JSON`);
  }
  return { scenario, input: scenario.fromJson(json) as never };
}

const scenarioSeed = (seed: number, i: number) => (seed + i * 7919) | 0;

export async function explore(w: World, o: ExploreOptions): Promise<ExploreResult> {
  const log = o.log ?? (() => {});
  const started = Date.now();
  const deadline = started + o.seconds * 1000;
  const findings: ReportedFinding[] = [];
  const fixed: ExploreResult['fixed'] = [];
  const known: (Known & { id: string })[] = [];
  let stopped: string | undefined;

  // Known issues first: each listed counterexample is replayed once and must still fail as listed.
  const listed = o.knownIssues.filter((k) => k.property);
  if (listed.length) log(`Replaying ${listed.length} known issue(s) listed for this target`);
  for (const k of listed) {
    const { scenario, input } = parseCounterexample(k.counterexample ?? '');
    let f: Failure | undefined;
    try {
      f = await runOnce(scenario, input, w);
    } catch (err) {
      stopped = (err as Error).message;
      break;
    }
    const classes = f && keyedByInput(f) ? scenario.classes(input) : [];
    if (f && f.property === k.property) {
      known.push({ id: k.id, symptom: symptomKey(f), classes });
      findings.push({
        key: findingKey(f, classes),
        property: f.property,
        where: f.where,
        symptom: f.symptom,
        classes,
        counterexample: counterexampleOf(scenario, input),
        message: `${scenario.describe(input)}: ${f.message}`,
        seed: o.seed,
        shrinks: 0,
        status: 'known',
        knownIssue: k.id,
      });
      log(`  known  ${k.id}: still happens (${f.property}: ${f.where}: ${f.symptom})`);
    } else {
      const why = f ? `it now fails ${f.property} instead (${f.where}: ${f.symptom})` : 'it passes now';
      fixed.push({ id: k.id, property: k.property!, counterexample: k.counterexample ?? '', why });
      log(`  FIXED? ${k.id}: ${why}; remove the entry from known-issues.json`);
    }
  }

  const scenarios: ExploreResult['scenarios'] = [];
  const chosen = SCENARIOS.filter((s) => !o.only || o.only.includes(s.name));
  let weightLeft = chosen.reduce((n, s) => n + s.weight, 0);
  for (const [i, s] of SCENARIOS.entries()) {
    if (!chosen.includes(s)) continue;
    const skipped = s.unavailable?.(w);
    if (skipped || stopped) {
      scenarios.push({ name: s.name, about: s.about, runs: 0, findings: 0, skipped: skipped ?? 'the run stopped early' });
      weightLeft -= s.weight;
      continue;
    }
    // Time left is shared by the scenarios still to run, so a quick one leaves its time to the next.
    const share = (deadline - Date.now()) * (s.weight / weightLeft);
    weightLeft -= s.weight;
    const runs = o.runs;
    log(`▶ ${s.name}: ${s.about} (up to ${runs} inputs, ${Math.max(0, share / 1000).toFixed(0)} s)`);
    const r = await search(s, w, {
      seed: scenarioSeed(o.seed, i),
      runs,
      deadline: Date.now() + Math.max(0, share),
      known: [...known, ...findings.map((f) => ({ symptom: `${f.property} | ${f.where} | ${f.symptom}`, classes: f.classes }))],
      first: o.first,
    });
    for (const f of r.findings) {
      // The same bug met again by another scenario with fewer kinds of input: keep the better-shrunk one.
      const coarser = findings.findIndex(
        (x) =>
          x.status === 'new' &&
          x.property === f.property &&
          x.where === f.where &&
          x.symptom === f.symptom &&
          f.classes.every((c) => x.classes.includes(c)),
      );
      if (coarser >= 0) findings[coarser] = { ...f, status: 'new' };
      else findings.push({ ...f, status: 'new' });
      log(
        `  ✖ ${coarser >= 0 ? 'better-shrunk' : 'new'} finding: ${f.property} — ${f.where}: ${f.symptom}${f.classes.length ? ` (${f.classes.join(', ')})` : ''}`,
      );
    }
    scenarios.push({ name: s.name, about: s.about, runs: r.runs, findings: r.findings.length });
    if (r.stopped) {
      stopped = r.stopped instanceof Throttled ? r.stopped.message : `the explorer itself failed: ${r.stopped.stack ?? r.stopped.message}`;
      break;
    }
    if (o.first && r.findings.length) break;
  }
  const verdicts = PROPERTY_NAMES.map((property) => ({
    property,
    failed: findings.some((f) => f.status === 'new' && f.property === property) || fixed.some((x) => x.property === property),
    known: findings.filter((f) => f.status === 'known' && f.property === property).length,
  }));
  return { seed: o.seed, findings, fixed, scenarios, verdicts, stopped };
}
