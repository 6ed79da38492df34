// One exploration: replay the known issues listed for this target (each must still fail as listed, or
// it is reported fixed), then search each scenario within its share of the budget, treating what is
// known or already found as explained. The result says which findings are new, which are known, and
// which listed issues no longer happen.
import type { KnownIssue } from '../core/known-issues.ts';
import { counterexampleOf, type Finding, findingKey, type Known, runOnce, search, type SearchResult } from './engine.ts';
import {
  BudgetSpent,
  type Failure,
  keyedByInput,
  OutOfTime,
  type Property,
  PROPERTY_NAMES,
  StopExploring,
  symptomKey,
} from './properties.ts';
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
  /** Seconds into the run when it was first found (new findings). */
  atS?: number;
}

export interface ExploreResult {
  seed: number;
  findings: ReportedFinding[];
  /** Listed for this target, but their counterexample no longer fails as listed: remove the entry. */
  fixed: { id: string; property: string; counterexample: string; why: string }[];
  scenarios: { name: string; about: string; runs: number; findings: number; skipped?: string }[];
  /** Each property and whether a new finding (or a fixed listed issue) broke it in this run. */
  verdicts: { property: Property; failed: boolean; known: number }[];
  /** The kinds of input the run tried (`password:entity`, `login:json`), sorted. */
  covered: string[];
  /** The corpus tried first: how many inputs, and how long it took (seconds). */
  corpus: { inputs: number; seconds: number };
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
  /** The scenarios to choose from (self-tests give their own). */
  scenarios?: readonly Scenario<never>[];
  /** Try each scenario's corpus first (default true; false only to measure what it adds). */
  corpus?: boolean;
  /** Progress, one line at a time. */
  log?: (line: string) => void;
}

/** `<scenario> <JSON>` back into the scenario and its input; throws a sentence when it cannot. */
export function parseCounterexample(
  text: string,
  scenarios: readonly Scenario<never>[] = SCENARIOS,
): { scenario: Scenario<never>; input: never } {
  const m = /^\s*([a-z-]+)\s+(.*)$/s.exec(text);
  const scenario = m ? scenarios.find((s) => s.name === m[1]) : undefined;
  if (!m || !scenario)
    throw new Error(`'${text.slice(0, 60)}' does not start with a scenario name (${scenarios.map((s) => s.name).join(', ')})`);
  let json: unknown;
  try {
    json = JSON.parse(m[2]!);
  } catch {
    throw new Error(`the counterexample after '${m[1]}' is not JSON`);
  }
  return { scenario, input: scenario.fromJson(json) as never };
}

const scenarioSeed = (seed: number, i: number) => (seed + i * 7919) | 0;
/** The order the scenarios' corpora run in (a scenario not named here goes last). */
const CORPUS_ORDER = ['round-trip', 'register', 'tokens', 'login', 'flow'];
const corpusRank = (name: string): number => (CORPUS_ORDER.includes(name) ? CORPUS_ORDER.indexOf(name) : CORPUS_ORDER.length);
/** Each scenario's EXPLORE_RUNS come in this many slices, the scenarios taking turns. */
const SLICES = 4;

