// The search: each scenario runs under fast-check within its share of the budget. A failing input is
// shrunk to a minimal counterexample (only failures with the same symptom count while shrinking, so
// it never slides into another bug), becomes a finding, and the search goes on in a new round with a
// new seed, treating what it already found as known: one finding per root cause, not per input.
import fc from 'fast-check';
import { BudgetSpent, keyedByInput, OutOfTime, PastTheStep, symptomKey, type Failure, StepFailed } from './properties.ts';
import type { Scenario } from './scenario.ts';
import type { World } from './world.ts';

/** A distinct way the target breaks a property, with its minimal counterexample. */
export interface Finding {
  /** The property, where it broke, the symptom and (for a scenario's own expectations) the kinds of
   *  unusual input it takes: findings with the same key are the same bug. */
  key: string;
  property: Failure['property'];
  where: string;
  symptom: string;
  /** `field:kind` of the minimal counterexample (`password:entity`); empty for the generic oracles. */
  classes: string[];
  /** `<scenario> <JSON input>`: what to replay. */
  counterexample: string;
  /** The input and what happened, in words. */
  message: string;
  seed: number;
  /** Predicate runs spent shrinking it. */
  shrinks: number;
}

export interface Known {
  symptom: string;
  classes: readonly string[];
}

export interface SearchOptions {
  seed: number;
  /** Generated inputs this scenario may run (shrinking not counted). */
  runs: number;
  /** Epoch ms when this scenario stops generating inputs. */
  deadline: number;
  /** Epoch ms until which a failure found in time may still be shrunk (default: `deadline`): a
   *  counterexample cut short by its slice's end would carry kinds of input that do not matter. */
  shrinkDeadline?: number;
  /** Bugs already found or listed: failures they explain pass, so the search looks further. */
  known: Known[];
  /** Stop at the first finding, unshrunk (the detection matrix only asks "caught or not"). */
  first?: boolean;
  /** Inputs to run before any generated one (fast-check's examples): the scenario's corpus. */
  examples?: readonly unknown[];
}

export interface SearchResult {
  findings: Finding[];
  /** Inputs generated and run (shrinking not counted). */
  runs: number;
  /** The kinds of input (`password:entity`) of the inputs that ran. */
  covered: Set<string>;
  /** The target answered 429 or something in the harness broke: the search stopped early. */
  stopped?: Error;
}

/** Shrinking is bounded: a counterexample this many steps from the first failure is small enough. */
const SHRINK_CAP = 60;
/** A scenario gives up looking for more after this many findings. */
const MAX_ROUNDS = 10;

export const findingKey = (f: Failure, classes: readonly string[]): string =>
  classes.length ? `${symptomKey(f)} | ${classes.join(', ')}` : symptomKey(f);

/** Does a failure of `input` look like a known bug (same symptom, and the input has its unusual kinds)? */
const explained = (known: readonly Known[], f: Failure, classes: () => string[]): boolean =>
  known.some((k) => k.symptom === symptomKey(f) && (k.classes.length === 0 || k.classes.every((c) => classes().includes(c))));

export const counterexampleOf = (s: Scenario, input: unknown): string => `${s.name} ${JSON.stringify(s.toJson(input))}`;

/** Runs one input once (a replay); the failure it hits, if any. Throttled and harness errors propagate. */
export async function runOnce(s: Scenario, input: unknown, w: World): Promise<Failure | undefined> {
  try {
    await s.run(input, w);
    return undefined;
  } catch (err) {
    if (err instanceof StepFailed) return err.failure;
    throw err;
  }
}

/**
 * fast-check shrinks each field toward its own simplest value, but a field it could not shrink in time
 * (or a choice shrinking never tried to drop) stays in the counterexample and in the finding's kinds.
 * Each field is tried at its plain default, one at a time (one run each): a field whose default still
 * fails with the same symptom does not matter, and is dropped, unless the failure without it is one a
 * known bug explains (then the field is what tells this bug from that one). Only for JSON objects.
 */
async function withoutIrrelevantFields(
  s: Scenario,
  w: World,
  input: unknown,
  symptom: string,
  deadline: number,
  known: readonly Known[],
): Promise<{ input: unknown; failure?: Failure }> {
  const json = s.toJson(input);
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return { input };
  let kept = { ...(json as Record<string, unknown>) };
  let failure: Failure | undefined;
  for (const field of Object.keys(kept)) {
    if (Date.now() > deadline) break;
    const { [field]: _dropped, ...rest } = kept;
    const candidate = s.fromJson(rest);
    let f: Failure | undefined;
    try {
      f = await runOnce(s, candidate, w);
    } catch (err) {
      if (err instanceof PastTheStep) continue;
      if (err instanceof OutOfTime) break;
      throw err;
    }
    if (f && symptomKey(f) === symptom && !explained(known, f, () => (keyedByInput(f) ? s.classes(candidate) : []))) {
      kept = rest;
      failure = f;
    }
  }
  return { input: s.fromJson(kept), failure };
}

