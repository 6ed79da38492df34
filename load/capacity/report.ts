// What a capacity search says: one line (the knee, what broke, the knee as a share of the physical
// limit when it is known), a table of the steps, the caveats of the measurement, and the run's folder
// REPORTS_DIR/capacity/<time>-<script>/ with capacity.json (for CI), summary.txt and chart.html
// (latency against offered rate, uPlot inlined as on the monitor's status page), `latest` pointing at it.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, join } from 'node:path';
import { escapeMarkup } from '../../core/escape.ts';
import { textTable } from '../../core/text-table.ts';
import type { PhysicalLimit } from './limit.ts';
import type { Limit, SearchResult } from './search.ts';
import type { StepFigures } from './step.ts';

export interface CapacityReport {
  script: string;
  target: string;
  startedAt: string;
  seconds: number;
  /** The sustainable rate found (requests per second): the highest that held; null when none did. */
  knee: number | null;
  /** The lowest rate that broke, and what broke there. */
  firstBroken: number | null;
  limits: Limit[];
  outcome: SearchResult<StepFigures>['outcome'];
  stoppedBy?: string;
  precision: number;
  /** Requests per second the target cannot exceed, where the harness knows it (the bundled target's login). */
  physicalLimit: number | null;
  /** How the limit was worked out: the hash timed before and after the search, their mean used. */
  physical?: PhysicalLimit & { hashMsBefore?: number; hashMsAfter?: number };
  /** knee ÷ physicalLimit. */
  ratio: number | null;
  /** The most CPU the target got in a step that broke (cores' worth), at which rate, and the limit at that much CPU. */
  atTargetCpu?: { rate: number; targetCpu: number; perSecond: number; ratio: number | null };
  slo: { p95Ms?: number; maxErrorRate: number; minChecksRate: number };
  step: { warmupS: number; measureS: number };
  pinned?: { k6: string; target: string };
  loadAverage: number[];
  caveats: string[];
  steps: StepFigures[];
}

const LIMIT_WORDS: Record<Limit, string> = {
  p95: 'p95 over the SLO',
  errors: 'error rate over LOAD_MAX_ERROR_RATE',
  checks: 'checks under LOAD_MIN_CHECKS_RATE',
  dropped: 'k6 dropped iterations (its VUs were all busy)',
};

const f1 = (n: number | undefined, digits = 1): string => (n === undefined || !Number.isFinite(n) ? '-' : n.toFixed(digits));
const pct = (n: number | undefined): string => (n === undefined ? '-' : `${(n * 100).toFixed(n > 0 && n < 0.001 ? 3 : 1)}%`);
const cores = (n: number | undefined): string => (n === undefined ? '-' : `${Math.round(n * 100)}%`);
/** 12 000 rather than 12000: rates are read at a glance. */
export const rateText = (n: number): string => (n >= 10_000 ? n.toLocaleString('en-US').replace(/,/g, ' ') : String(n));

/** The answer in one line. */
export function answerLine(r: CapacityReport): string {
  const what = (limits: Limit[]) => limits.map((l) => LIMIT_WORDS[l]).join(', ');
  const ratio =
    r.ratio !== null && r.physical
      ? `; ${r.ratio.toFixed(2)} × the physical limit of ${f1(r.physical.perSecond)}/s (${r.physical.parallel} hash${r.physical.parallel > 1 ? 'es' : ''} at once ÷ ` +
        `${f1(r.physical.hashMs)} ms of CPU per bcrypt hash at cost 10)`
      : '';
  const precision = `±${Math.round(r.precision * 100)} %`;
  switch (r.outcome) {
    case 'found':
      return `${r.script} on ${r.target}: knee ${rateText(r.knee!)}/s (held at ${rateText(r.knee!)}/s, broke at ${rateText(r.firstBroken!)}/s: ${what(r.limits)}; precision ${precision})${ratio}`;
    case 'above-max':
      return `${r.script} on ${r.target}: knee at least ${rateText(r.knee!)}/s (the most a step may ask held)${ratio}`;
    case 'below-min':
      return `${r.script} on ${r.target}: no knee: even 1/s broke the SLO (${what(r.limits)})`;
    default:
      return (
        `${r.script} on ${r.target}: stopped (${r.stoppedBy}) after ${r.steps.length} step${r.steps.length === 1 ? '' : 's'}: ` +
        (r.knee === null ? 'no rate held yet' : `held at ${rateText(r.knee)}/s`) +
        (r.firstBroken === null ? '' : `, broke at ${rateText(r.firstBroken)}/s (${what(r.limits)})`) +
        ratio
      );
  }
}

