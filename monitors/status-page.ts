// The status page: one self-contained HTML file (inline CSS and SVG, no external assets) with the
// latest result per check, the history as a timeline, latency over time and the current token's
// time to expiry. Written after each pass and served by the service. It holds no secret: messages
// were scrubbed when the checks produced them.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { humanDuration, rfc3339 } from '../core/durations.ts';
import type { StoredPass } from './state.ts';
import { CHECK_NAMES, type CheckStatus } from './types.ts';
import { escapeMarkup } from '../core/escape.ts';

export interface StatusPageInput {
  targetLabel: string;
  /** Oldest first. */
  passes: StoredPass[];
  lastSuccess: Map<string, number>;
  latencyDegradedMs: number;
  latencyFailMs: number;
  nowMs?: number;
}

const COLORS: Record<CheckStatus, string> = { pass: '#2e9e44', degraded: '#e0a800', fail: '#d33a2c', skipped: '#9aa0a6' };
const STEP_COLORS = ['#1f77b4', '#ff7f0e', '#9467bd', '#17becf', '#8c564b', '#e377c2'];

const esc = escapeMarkup;
const iso = (ms: number): string => rfc3339(ms / 1000);
const badge = (s: CheckStatus | 'pass' | 'fail'): string => `<span class="badge" style="background:${COLORS[s]}">${s}</span>`;

function timeline(passes: StoredPass[]): string {
  const cell = 10;
  const labelW = 130;
  const w = Math.max(labelW + passes.length * cell + 10, 560);
  const h = CHECK_NAMES.length * (cell + 6) + 20;
  const rows = CHECK_NAMES.map((name, row) => {
    const y = row * (cell + 6) + 4;
    const cells = passes
      .map((p, i) => {
        const c = p.checks.find((x) => x.name === name);
        const status: CheckStatus = c?.status ?? 'skipped';
        return `<rect class="cell ${status}" x="${labelW + i * cell}" y="${y}" width="${cell - 2}" height="${cell}" fill="${COLORS[status]}"><title>${esc(`${iso(p.startedAt)} ${name}: ${status}${c ? ` — ${c.message}` : ''}`)}</title></rect>`;
      })
      .join('');
    return `<text x="0" y="${y + cell - 1}" class="lbl">${name}</text>${cells}`;
  });
  const first = passes[0];
  const last = passes.at(-1);
  const axis =
    first && last
      ? `<text x="${labelW}" y="${h - 2}" class="ax">${iso(first.startedAt)}</text><text x="${w - 10}" y="${h - 2}" class="ax" text-anchor="end">${iso(last.startedAt)}</text>`
      : '';
  return `<svg id="timeline" role="img" aria-label="check history" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}">${rows.join('')}${axis}</svg>`;
}

function latencyChart(passes: StoredPass[], degraded: number, fail: number): string {
  const w = 760;
  const h = 240;
  const pad = { l: 56, r: 10, t: 10, b: 24 };
  const steps = [...new Set(passes.flatMap((p) => p.steps.map((s) => s.step)))];
  const maxMs = Math.max(fail * 1.1, ...passes.flatMap((p) => p.steps.map((s) => s.ms)));
  const x = (i: number) => pad.l + (passes.length <= 1 ? 0 : (i / (passes.length - 1)) * (w - pad.l - pad.r));
  const y = (v: number) => pad.t + (1 - v / maxMs) * (h - pad.t - pad.b);
  const lines = steps.map((step, k) => {
    const pts = passes.flatMap((p, i) => {
      const s = p.steps.find((q) => q.step === step);
      return s ? [`${x(i).toFixed(1)},${y(s.ms).toFixed(1)}`] : [];
    });
    const color = STEP_COLORS[k % STEP_COLORS.length]!;
    return `<polyline class="series" data-step="${esc(step)}" fill="none" stroke="${color}" stroke-width="1.5" points="${pts.join(' ')}"/>`;
  });
  const threshold = (v: number, color: string, label: string) =>
    `<line x1="${pad.l}" x2="${w - pad.r}" y1="${y(v)}" y2="${y(v)}" stroke="${color}" stroke-dasharray="4 3"/><text x="${w - pad.r}" y="${y(v) - 3}" class="ax" text-anchor="end">${label} ${v} ms</text>`;
  const ticks = [0, 0.25, 0.5, 0.75, 1].map(
    (f) => `<text x="${pad.l - 4}" y="${y(maxMs * f) + 4}" class="ax" text-anchor="end">${Math.round(maxMs * f)} ms</text>`,
  );
  const legend = steps
    .map((s, k) => `<span class="key" style="border-color:${STEP_COLORS[k % STEP_COLORS.length]}">${esc(s)}</span>`)
    .join(' ');
  return `<svg id="latency" role="img" aria-label="latency per step" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}">
<line x1="${pad.l}" x2="${pad.l}" y1="${pad.t}" y2="${h - pad.b}" stroke="#888"/><line x1="${pad.l}" x2="${w - pad.r}" y1="${h - pad.b}" y2="${h - pad.b}" stroke="#888"/>
${ticks.join('')}${threshold(degraded, COLORS.degraded, 'degraded')}${threshold(fail, COLORS.fail, 'fail')}${lines.join('')}</svg><div class="legend">${legend}</div>`;
}

