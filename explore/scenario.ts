// A scenario generates one kind of account flow or input and runs it against the target, stopping at
// the first step that breaks a property (StepFailed). Its inputs are plain JSON values, so a minimal
// counterexample can be printed, listed in known-issues.json and replayed by a later run.
import fc from 'fast-check';
import { type Category, classify, extraText } from './text.ts';
import type { World } from './world.ts';

export interface Scenario<I = unknown> {
  name: string;
  /** What it explores, in one line (the run's header lists them). */
  about: string;
  /** Its share of EXPLORE_SECONDS (each scenario may run EXPLORE_RUNS inputs). */
  weight: number;
  /** Why it cannot run against this target, if it cannot (then it is listed as skipped). */
  unavailable?(w: World): string | undefined;
  arbitrary(w: World): fc.Arbitrary<I>;
  run(input: I, w: World): Promise<void>;
  /** The input as JSON, fields at their plain default left out (so a shrunk one shows only what matters). */
  toJson(input: I): unknown;
  /** Back from that JSON (defaults filled in); throws on anything else. */
  fromJson(json: unknown): I;
  /** The kinds of unusual value the input carries, as `field:kind` (`password:entity`, `login:json`). */
  classes(input: I): string[];
  /** The input in words: "a password containing an HTML entity (`&amp;`)". */
  describe(input: I): string;
  /** Inputs tried first in every run, whatever the seed: every kind of input the scenario knows at
   *  least once (explore/text.ts SAMPLES), before the random search. */
  corpus?(w: World): I[];
}

/** `field:category` for each kind of unusual text in `extra` (after `hiddenBytes` plain ones). */
export const textClasses = (field: string, extra: string, hiddenBytes = 0): string[] =>
  classify(extra, hiddenBytes).map((c: Category) => `${field}:${c}`);

/** An enum field away from its default is a class of its own (`login:json`). */
export const choiceClass = <T extends string>(field: string, value: T, fallback: T): string[] =>
  value === fallback ? [] : [`${field}:${value}`];

/** `{a: 1, b: ''}` without the entries equal to `defaults`, for printing. */
export function withoutDefaults(o: Record<string, unknown>, defaults: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([k, v]) => JSON.stringify(v) !== JSON.stringify(defaults[k])));
}

/** A JSON object from a counterexample, merged over `defaults`; only the defaults' keys are accepted. */
export function overDefaults<T extends object>(json: unknown, defaults: T, scenario: string): T {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new Error(`${scenario}: expected a JSON object`);
  const unknown = Object.keys(json).filter((k) => !(k in defaults));
  if (unknown.length) throw new Error(`${scenario}: unknown field(s) ${unknown.join(', ')}`);
  return { ...defaults, ...(json as Partial<T>) };
}

/** One value of `values`: the first (the plain one) half the time, and what it shrinks to. */
export const choice = <T extends string>(...values: readonly [T, ...T[]]): fc.Arbitrary<T> =>
  values.length === 1
    ? fc.constant(values[0])
    : fc.oneof({ withCrossShrink: true }, fc.constant(values[0]), fc.constantFrom(...values.slice(1)));

export { extraText };
