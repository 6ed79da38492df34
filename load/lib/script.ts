// What every load script exports besides its setup and iteration: k6 options and the end-of-run
// summary, both derived from the run's configuration so login and credits cannot drift apart.
import type { Options } from 'k6/options';
import { urlHostname } from '../../core/loopback.ts';
import type { RunConfig } from './config.ts';
import { summaryOutputs, type SummaryData } from './summary.ts';

export function scriptOptions(config: RunConfig): Options {
  return {
    scenarios: { [config.script]: config.profile.scenario },
    // Thresholds per endpoint (reasons in thresholds.ts): error rate, p95/p99, checks, and proof
    // that requests were really sent and checked.
    thresholds: config.thresholds,
    // setup() registers and logs in the pool in parallel batches; with a slow target that takes a while.
    setupTimeout: '120s',
    summaryTrendStats: ['avg', 'min', 'med', 'p(90)', 'p(95)', 'p(99)', 'max'],
  };
}

export function scriptSummary(config: RunConfig, data: SummaryData): Record<string, string> {
  return summaryOutputs(data, {
    script: config.script,
    profile: config.profile.name,
    describe: config.profile.describe,
    target: urlHostname(config.baseUrl) ?? config.baseUrl,
    reportsDir: config.reportsDir,
    minChecksRate: config.criteria.minChecksRate,
  });
}