export function stepsTable(steps: readonly StepFigures[]): string {
  return textTable(
    ['#', 'rate/s', 'answered', 'p50 ms', 'p95 ms', 'p99 ms', 'errors', 'dropped', 'k6 CPU', 'target CPU', 'others', 'verdict'],
    steps.map((s, i) => [
      String(i + 1),
      rateText(s.rate),
      `${s.requests}/${s.asked}`,
      f1(s.p50Ms),
      f1(s.p95Ms),
      f1(s.p99Ms),
      pct(s.errorRate),
      String(s.dropped),
      cores(s.cpu?.k6),
      cores(s.cpu?.target),
      cores(s.cpu?.others),
      s.stopped ? 'stopped' : s.broke.length ? `broke: ${s.broke.join(', ')}` : 'held',
    ]),
    { rightFrom: 1, indent: '  ' },
  );
}

export function summaryText(r: CapacityReport): string {
  const slo = `SLO: p95 < ${r.slo.p95Ms ?? '?'} ms, errors ≤ ${pct(r.slo.maxErrorRate)}, checks ≥ ${pct(r.slo.minChecksRate)}, no dropped iterations`;
  return [
    answerLine(r),
    `  ${slo}; each step ${r.step.warmupS}s of warm-up (not counted) then ${r.step.measureS}s measured; CPU in cores' worth (100% = one core) over the measured part`,
    stepsTable(r.steps),
    ...r.caveats.map((c) => `  ! ${c}`),
    '',
  ].join('\n');
}

// ---- the chart ----

const require = createRequire(import.meta.url);
const scriptJson = (v: unknown): string => JSON.stringify(v).replace(/</g, '\\u003c');

/** Latency (p50, p95, p99) against the offered rate, the SLO, the knee and the physical limit. */
export function chartHtml(r: CapacityReport): string {
  const uplotJs = readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8');
  const uplotCss = readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8');
  const judged = [...r.steps].filter((s) => !s.stopped).sort((a, b) => a.rate - b.rate);
  const data = {
    rate: judged.map((s) => s.rate),
    p50: judged.map((s) => s.p50Ms ?? null),
    p95: judged.map((s) => s.p95Ms ?? null),
    p99: judged.map((s) => s.p99Ms ?? null),
    broke: judged.map((s) => s.broke.join(', ')),
    slo: r.slo.p95Ms ?? null,
    knee: r.knee,
    limit: r.physicalLimit,
  };
  const esc = escapeMarkup;
  const rows = r.steps
    .map(
      (s, i) =>
        `<tr><td>${i + 1}</td><td>${s.rate}</td><td>${f1(s.p50Ms)}</td><td>${f1(s.p95Ms)}</td><td>${f1(s.p99Ms)}</td>` +
        `<td>${pct(s.errorRate)}</td><td>${s.dropped}</td><td>${cores(s.cpu?.k6)}</td><td>${cores(s.cpu?.target)}</td>` +
        `<td>${esc(s.stopped ? 'stopped' : s.broke.length ? `broke: ${s.broke.join(', ')}` : 'held')}</td></tr>`,
    )
    .join('\n');
  return (
    `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Capacity of ${esc(r.script)} — ${esc(r.target)}</title>
<style>${uplotCss}</style>
<style>body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;background:#fafafa;max-width:1100px}
h1{font-size:20px} table{border-collapse:collapse;background:#fff} td,th{border:1px solid #ddd;padding:3px 8px;text-align:right} td:last-child,th:last-child{text-align:left}
.note{color:#555} #chart{background:#fff;border:1px solid #ddd} .caveat{color:#8a4b00}</style></head><body>
<h1>Capacity of ${esc(r.script)} — ${esc(r.target)}</h1>
<p id="answer">${esc(answerLine(r))}</p>
<div id="chart"></div>
<p class="note">Latency of the measured part of each step (log scale) against the rate offered (a constant arrival rate, whatever
the target's latency). The dashed line is the SLO's p95; the knee is the highest rate whose step held every limit; a step
that broke is marked ✕. The physical limit, where known, is what the target's cores can do at most.</p>
${r.caveats.map((c) => `<p class="caveat">! ${esc(c)}</p>`).join('\n')}
<table><thead><tr><th>#</th><th>rate/s</th><th>p50 ms</th><th>p95 ms</th><th>p99 ms</th><th>errors</th><th>dropped</th><th>k6 CPU</th>` +
    `<th>target CPU</th><th>verdict</th></tr></thead><tbody>
${rows}
</tbody></table>
<script type="application/json" id="data">${scriptJson(data)}</script>
<script>${uplotJs}</script>
<script>
const d = JSON.parse(document.getElementById('data').textContent);
const vline = (u, x, color, label) => {
  if (x === null) return;
  const cx = Math.round(u.valToPos(x, 'x', true));
  const ctx = u.ctx;
  ctx.save(); ctx.strokeStyle = color; ctx.setLineDash([4, 4]); ctx.beginPath();
  ctx.moveTo(cx, u.bbox.top); ctx.lineTo(cx, u.bbox.top + u.bbox.height); ctx.stroke();
  ctx.fillStyle = color; ctx.fillText(label, cx + 4, u.bbox.top + 12); ctx.restore();
};
const marks = (u) => {
  const ctx = u.ctx; ctx.save(); ctx.strokeStyle = '#d33a2c';
  d.rate.forEach((x, i) => {
    if (!d.broke[i] || d.p95[i] === null) return;
    const cx = u.valToPos(x, 'x', true), cy = u.valToPos(d.p95[i], 'y', true);
    ctx.beginPath(); ctx.moveTo(cx - 5, cy - 5); ctx.lineTo(cx + 5, cy + 5); ctx.moveTo(cx + 5, cy - 5); ctx.lineTo(cx - 5, cy + 5); ctx.stroke();
  });
  ctx.restore();
};
new uPlot({
  width: Math.min(1050, window.innerWidth - 48), height: 420,
  // The physical limit in view even when every step was below it.
  scales: { x: { time: false, range: (u, min, max) => [min, Math.max(max, d.limit === null ? max : d.limit * 1.05)] }, y: { distr: 3 } },
  axes: [{ label: 'offered rate (requests/s)' }, { label: 'latency (ms)' }],
  series: [
    { label: 'rate/s' },
    { label: 'p50', stroke: '#2e9e44', points: { show: true } },
    { label: 'p95', stroke: '#1f5fa8', width: 2, points: { show: true } },
    { label: 'p99', stroke: '#8250df', points: { show: true } },
    { label: 'SLO p95', stroke: '#d33a2c', dash: [6, 4], points: { show: false } },
  ],
  hooks: { draw: [(u) => { vline(u, d.knee, '#2e9e44', 'knee'); vline(u, d.limit, '#555', 'physical limit'); marks(u); }] },
}, [d.rate, d.p50, d.p95, d.p99, d.rate.map(() => d.slo)], document.getElementById('chart'));
</script>
</body></html>
`
  );
}