export async function explore(w: World, o: ExploreOptions): Promise<ExploreResult> {
  const log = o.log ?? (() => {});
  const all = o.scenarios ?? SCENARIOS;
  const started = Date.now();
  const deadline = started + o.seconds * 1000;
  // No request or mail wait of the run goes past the budget (world.ts bounds each by the time left).
  w.deadline = deadline;
  const findings: ReportedFinding[] = [];
  const fixed: ExploreResult['fixed'] = [];
  const known: (Known & { id: string })[] = [];
  let stopped: string | undefined;

  // Known issues first: each listed counterexample is replayed once and must still fail as listed.
  const listed = o.knownIssues.filter((k) => k.property);
  if (listed.length) log(`Replaying ${listed.length} known issue(s) listed for this target`);
  for (const k of listed) {
    const { scenario, input } = parseCounterexample(k.counterexample ?? '', all);
    let f: Failure | undefined;
    try {
      f = await runOnce(scenario, input, w);
    } catch (err) {
      if (err instanceof OutOfTime) {
        log(`  the time ran out before the known issues were all replayed (${k.id} and after are not judged)`);
        break;
      }
      // EXPLORE_REQUESTS spent while replaying: the rest of the budget's story is told below.
      if (!(err instanceof BudgetSpent)) stopped = (err as Error).message;
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

  // The scenarios take turns, a slice of their inputs at a time, so each is met early in the run (a
  // run that stops at its first finding reaches the last scenario in seconds) and a scenario that
  // finishes its inputs early leaves its time to the others. Time is shared by weight.
  const chosen = all.filter((s) => !o.only || o.only.includes(s.name));
  const state = new Map<Scenario<never>, { runs: number; findings: number; left: number; slice: number; skipped?: string }>(
    chosen.map((s) => [s, { runs: 0, findings: 0, left: o.runs, slice: 0, skipped: s.unavailable?.(w) }]),
  );
  const active = () => chosen.filter((s) => !state.get(s)!.skipped && state.get(s)!.left > 0);
  const sliceRuns = Math.max(1, Math.ceil(o.runs / SLICES));
  for (const s of chosen) log(`▶ ${s.name}: ${s.about}${state.get(s)!.skipped ? ` — skipped: ${state.get(s)!.skipped}` : ''}`);
  const covered = new Set<string>();
  const knownNow = () => [...known, ...findings.map((f) => ({ symptom: `${f.property} | ${f.where} | ${f.symptom}`, classes: f.classes }))];
  /** What a search found, into the run's findings; true when the run must stop (a 429, a harness error). */
  const take = (s: Scenario<never>, r: SearchResult): boolean => {
    const st = state.get(s)!;
    st.runs += r.runs;
    for (const c of r.covered) covered.add(c);
    for (const f of r.findings) {
      // The same bug met again with fewer kinds of input: keep the better-shrunk counterexample.
      const coarser = findings.findIndex(
        (x) =>
          x.status === 'new' &&
          x.property === f.property &&
          x.where === f.where &&
          x.symptom === f.symptom &&
          f.classes.every((c) => x.classes.includes(c)),
      );
      const atS = (Date.now() - started) / 1000;
      if (coarser >= 0) findings[coarser] = { ...f, status: 'new', atS: findings[coarser]!.atS ?? atS };
      else {
        findings.push({ ...f, status: 'new', atS });
        st.findings++;
      }
      log(
        `  ✖ ${coarser >= 0 ? 'better-shrunk' : 'new'} finding (${s.name}): ${f.property} — ${f.where}: ` +
          `${f.symptom}${f.classes.length ? ` (${f.classes.join(', ')})` : ''}`,
      );
    }
    if (r.stopped)
      stopped =
        r.stopped instanceof StopExploring ? r.stopped.message : `the explorer itself failed: ${r.stopped.stack ?? r.stopped.message}`;
    return stopped !== undefined;
  };

  // The corpus first, whatever the seed: every kind of input each scenario knows, once. A corpus input
  // is on top of EXPLORE_RUNS; the whole budget still bounds it.
  let done = false;
  let corpusInputs = 0;
  const corpusStarted = Date.now();
  // The scenarios whose corpus carries typed text first: a kind of text that breaks logging in shows in
  // the round trips, one that breaks what is stored or mailed in register; token edits and login bodies after.
  const runnable = chosen.filter((s) => !state.get(s)!.skipped).sort((a, b) => corpusRank(a.name) - corpusRank(b.name));
  if (o.corpus !== false && runnable.some((s) => s.corpus))
    log('Corpus: each kind of input every scenario knows, once, before the random search');
  for (const s of o.corpus === false ? [] : runnable) {
    const examples = s.corpus?.(w) ?? [];
    if (!examples.length || done || stopped || w.spent || Date.now() >= deadline) continue;
    const r = await search(s, w, {
      seed: scenarioSeed(o.seed, all.indexOf(s)),
      runs: examples.length,
      examples,
      deadline,
      known: knownNow(),
      first: o.first,
    });
    corpusInputs += r.runs;
    if (take(s, r)) break;
    if (o.first && r.findings.length) done = true;
  }
  const corpusSeconds = (Date.now() - corpusStarted) / 1000;

  for (let pass = 0; pass < SLICES * 4 && !done && !stopped && !w.spent && Date.now() < deadline; pass++) {
    const turn = active();
    if (!turn.length) break;
    for (const s of turn) {
      const st = state.get(s)!;
      const weights = active().reduce((n, x) => n + x.weight, 0);
      const passesLeft = Math.max(1, SLICES - pass);
      const share = ((deadline - Date.now()) * (s.weight / weights)) / passesLeft;
      const r = await search(s, w, {
        seed: (scenarioSeed(o.seed, all.indexOf(s)) + st.slice * 15_485_863) | 0,
        runs: Math.min(sliceRuns, st.left),
        deadline: Date.now() + Math.max(0, share),
        shrinkDeadline: deadline,
        known: knownNow(),
        first: o.first,
      });
      st.slice++;
      // A slice that ran nothing (out of time) still uses up a turn: the budget is what it is.
      st.left -= Math.max(r.runs, r.findings.length ? 0 : 1);
      if (take(s, r)) break;
      if (o.first && r.findings.length) {
        done = true;
        break;
      }
      if (Date.now() >= deadline || w.spent) break;
    }
  }
  if (w.spent) log(`The budget of requests is spent (EXPLORE_REQUESTS): the search ends here, as at its deadline`);
  const scenarios: ExploreResult['scenarios'] = chosen.map((s) => {
    const st = state.get(s)!;
    return { name: s.name, about: s.about, runs: st.runs, findings: st.findings, ...(st.skipped ? { skipped: st.skipped } : {}) };
  });
  const verdicts = PROPERTY_NAMES.map((property) => ({
    property,
    failed: findings.some((f) => f.status === 'new' && f.property === property) || fixed.some((x) => x.property === property),
    known: findings.filter((f) => f.status === 'known' && f.property === property).length,
  }));
  return {
    seed: o.seed,
    findings,
    fixed,
    scenarios,
    verdicts,
    covered: [...covered].sort(),
    corpus: { inputs: corpusInputs, seconds: corpusSeconds },
    stopped,
  };
}
