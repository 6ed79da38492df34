// What every load script exports besides its setup and iteration: k6 options, derived from the run's
// configuration so login and credits cannot drift apart. No handleSummary: one would replace k6's own
// end-of-test summary (thresholds with their measured values), which k6 users expect to see; the
// Node runner writes the harness's reports from k6's --summary-export instead (runner/summary.ts).
import type { Options } from 'k6/options';
import type { RunConfig } from './config.ts';

export function scriptOptions(config: RunConfig): Options {
  return {
    // The endpoint's tag on every sample of the scenario (requests, checks), so thresholds group per endpoint.
    scenarios: { [config.script]: { ...config.profile.scenario, tags: { name: config.script } } },
    // Thresholds per endpoint (reasons in thresholds.ts): error rate, p95/p99, checks, and proof
    // that requests were really sent and checked.
    thresholds: config.thresholds,
    // setup() registers and logs in the pool in parallel batches; with a slow target that takes a while.
    setupTimeout: '120s',
    summaryTrendStats: ['avg', 'min', 'med', 'p(90)', 'p(95)', 'p(99)', 'max'],
  };
}