// ---- the run's folder ----

export const capacityDir = (reportsDir: string): string => join(reportsDir, 'capacity');

/** Writes the run's folder and points `latest` at it; returns the folder. */
export function writeCapacityReports(reportsDir: string, r: CapacityReport): string {
  const root = capacityDir(reportsDir);
  const stamp = r.startedAt.replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  mkdirSync(root, { recursive: true });
  let dir = join(root, `${stamp}-${r.script}`);
  for (let i = 2; existsSync(dir); i++) dir = join(root, `${stamp}-${r.script}-${i}`);
  mkdirSync(dir);
  writeFileSync(join(dir, 'capacity.json'), `${JSON.stringify(r, null, 2)}\n`);
  writeFileSync(join(dir, 'summary.txt'), summaryText(r));
  writeFileSync(join(dir, 'chart.html'), chartHtml(r));
  const link = join(root, 'latest');
  const tmp = `${link}.${process.pid}.tmp`;
  rmSync(tmp, { force: true });
  symlinkSync(basename(dir), tmp);
  renameSync(tmp, link);
  return dir;
}

/** The newest search of each script for a target, newest first (what the release check prints; no new run). */
export function lastCapacity(reportsDir: string, target: string): CapacityReport[] {
  const root = capacityDir(reportsDir);
  if (!existsSync(root)) return [];
  const seen = new Set<string>();
  return readdirSync(root)
    .filter((n) => /^\d{8}-\d{6}-/.test(n))
    .sort()
    .reverse()
    .flatMap((n) => {
      try {
        const r = JSON.parse(readFileSync(join(root, n, 'capacity.json'), 'utf8')) as CapacityReport;
        if (r.target !== target || seen.has(r.script)) return [];
        seen.add(r.script);
        return [r];
      } catch {
        return []; // a search stopped while writing
      }
    });
}

/** One line for the release check: the last knee of each script on this target, with its date. */
export function lastCapacityLine(reportsDir: string, target: string): string | undefined {
  const last = lastCapacity(reportsDir, target);
  if (!last.length) return undefined;
  const each = last.map(
    (r) =>
      `${r.script} ${r.knee === null ? 'none held' : `${r.outcome === 'above-max' ? '≥ ' : ''}${rateText(r.knee)}/s`}` +
      `${r.ratio === null ? '' : ` (${r.ratio.toFixed(2)} × physical limit)`}${r.outcome === 'stopped' ? ' (search stopped early)' : ''}` +
      ` on ${r.startedAt.slice(0, 10)}`,
  );
  return `Capacity (last npm run capacity, not run now): ${each.join('; ')}`;
}