export async function search(s: Scenario, w: World, o: SearchOptions): Promise<SearchResult> {
  const findings: Finding[] = [];
  const known = [...o.known];
  let runsLeft = o.runs;
  let ran = 0;
  const covered = new Set<string>();
  // Examples not yet run: a round that ends at a finding leaves the rest to the next one.
  let examples = [...(o.examples ?? [])];
  // Set from inside the predicate: a 429 or an error of the harness itself ends the search.
  const halt: { error?: Error } = {};
  for (let round = 0; round < MAX_ROUNDS && runsLeft > 0 && Date.now() < o.deadline && !halt.error && !w.spent; round++) {
    const seed = (o.seed + round * 104_729) | 0;
    // A secret echo already known is noted, not a stop: the flow goes on to its later steps.
    w.tolerated = new Set(known.filter((k) => k.symptom.startsWith('no-secret-echo |')).map((k) => k.symptom));
    let locked: string | undefined;
    let last: Failure | undefined;
    let shrinks = 0;
    let generated = 0;
    const property = fc.asyncProperty(s.arbitrary(w), async (input) => {
      if (halt.error || w.spent || Date.now() > (locked === undefined ? o.deadline : (o.shrinkDeadline ?? o.deadline))) return true;
      if (locked !== undefined && ++shrinks > SHRINK_CAP) return true;
      if (locked === undefined) {
        if (generated >= runsLeft) return true;
        generated++;
        for (const c of s.classes(input)) covered.add(c);
      }
      try {
        await s.run(input, w);
        return true;
      } catch (err) {
        // Past the step being shrunk, the run's time or its requests spent: none is a failure of this input.
        if (err instanceof PastTheStep || err instanceof OutOfTime || err instanceof BudgetSpent) return true;
        if (!(err instanceof StepFailed)) {
          halt.error = err instanceof Error ? err : new Error(String(err));
          return true;
        }
        const f = err.failure;
        if (explained(known, f, () => (keyedByInput(f) ? s.classes(input) : []))) return true;
        if (locked === undefined) {
          locked = symptomKey(f);
          // A scenario's own step: while shrinking, a candidate that gets past it is done.
          if (keyedByInput(f) || f.byInput === false) w.shrinkingAt = f.step ?? f.where;
        } else if (symptomKey(f) !== locked) return true;
        last = f;
        return false;
      }
    });
    let details: fc.RunDetails<[unknown]>;
    let input: unknown;
    try {
      // The examples come first, each once: a later round goes on with those its round did not reach.
      const first = examples.length ? { examples: examples.map((e) => [e] as [unknown]) } : {};
      details = await fc.check(property, { seed, numRuns: runsLeft, endOnFailure: o.first === true, ...first });
      if (details.failed && last && details.counterexample && !halt.error) {
        input = details.counterexample[0];
        if (!o.first) {
          const min = await withoutIrrelevantFields(s, w, input, symptomKey(last), o.shrinkDeadline ?? o.deadline, known);
          input = min.input;
          last = min.failure ?? last;
        }
      }
    } catch (err) {
      if (!(err instanceof BudgetSpent)) halt.error = err instanceof Error ? err : new Error(String(err));
    } finally {
      w.shrinkingAt = undefined;
    }
    ran += generated;
    runsLeft -= generated;
    examples = examples.slice(generated);
    if (halt.error) break;
    if (!details!.failed || !last || input === undefined) break;
    const classes = keyedByInput(last) ? s.classes(input) : [];
    const finding: Finding = {
      key: findingKey(last, classes),
      property: last.property,
      where: last.where,
      symptom: last.symptom,
      classes,
      counterexample: counterexampleOf(s, input),
      message: `${s.describe(input)}: ${last.message}`,
      seed,
      shrinks: Math.min(shrinks, SHRINK_CAP),
    };
    // A counterexample left half-shrunk carries kinds that do not matter: a later one with the same
    // symptom and fewer kinds is the same bug, better shrunk. Keep that one.
    const coarser = findings.findIndex(
      (x) =>
        x.property === finding.property &&
        x.where === finding.where &&
        x.symptom === finding.symptom &&
        classes.every((c) => x.classes.includes(c)),
    );
    if (coarser >= 0) findings[coarser] = finding;
    else findings.push(finding);
    known.push({ symptom: symptomKey(last), classes });
    if (o.first) break;
  }
  return { findings, runs: ran, covered, stopped: halt.error };
}
