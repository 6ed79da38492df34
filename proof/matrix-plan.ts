// What the detection matrix runs, decided from the fault catalog alone (no process started): which
// part runs against which fault in which generation, and how much of each run a cell needs. The matrix
// (proof/matrix.ts) runs these jobs; selftest/docs/generated.test.ts holds docs/detection-matrix.md's
// table to them.
import { GENERATIONS, type Generation } from '../core/contract.ts';
import { PARTS, type Part } from '../core/parts.ts';
import { FAULTS, type FaultEntry, type FaultName, type Spec } from '../reference/faults.ts';

export interface Job {
  generation: Generation;
  fault: FaultName | 'clean';
  part: Part;
}
export const cellKey = (j: Job): string => `${j.generation}/${j.fault}/${j.part}`;
/** The generations a fault exists in. */
export const generationsOf = (fault: FaultName): readonly Generation[] => (FAULTS[fault] as FaultEntry).generations ?? GENERATIONS;

/** The spec files a tests run against `fault` runs, or undefined for the whole suite: the clean target,
 *  a harmless change (no test may fail on it) and a fault whose entry names none (outage: every test
 *  shown able to fail). */
export const specsOf = (fault: FaultName | 'clean'): readonly Spec[] | undefined => {
  if (fault === 'clean') return undefined;
  const f: FaultEntry = FAULTS[fault];
  return f.driftShownBy ? undefined : f.specs;
};

/** What a run must show: fail (caught), pass, or pass and report the drift (a harmless fault). */
export type Want = 'caught' | 'pass' | 'drift';
export function wanted(fault: FaultName | 'clean', part: Part, strict: boolean): Want {
  if (fault === 'clean') return 'pass';
  const shownBy = (FAULTS[fault] as FaultEntry).driftShownBy;
  if (!shownBy) return 'caught';
  return shownBy.includes(part) ? (strict ? 'caught' : 'drift') : 'pass';
}

/**
 * A latest run of a fault that exists in both generations needs to show only that the fault is caught
 * there too: each check of the tests and of k6 was shown to be able to fail by the fault's documented
 * run (the same tests, the same thresholds). So that run is cut short: the tests stop at their first
 * failure, k6 runs its smoke for CAUGHT_ONLY_K6_S seconds instead of 5. Both generations must be
 * in the matrix for that; clean targets, the latest generation's own faults and a fault that breaks
 * answers by chance run in full.
 */
export const caughtOnly = (job: Job, generations: readonly Generation[]): boolean =>
  job.part !== 'monitor' &&
  job.generation === 'latest' &&
  job.fault !== 'clean' &&
  !(FAULTS[job.fault] as FaultEntry).driftShownBy &&
  // A fault that breaks a share of the answers at random: 3 s of k6 (6 logins, 6 reads at 30 %) all
  // pass 1 run in 70; a CI run of the matrix met it.
  !(FAULTS[job.fault] as FaultEntry).byChance &&
  generationsOf(job.fault).includes('documented') &&
  generations.includes('documented');
export const CAUGHT_ONLY_K6_S = 3;

/**
 * Faults that break every API answer. One of them, `outage`, runs the tests in full and so shows that
 * each test that sends a request can fail; the others (every test fails under them too, each failure
 * costing Playwright a new worker) need show only that they are caught: their tests stop at the
 * first failure. Only when outage is in the run.
 */
export const BREAK_EVERY_ANSWER: readonly FaultName[] = ['garbage', 'drop', 'json-as-text', 'redirect', 'cert-expired', 'cert-wrong-host'];
/**
 * Latest-generation faults that break the verification of every account the tests make (no mail comes,
 * the link fails on its second open): every test that makes an account fails in its set-up, each costing
 * Playwright a new worker and, without mail, MAIL_WAIT_S (a full run took 743 s). With outage in the run
 * (each test shown able to fail) and verification-link-broken (the verification tests' own checks, run in
 * full), they need show only that they are caught.
 */
export const BREAK_EVERY_ACCOUNT: readonly FaultName[] = ['no-mail-for-dotted-names', 'verify-link-second-open-500'];
export const firstFailureEnough = (job: Job, generations: readonly Generation[], faults: readonly FaultName[]): boolean =>
  caughtOnly(job, generations) ||
  (job.part === 'tests' && job.fault !== 'clean' && BREAK_EVERY_ANSWER.includes(job.fault) && faults.includes('outage')) ||
  (job.part === 'tests' &&
    job.fault !== 'clean' &&
    BREAK_EVERY_ACCOUNT.includes(job.fault) &&
    faults.includes('outage') &&
    faults.includes('verification-link-broken'));
/**
 * The two generations differ only in how an account comes to be (the latest verifies its e-mail address
 * before it can log in). So a latest run of a fault of both generations proves something new only when
 * the fault reaches that path: when it changes every endpoint's answer (`everyEndpoint`: the mailed link's
 * too), or is harmless (no part may fail on it, and the latest answers drift in fields of their own). Any
 * other such fault is shown caught by its documented run. The explorer's code path is the same in both
 * generations whatever the fault: its latest column runs only the clean target and the latest
 * generation's own faults. Only when the documented generation is in the matrix at all.
 */
export const shownInDocumented = (part: Part, generation: Generation, fault: FaultName, generations: readonly Generation[]): boolean => {
  if (generation !== 'latest' || !generationsOf(fault).includes('documented') || !generations.includes('documented')) return false;
  const f: FaultEntry = FAULTS[fault];
  return part === 'explore' || !(f.everyEndpoint || f.driftShownBy);
};

/** Every run of a matrix over these generations, parts and faults: each part against the clean target,
 *  and each part a fault's entry names (every part for a harmless one) in the generations it exists in. */
export function planJobs(generations: readonly Generation[], parts: readonly Part[], faults: readonly FaultName[]): Job[] {
  return generations.flatMap((generation) => [
    ...parts.map((part) => ({ generation, fault: 'clean' as const, part })),
    ...faults
      .filter((fault) => generationsOf(fault).includes(generation))
      .flatMap((fault) => {
        const f: FaultEntry = FAULTS[fault];
        // A harmless fault runs every part: none may fail on it.
        const meant = f.driftShownBy ? PARTS : f.caughtBy;
        return meant
          .filter((p) => parts.includes(p) && !shownInDocumented(p, generation, fault, generations))
          .map((part) => ({ generation, fault, part }));
      }),
  ]);
}
