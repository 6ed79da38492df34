// handleSummary: a JSON summary, a JUnit XML file and a short text table in REPORTS_DIR, and the
// table on stdout. Written here because k6 cannot load node_modules and there is no jslib offline.
// k6 hands setup()'s data to handleSummary (our tokens and passwords): it is never written.
import { escapeMarkup } from '../../core/escape.ts';

interface MetricData {
  type: string;
  values: Record<string, number>;
  thresholds?: Record<string, { ok: boolean }>;
}
interface Check {
  name: string;
  passes: number;
  fails: number;
}
interface Group {
  name: string;
  checks: Check[];
  groups: Group[];
}
export interface SummaryData {
  metrics: Record<string, MetricData>;
  root_group: Group;
  state: { testRunDurationMs: number };
}

export interface RunInfo {
  script: string;
  profile: string;
  describe: string;
  target: string;
  reportsDir: string;
  minChecksRate: number;
}

/** What jsonSummary writes; the release check, the benchmark and the self-tests read it back. */
export interface JsonSummary {
  script: string;
  profile: string;
  describe: string;
  target: string;
  durationMs: number;
  passed: boolean;
  thresholds: { metric: string; rule: string; ok: boolean }[];
  checks: { name: string; passes: number; fails: number }[];
  metrics: Record<string, Record<string, number>>;
}

/** Where a run's reports go, without extension: `<dir>/load-<script>-<profile>`. */
export const summaryBase = (reportsDir: string, script: string, profile: string): string =>
  `${reportsDir.replace(/\/+$/, '')}/load-${script}-${profile}`;

const allChecks = (g: Group): Check[] => [...g.checks, ...g.groups.flatMap(allChecks)];

const xml = escapeMarkup;

function thresholdResults(data: SummaryData): { metric: string; rule: string; ok: boolean }[] {
  return Object.entries(data.metrics)
    .flatMap(([metric, m]) => Object.entries(m.thresholds ?? {}).map(([rule, t]) => ({ metric, rule, ok: t.ok })))
    .sort((a, b) => (a.metric + a.rule < b.metric + b.rule ? -1 : 1)); // k6 hands them over in random order
}

const fmt = (n: number | undefined, digits = 1): string => (n === undefined || !Number.isFinite(n) ? '-' : n.toFixed(digits));

export function textTable(data: SummaryData, run: RunInfo): string {
  const m = (name: string) => data.metrics[`${name}{name:${run.script}}`]?.values ?? {};
  const reqs = m('http_reqs');
  const dur = m('http_req_duration');
  const failed = m('http_req_failed');
  const lines = [
    `k6 ${run.describe} against ${run.target} (${fmt(data.state.testRunDurationMs / 1000)} s)`,
    `  endpoint  requests  req/s    failed   p50 ms  p95 ms  p99 ms  max ms`,
    `  ${run.script.padEnd(8)}  ${String(reqs.count ?? 0).padStart(8)}  ${fmt(reqs.rate).padStart(7)}  ${(`${fmt((failed.rate ?? 0) * 100, 2)}%`).padStart(7)}  ` +
      `${fmt(dur.med).padStart(6)}  ${fmt(dur['p(95)']).padStart(6)}  ${fmt(dur['p(99)']).padStart(6)}  ${fmt(dur.max).padStart(6)}`,
    `  checks:`,
    ...allChecks(data.root_group).map((c) => `    ${c.fails === 0 ? '✓' : '✗'} ${c.name}: ${c.passes} passed, ${c.fails} failed`),
    `  thresholds:`,
    ...thresholdResults(data).map((t) => `    ${t.ok ? '✓' : '✗'} ${t.metric}: ${t.rule}`),
  ];
  const dropped = data.metrics.dropped_iterations?.values.count;
  if (dropped) lines.push(`  ${dropped} iterations dropped: the VU limit was too low for the rate asked (raise MAX_VUS)`);
  return `${lines.join('\n')}\n`;
}

export function junitXml(data: SummaryData, run: RunInfo): string {
  const thresholds = thresholdResults(data);
  const checks = allChecks(data.root_group);
  const cases = [
    ...thresholds.map(
      (t) =>
        `    <testcase classname="k6.${xml(run.script)}.thresholds" name="${xml(`${t.metric}: ${t.rule}`)}">` +
        (t.ok ? '' : `<failure message="${xml(`threshold crossed: ${t.metric} ${t.rule}`)}"/>`) +
        '</testcase>',
    ),
    ...checks.map((c) => {
      const rate = c.passes + c.fails === 0 ? 0 : c.passes / (c.passes + c.fails);
      const bad = rate < run.minChecksRate;
      return (
        `    <testcase classname="k6.${xml(run.script)}.checks" name="${xml(c.name)}">` +
        (bad ? `<failure message="${xml(`${c.fails} of ${c.passes + c.fails} answers failed this check`)}"/>` : '') +
        `<system-out>${c.passes} passed, ${c.fails} failed</system-out></testcase>`
      );
    }),
  ];
  const failures =
    thresholds.filter((t) => !t.ok).length + checks.filter((c) => c.passes / Math.max(1, c.passes + c.fails) < run.minChecksRate).length;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="k6 load" tests="${cases.length}" failures="${failures}">`,
    `  <testsuite name="${xml(`${run.script} ${run.profile}`)}" tests="${cases.length}" failures="${failures}" time="${fmt(data.state.testRunDurationMs / 1000, 3)}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

/** The JSON summary: metrics, checks and thresholds, never setup data. */
export function jsonSummary(data: SummaryData, run: RunInfo): string {
  const thresholds = thresholdResults(data);
  const summary: JsonSummary = {
    script: run.script,
    profile: run.profile,
    describe: run.describe,
    target: run.target,
    durationMs: data.state.testRunDurationMs,
    passed: thresholds.every((t) => t.ok),
    thresholds,
    checks: allChecks(data.root_group).map(({ name, passes, fails }) => ({ name, passes, fails })),
    metrics: Object.fromEntries(Object.entries(data.metrics).map(([k, v]) => [k, v.values])),
  };
  return `${JSON.stringify(summary, null, 2)}\n`;
}

/** What handleSummary returns: file name → content, plus the table on stdout. */
export function summaryOutputs(data: SummaryData, run: RunInfo): Record<string, string> {
  const base = summaryBase(run.reportsDir, run.script, run.profile);
  const table = textTable(data, run);
  return {
    stdout: `\n${table}`,
    [`${base}.json`]: jsonSummary(data, run),
    [`${base}.junit.xml`]: junitXml(data, run),
    [`${base}.txt`]: table,
  };
}
