// One run's figures from the summary exports of the k6 processes that shared it by execution segment
// (LOAD_INSTANCES; the k6-operator's runners): one verdict, as a TestRun has one.
//   counters   counts and rates added (the processes ran side by side, each its share of the rate)
//   rates      passes and fails added, the rate recomputed
//   trends     min of the mins, max of the maxes, the average weighted by each process's iterations;
//              percentiles: the worst process's. An export holds no samples, so the percentile of the
//              whole run cannot be computed; the worst one is an upper bound of it (if each process
//              has 95 % of its samples at or under its p95, the run has 95 % at or under the largest).
//   gauges     added (VUs: the processes' VUs together)
//   thresholds crossed when crossed in any process: each process judges its own share, and a failed
//              runner fails the TestRun
//   checks     passes and fails added, by name (a group's checks among the others)
// setup()'s data (tokens) is not carried over.
import type { InstanceFigures, K6Export, K6Group } from './k6.ts';

type Values = Record<string, number | Record<string, boolean>>;
type Check = { name: string; passes: number; fails: number };

const num = (v: Values[string] | undefined): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

function mergeMetric(parts: { values: Values; weight: number }[]): Values {
  const first = parts[0]!.values;
  const out: Values = {};
  const keys = new Set(parts.flatMap((p) => Object.keys(p.values)));
  const sum = (k: string) => parts.reduce((n, p) => n + num(p.values[k]), 0);
  const isRate = 'passes' in first;
  const isTrend = 'avg' in first;
  const isGauge = !isRate && !isTrend && !('count' in first);
  for (const k of keys) {
    if (k === 'thresholds') {
      const rules = new Set(parts.flatMap((p) => Object.keys((p.values.thresholds ?? {}) as Record<string, boolean>)));
      out.thresholds = Object.fromEntries(
        [...rules].map((rule) => [rule, parts.some((p) => (p.values.thresholds as Record<string, boolean> | undefined)?.[rule] === true)]),
      );
    } else if (isTrend && k === 'min') out.min = Math.min(...parts.map((p) => num(p.values.min)));
    else if (isTrend && k === 'avg') {
      const w = parts.reduce((n, p) => n + p.weight, 0);
      out.avg = w > 0 ? parts.reduce((n, p) => n + num(p.values.avg) * p.weight, 0) / w : num(first.avg);
    } else if (isTrend) out[k] = Math.max(...parts.map((p) => num(p.values[k])));
    else if (isRate && k === 'value') {
      const all = sum('passes') + sum('fails');
      out.value = all > 0 ? sum('passes') / all : 0;
    } else if (isGauge || isRate || k === 'count' || k === 'rate') out[k] = sum(k);
  }
  return out;
}

function mergeChecks(groups: K6Group[]): Record<string, Check> {
  const out: Record<string, Check> = {};
  for (const c of groups.flatMap(checksOf)) {
    const m = out[c.name] ?? { name: c.name, passes: 0, fails: 0 };
    out[c.name] = { name: c.name, passes: m.passes + c.passes, fails: m.fails + c.fails };
  }
  return out;
}

/** Every check of a group and the groups in it (our scripts have none; a group's checks are kept, flattened). */
const checksOf = (g: K6Group): Check[] => [...Object.values(g.checks ?? {}), ...Object.values(g.groups ?? {}).flatMap(checksOf)];

/** One export from several, with each process's segment, exit code and figures (`script` names its scenario's metrics). */
export function mergeExports(
  parts: { export: K6Export; segment: string; exitCode: number }[],
  script: string,
): K6Export & { instances: InstanceFigures[] } {
  const names = new Set(parts.flatMap((p) => Object.keys(p.export.metrics)));
  const metrics: K6Export['metrics'] = {};
  for (const name of names) {
    const present = parts.filter((p) => p.export.metrics[name]);
    metrics[name] = mergeMetric(present.map((p) => ({ values: p.export.metrics[name]!, weight: num(p.export.metrics.iterations?.count) })));
  }
  return {
    metrics,
    root_group: { checks: mergeChecks(parts.map((p) => p.export.root_group)), groups: {} },
    instances: parts.map((p) => ({
      segment: p.segment,
      exitCode: p.exitCode,
      requests: num(p.export.metrics[`http_reqs{name:${script}}`]?.count),
      p95Ms: p.export.metrics[`http_req_duration{name:${script}}`]?.['p(95)'] as number | undefined,
    })),
  };
}

/** One exit code for the processes: a script error or an interruption first, then a crossed threshold, else 0. */
export function mergedExitCode(codes: readonly number[]): number {
  return codes.find((c) => c !== 0 && c !== 99) ?? (codes.includes(99) ? 99 : 0);
}
