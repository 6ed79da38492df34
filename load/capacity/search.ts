// The knee search of `npm run capacity`, apart from k6 so it can be proven with a fake step runner
// (selftest/load/capacity-search.test.ts): steps of a constant arrival rate, growing geometrically
// from a start rate until one breaks the SLO, then bisecting between the last rate that held and the
// first that broke until they are within the precision asked. A first step that breaks walks down
// instead. It stops early, with what it knows, when told to (the time budget, Ctrl-C).

/** What broke a step, in the order they are judged. */
export type Limit = 'p95' | 'errors' | 'checks' | 'dropped';

export interface StepVerdict {
  /** The arrival rate asked, requests per second. */
  rate: number;
  /** The limits the step broke; empty when the SLO held. */
  broke: Limit[];
  /** Stopped before its end (Ctrl-C, the budget): not judged. */
  stopped?: boolean;
}

export interface SearchPlan {
  startRate: number;
  /** The highest rate a step may ask (LIMITS.maxRate). */
  maxRate: number;
  /** Relative: done when (first broken − last held) ≤ precision × last held. */
  precision: number;
  /** Factor between growing steps. */
  growth?: number;
}

export interface SearchResult<S extends StepVerdict> {
  /** Every step, in the order run. */
  steps: S[];
  /** The highest rate that held, when one did. */
  held?: number;
  /** The lowest rate that broke, when one did. */
  broke?: number;
  /** What broke at that rate. */
  limits?: Limit[];
  /** Why the search ended: found (within the precision), the most a step may ask held, even 1/s broke, or stopped. */
  outcome: 'found' | 'above-max' | 'below-min' | 'stopped';
  /** Why it was stopped (outcome `stopped`): the budget, Ctrl-C. */
  stoppedBy?: string;
}

/** True when the interval between the last rate that held and the first that broke is within the precision. */
export const narrowEnough = (held: number, broke: number, precision: number): boolean => broke - held <= Math.max(1, precision * held);

export async function findKnee<S extends StepVerdict>(
  plan: SearchPlan,
  runStep: (rate: number) => Promise<S>,
  stopReason: () => string | undefined,
): Promise<SearchResult<S>> {
  const growth = plan.growth ?? 2;
  const steps: S[] = [];
  let held: number | undefined;
  let broke: S | undefined;
  let rate = Math.min(plan.maxRate, Math.max(1, Math.round(plan.startRate)));
  const result = (outcome: SearchResult<S>['outcome'], stoppedBy?: string): SearchResult<S> => ({
    steps,
    held,
    broke: broke?.rate,
    limits: broke?.broke,
    outcome,
    ...(stoppedBy && { stoppedBy }),
  });
  for (;;) {
    const why = stopReason();
    if (why) return result('stopped', why);
    const step = await runStep(rate);
    steps.push(step);
    if (step.stopped) return result('stopped', stopReason() ?? 'stopped');
    if (step.broke.length === 0) held = Math.max(held ?? 0, rate);
    else if (!broke || rate < broke.rate) broke = step;

    if (!broke) {
      // Growing: nothing broke yet.
      if (rate >= plan.maxRate) return result('above-max');
      rate = Math.min(plan.maxRate, Math.round(rate * growth));
    } else if (held === undefined) {
      // Walking down: even the start rate broke.
      if (rate <= 1) return result('below-min');
      rate = Math.max(1, Math.floor(rate / growth));
    } else {
      if (narrowEnough(held, broke.rate, plan.precision)) return result('found');
      rate = Math.round((held + broke.rate) / 2);
      if (rate <= held || rate >= broke.rate) return result('found');
    }
  }
}