export function renderStatusPage(input: StatusPageInput): string {
  const now = input.nowMs ?? Date.now();
  const passes = input.passes;
  const latest = passes.at(-1);
  const expireS = [...passes].reverse().find((p) => p.tokenExpireS !== undefined)?.tokenExpireS;
  const overall = latest ? badge(latest.status) : '<span class="badge" style="background:#9aa0a6">no pass yet</span>';
  const rows = CHECK_NAMES.map((name) => {
    const c = latest?.checks.find((x) => x.name === name);
    const ok = input.lastSuccess.get(name);
    if (!c) return `<tr data-check="${name}"><td>${name}</td><td>—</td><td></td><td></td><td></td><td></td></tr>`;
    const retried = c.retried?.length ? `<div class="retried">retried: ${c.retried.map(esc).join(' · ')}</div>` : '';
    const drift = c.drift?.length
      ? `<div class="drift">drift (fields the contract does not know): ${c.drift.map(esc).join(', ')}</div>`
      : '';
    return `<tr data-check="${name}" data-status="${c.status}"><td>${name}</td><td>${badge(c.status)}</td><td>${Math.round(c.durationMs)} ms</td><td>${c.attempts}</td><td>${ok ? iso(ok) : 'never'}</td><td class="msg">${esc(c.message)}${retried}${drift}</td></tr>`;
  });
  const token =
    expireS === undefined
      ? '<p id="token">No token issued yet.</p>'
      : `<p id="token" data-expire="${expireS}">Current token expires in <b id="ttl">${humanDuration(expireS - now / 1000)}</b> (at ${iso(expireS * 1000)}).</p>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Temporal API monitor — ${esc(input.targetLabel)}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;background:#fafafa}
h1{font-size:20px;margin:0 0 4px} h2{font-size:16px;margin:24px 0 8px}
table{border-collapse:collapse;background:#fff} td,th{border:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}
.badge{color:#fff;border-radius:3px;padding:1px 6px;font-weight:600}
.msg{max-width:640px;white-space:pre-wrap} .retried{color:#8a6d00;font-size:12px} .drift{color:#1f5fa8;font-size:12px}
svg{background:#fff;border:1px solid #ddd} .lbl{font-size:11px} .ax{font-size:10px;fill:#555}
.legend{margin-top:4px} .key{border-left:12px solid;padding-left:4px;margin-right:12px}
</style></head><body>
<h1>Temporal API monitor — ${esc(input.targetLabel)}</h1>
<p id="summary">Latest pass: ${overall} ${latest ? `at ${iso(latest.startedAt)} (${Math.round(latest.durationMs)} ms)` : ''} · ${passes.length} passes shown · page written ${iso(now)}</p>
${token}
<h2>Checks</h2>
<table id="checks"><thead><tr><th>check</th><th>result</th><th>time</th><th>tries</th><th>last success</th><th>message</th></tr></thead><tbody>
${rows.join('\n')}
</tbody></table>
<h2>History</h2>
${timeline(passes)}
<h2>Latency per step</h2>
${latencyChart(passes, input.latencyDegradedMs, input.latencyFailMs)}
<script>
// Counts the token's time to expiry down while the page is open, worded as the server-side text is.
(function(){var p=document.getElementById('token');var e=p&&p.dataset.expire;var b=document.getElementById('ttl');if(!e||!b)return;
${humanDuration.toString()}
setInterval(function(){b.textContent=humanDuration(Number(e)-Date.now()/1000);},1000);})();
</script>
</body></html>
`;
}

/** Writes the page atomically (temp file + rename), so a reader never sees half a page. */
export function writeStatusPage(path: string, html: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, html);
  renameSync(tmp, path);
}
