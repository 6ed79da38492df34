// The status page: one self-contained HTML file (uPlot and the page's own script inlined, no
// external assets) with the latest result per check, uptime over 24 h, 7 d and 30 d, the history on
// a time axis (a row per check), latency per step and the token lifetime over time, the recent passes
// with their times, and the current token's time to expiry. Written after each pass and served by
// the service (which adds an auto-refresh). It holds no secret: messages were scrubbed when the checks
// produced them. The charts are drawn in the browser (monitors/status-page-client.js) from the
// history embedded as JSON, so the page stays small and quick with 10 000 passes.
import { readFileSync } from 'node:fs';
import { writeFileReplacing } from '../core/safe-write.ts';
import { createRequire } from 'node:module';
import { humanDuration, rfc3339 } from '../core/durations.ts';
import { escapeMarkup } from '../core/escape.ts';
import { testsOf, type KnownIssue } from '../core/known-issues.ts';
import type { ActiveWindow } from './maintenance.ts';
import type { HistoryRow, NotableResult, StoredPass, Uptime } from './state.ts';
import { CHECK_NAMES, type CertificateInfo, type CheckName, type CheckStatus } from './types.ts';

export interface StatusPageInput {
  targetLabel: string;
  /** The newest passes with their messages, oldest first (the checks table and the recent passes). */
  recent: StoredPass[];
  /** The passes to chart, oldest first. */
  history: HistoryRow[];
  /** Messages of failed and degraded results in the history, for the charts' hover text. */
  notable?: NotableResult[];
  lastSuccess: Map<string, number>;
  latencyDegradedMs: number;
  latencyFailMs: number;
  expectedLifetimeS: number;
  toleranceS: number;
  uptime: Array<{ label: string } & Uptime>;
  /** Each check's uptime in the same windows as `uptime` (same order). */
  checkUptime?: ReadonlyMap<string, Uptime[]>;
  /** Which history this page shows (MONITOR_DB may hold several: one per TARGET_ENV or target, and
   *  one per set of TARGET_FAULTS on the bundled target), and the others in the file. */
  whichHistory?: { key: string; faults?: string; others: Array<{ key: string; passes: number; latestMs: number }> };
  maintenance?: { active?: ActiveWindow; next?: ActiveWindow };
  /** Service mode: the page reloads itself this often. */
  refreshS?: number;
  /** The target's accepted bugs in force (known-issues.json), listed on the page. */
  knownIssues?: readonly KnownIssue[];
  /** The https target's certificate as the latest pass read it, and the certificate check's thresholds in days. */
  certificate?: CertificateInfo;
  certWarnDays?: number;
  certFailDays?: number;
  nowMs?: number;
}

const COLORS: Record<CheckStatus, string> = {
  pass: '#2e9e44',
  degraded: '#e0a800',
  fail: '#d33a2c',
  skipped: '#9aa0a6',
  known: '#8250df',
  throttled: '#1f6feb',
};
/** Recent passes and incidents listed under the charts. */
const LISTED = 20;
const INCIDENTS = 10;

const esc = escapeMarkup;
/** A table cell with its column's name, shown before it when the table is stacked (narrow screens). */
const td = (label: string, html: string, cls?: string): string => `<td data-label="${label}"${cls ? ` class="${cls}"` : ''}>${html}</td>`;
const iso = (ms: number): string => rfc3339(ms / 1000);
const badge = (s: CheckStatus | 'pass' | 'fail'): string => `<span class="badge" style="background:${COLORS[s]}">${s}</span>`;

// Read once per process: the page inlines them so it works as a file, offline, with no CDN.
const require = createRequire(import.meta.url);
let assets: { uplotJs: string; uplotCss: string; client: string } | undefined;
function pageAssets() {
  assets ??= {
    uplotJs: readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'),
    uplotCss: readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'),
    client: readFileSync(new URL('./status-page-client.js', import.meta.url), 'utf8'),
  };
  return assets;
}

/** JSON inside <script>: nothing in it may close the element. */
const scriptJson = (v: unknown): string => JSON.stringify(v).replace(/</g, '\\u003c');

/** The history in columns, statuses as one letter per pass (p, d, f, s; - when not run). */
function historyData(input: StatusPageInput) {
  const h = input.history;
  const steps = [...new Set(h.flatMap((p) => Object.keys(p.steps)))];
  const index = new Map(h.map((p, i) => [p.id, i]));
  const round = (x: number) => Math.round(x * 10) / 10;
  return {
    t: h.map((p) => p.startedAt / 1000),
    ms: h.map((p) => Math.round(p.durationMs)),
    maintenance: h.map((p) => (p.maintenance ? 1 : 0)),
    // A check that never ran in the charted history (the certificate of an http target) gets no row.
    checks: Object.fromEntries(
      CHECK_NAMES.filter((name) => h.length === 0 || h.some((p) => p.checks[name])).map((name) => [
        name,
        h.map((p) => p.checks[name]?.[0] ?? '-').join(''),
      ]),
    ),
    steps: Object.fromEntries(steps.map((step) => [step, h.map((p) => (p.steps[step] === undefined ? null : round(p.steps[step])))])),
    lifetimeH: h.map((p) => (p.tokenLifetimeS === undefined ? null : Math.round((p.tokenLifetimeS / 3600) * 1000) / 1000)),
    // [pass index, check, message] of failed and degraded results, for hover text.
    notes: (input.notable ?? []).flatMap((n) => (index.has(n.passId) ? [[index.get(n.passId), n.check, n.message]] : [])),
    thresholds: { degradedMs: input.latencyDegradedMs, failMs: input.latencyFailMs },
    lifetime: { expectedH: input.expectedLifetimeS / 3600, toleranceH: input.toleranceS / 3600 },
    refreshS: input.refreshS ?? 0,
  };
}

const percent = (u: Uptime): string => {
  if (u.total === 0) return '—';
  const p = (100 * u.passed) / u.total;
  // 99.95 must not round up to a reassuring 100.
  return `${p === 100 ? '100' : (Math.floor(p * 100) / 100).toFixed(2)} %`;
};

/** The history chart's colour key, one swatch per result. */
const LEGEND = (['pass', 'degraded', 'fail', 'known', 'throttled', 'skipped'] as const)
  .map((s) => `<span class="key" style="background:${COLORS[s]}"></span>${s}`)
  .join('');

function maintenanceNote(m: StatusPageInput['maintenance'], now: number): string {
  if (m?.active)
    return (
      `<p id="maintenance" class="banner" data-active="true">Maintenance window <code>${esc(m.active.spec)}</code> until ` +
      `${iso(m.active.endMs)} (${humanDuration((m.active.endMs - now) / 1000)} left): passes run and are recorded; alerts are ` +
      `held and sent when it ends if still true.</p>`
    );
  if (m?.next)
    return (
      `<p id="maintenance" class="note" data-active="false">Next maintenance window: ${iso(m.next.startMs)} for ` +
      `${humanDuration((m.next.endMs - m.next.startMs) / 1000)} (<code>${esc(m.next.spec)}</code>).</p>`
    );
  return '';
}

function recentTable(recent: StoredPass[]): string {
  const rows = recent
    .slice(-LISTED)
    .reverse()
    .map((p) => {
      const notable = p.checks.filter((c) => ['fail', 'degraded', 'known', 'throttled'].includes(c.status));
      const what = notable.length
        ? notable.map((c) => `<div><b>${c.name}</b> ${c.status}: ${esc(c.message)}</div>`).join('')
        : '<span class="quiet">all checks passed</span>';
      return `<tr data-status="${p.status}">${td(
        'started',
        `<time datetime="${iso(p.startedAt)}">${iso(p.startedAt)}</time>${p.maintenance ? ' <span class="maint">maintenance</span>' : ''}`,
      )}${td('result', badge(p.status))}${td('time', `${Math.round(p.durationMs)} ms`)}${td('not passed', what, 'msg')}</tr>`;
    });
  return `<table id="passes" class="data"><thead><tr><th>started (UTC)</th><th>result</th><th>time</th><th>checks not passed</th></tr></thead><tbody>
${rows.join('\n')}
</tbody></table>`;
}

interface Incident {
  from: number;
  /** When the first pass after it passed; undefined while ongoing. */
  to?: number;
  passes: number;
  checks: Set<string>;
  first?: string;
  maintenance: boolean;
}

/** Runs of failed passes in the charted history, newest first. */
function incidents(history: HistoryRow[], notable: NotableResult[] = []): Incident[] {
  const note = new Map<number, string>();
  for (const n of notable) if (n.status === 'fail') note.set(n.passId, `${n.check}: ${n.message}`);
  const found: Incident[] = [];
  let open: Incident | undefined;
  for (const p of history) {
    if (p.status === 'fail') {
      open ??= { from: p.startedAt, passes: 0, checks: new Set(), maintenance: false };
      if (!found.includes(open)) found.push(open);
      open.passes++;
      open.maintenance ||= p.maintenance;
      for (const [c, s] of Object.entries(p.checks)) if (s === 'fail') open.checks.add(c);
      open.first ??= note.get(p.id);
    } else if (open) {
      open.to = p.startedAt;
      open = undefined;
    }
  }
  return found.reverse();
}

function incidentTable(list: Incident[], now: number): string {
  if (!list.length) return '<p id="incidents" class="quiet">No failed pass in the charted history.</p>';
  const rows = list.slice(0, INCIDENTS).map((i) => {
    const lasted = humanDuration(((i.to ?? now) - i.from) / 1000);
    return (
      `<tr data-ongoing="${i.to === undefined}">${td('failing since', iso(i.from))}` +
      `${td('passing again', i.to === undefined ? '<b>ongoing</b>' : iso(i.to))}${td('lasted', lasted)}${td('passes', String(i.passes))}` +
      `${td('checks failed', `${[...i.checks].join(', ')}${i.maintenance ? ' <span class="maint">maintenance</span>' : ''}`)}` +
      `${td('first message', esc(i.first ?? '—'), 'msg')}</tr>`
    );
  });
  return (
    `<table id="incidents" class="data"><thead><tr><th>failing since (UTC)</th><th>passing again</th><th>lasted</th><th>passes</th>` +
    `<th>checks failed</th><th>first message</th></tr></thead><tbody>
${rows.join('\n')}
</tbody></table>${list.length > INCIDENTS ? `<p class="quiet">and ${list.length - INCIDENTS} earlier in the charted history</p>` : ''}`
  );
}

/** A time in the headline: the hour on the day of `now` (UTC), else with its date. */
function clock(ms: number, now: number): string {
  const t = iso(ms);
  return `${t.slice(0, 10) === iso(now).slice(0, 10) ? '' : `${t.slice(0, 10)} `}${t.slice(11, 16)} UTC`;
}

/** Since when `check` has failed pass after pass (skipped passes neither break nor extend the run, as
 *  for alerts), from the charted history; `atLeast` when the run goes back past it. */
function failingSince(check: string, history: HistoryRow[]): { ms: number; atLeast: boolean } | undefined {
  let since: number | undefined;
  for (let i = history.length - 1; i >= 0; i--) {
    const s = history[i]!.checks[check as CheckName];
    if (s === 'skipped' || s === undefined) continue;
    if (s !== 'fail') return since === undefined ? undefined : { ms: since, atLeast: false };
    since = history[i]!.startedAt;
  }
  return since === undefined ? undefined : { ms: since, atLeast: true };
}

/** The page's first line, what on-call wants from a phone: "All checks passing", or what is failing
 *  and since when ("login failing since 03:12 UTC"); results that are neither (degraded, a known
 *  issue, any other outcome) are named after it. */
export function headline(input: StatusPageInput, now: number): { state: 'pass' | 'fail' | 'other' | 'none'; text: string } {
  const latest = input.recent.at(-1);
  const window = input.maintenance?.active ? ` · maintenance window until ${clock(input.maintenance.active.endMs, now)}` : '';
  if (!latest) return { state: 'none', text: `No pass yet${window}` };
  const failing = latest.checks.filter((c) => c.status === 'fail');
  const others = latest.checks.filter((c) => c.status !== 'pass' && c.status !== 'fail' && c.status !== 'skipped');
  const notes = others.map((c) => `${c.name} ${c.status === 'known' ? 'failing as a known issue' : c.status}`);
  if (failing.length) {
    // Checks failing since the same pass are named together.
    const groups = new Map<string, string[]>();
    for (const c of failing) {
      const since = failingSince(c.name, input.history);
      const when = since ? ` since ${since.atLeast ? 'at least ' : ''}${clock(since.ms, now)}` : '';
      groups.set(when, [...(groups.get(when) ?? []), c.name]);
    }
    const parts = [...groups].map(
      ([when, names]) => `${names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names.at(-1)}` : names[0]} failing${when}`,
    );
    return { state: 'fail', text: [...parts, ...notes].join(' · ') + window };
  }
  if (!others.length) return { state: 'pass', text: `All checks passing${window}` };
  return { state: 'other', text: `No check failing · ${notes.join(' · ')}${window}` };
}

/** Which history the page shows, said on it: one state file may hold several (a history per
 *  TARGET_ENV or target, and one per set of TARGET_FAULTS on the bundled target), and a shared
 *  MONITOR_STATUS_PAGE is written by whichever ran last. A fault-injected history says so loudly. */
function historyNote(h: StatusPageInput['whichHistory'], now: number): string {
  if (!h) return '';
  const others = h.others.length
    ? ` Other histories in this state file: ${h.others
        .slice(0, 5)
        .map((o) => `<code>${esc(o.key)}</code> (${o.passes} pass${o.passes === 1 ? '' : 'es'}, latest ${clock(o.latestMs, now)})`)
        .join(', ')}${h.others.length > 5 ? `, and ${h.others.length - 5} more` : ''}.`
    : '';
  if (h.faults)
    return (
      `<p id="history-note" class="banner warn" data-history="${esc(h.key)}" data-faults="${esc(h.faults)}">This page shows the ` +
      `history of <b>fault-injected runs</b>: the bundled reference target with <code>TARGET_FAULTS=${esc(h.faults)}</code> ` +
      `(history <code>${esc(h.key)}</code>), kept apart so they never count in the clean history's uptime or alerts.${others}</p>`
    );
  return `<p id="history-note" class="note" data-history="${esc(h.key)}">History <code>${esc(h.key)}</code>.${others}</p>`;
}

/** The https target's certificate: days left, coloured as the certificate check judges them. */
function certificateNote(input: StatusPageInput, now: number): string {
  const c = input.certificate;
  if (!c) return '';
  const leftDays = (c.notAfterS - now / 1000) / 86_400;
  const level = leftDays < (input.certFailDays ?? 3) ? 'fail' : leftDays < (input.certWarnDays ?? 14) ? 'degraded' : 'pass';
  const shown =
    leftDays < 0 ? `expired ${Math.abs(leftDays).toFixed(1)} days ago` : `expires in ${leftDays.toFixed(leftDays < 10 ? 1 : 0)} days`;
  return (
    `<p id="certificate" data-expire="${c.notAfterS}" data-status="${level}">TLS certificate ${badge(level)} ${shown} ` +
    `(at ${iso(c.notAfterS * 1000)}): ${esc(c.subject)}, issued by ${esc(c.issuer)}` +
    `${c.earliest ? `; the first to expire: ${esc(c.earliest)}` : ''}.</p>`
  );
}

/** The known issues in force: what each names and why it is accepted. */
function knownIssuesSection(list: readonly KnownIssue[] | undefined): string {
  if (!list?.length) return '';
  const items = list.map((k) => {
    const names = k.check
      ? `check <b>${esc(k.check)}</b>`
      : k.property
        ? `property ${esc(k.property)}`
        : `${testsOf(k).length} API test(s)`;
    return `<li data-issue="${esc(k.id)}"><b>${esc(k.id)}</b> (${names}; since ${esc(k.since)}): ${esc(k.reason)}</li>`;
  });
  return (
    `<h2>Known issues in force</h2>
<p class="note">Accepted bugs of this target (known-issues.json). A check they name that fails shows as <span class="badge" ` +
    `style="background:${COLORS.known}">known</span>: not a pass, never an alert; if it passes, the bug looks fixed and the ` +
    `check fails until the entry is removed.</p>
<ul id="known-issues">${items.join('\n')}</ul>`
  );
}

export function renderStatusPage(input: StatusPageInput): string {
  const now = input.nowMs ?? Date.now();
  const { recent, history } = input;
  const latest = recent.at(-1);
  const expireS = [...recent].reverse().find((p) => p.tokenExpireS !== undefined)?.tokenExpireS;
  const overall = latest ? badge(latest.status) : '<span class="badge" style="background:#9aa0a6">no pass yet</span>';
  const uptimeLabel = `uptime ${input.uptime.map((u) => esc(u.label)).join(' · ')}`;
  const checkUptime = (name: string): string => {
    const u = input.checkUptime?.get(name);
    if (!u) return '—';
    return input.uptime
      .map(
        (w, i) =>
          `<span data-window="${esc(w.label)}" data-passed="${u[i]?.passed ?? 0}" data-total="${u[i]?.total ?? 0}">${percent(u[i] ?? { passed: 0, total: 0 })}</span>`,
      )
      .join(' · ');
  };
  // Checks that do not apply to this target (the certificate of an http one) are not in its passes, nor here.
  const rows = CHECK_NAMES.filter((name) => !latest || latest.checks.some((x) => x.name === name)).map((name) => {
    const c = latest?.checks.find((x) => x.name === name);
    const ok = input.lastSuccess.get(name);
    if (!c)
      return `<tr data-check="${name}">${td('check', name)}${td('result', '—')}${td(uptimeLabel, checkUptime(name), 'uptime')}${td('time', '')}${td('tries', '')}${td('last success', '')}${td('message', '')}</tr>`;
    const retried = c.retried?.length ? `<div class="retried">retried: ${c.retried.map(esc).join(' · ')}</div>` : '';
    const drift = c.drift?.length
      ? `<div class="drift">drift (fields the contract does not know): ${c.drift.map(esc).join(', ')}</div>`
      : '';
    return (
      `<tr data-check="${name}" data-status="${c.status}">${td('check', name)}${td('result', badge(c.status))}` +
      `${td(uptimeLabel, checkUptime(name), 'uptime')}${td('time', `${Math.round(c.durationMs)} ms`)}${td('tries', String(c.attempts))}` +
      `${td('last success', ok ? iso(ok) : 'never')}${td('message', `${esc(c.message)}${retried}${drift}`, 'msg')}</tr>`
    );
  });
  const token =
    expireS === undefined
      ? '<p id="token">No token issued yet.</p>'
      : `<p id="token" data-expire="${expireS}">Current token expires in <b ` +
        `id="ttl">${humanDuration(expireS - now / 1000)}</b> (at ${iso(expireS * 1000)}).</p>`;
  const uptime = input.uptime
    .map(
      (u) =>
        `<div class="tile" data-window="${esc(u.label)}" data-passed="${u.passed}" ` +
        `data-total="${u.total}"><b>${percent(u)}</b><span>${esc(u.label)} · ${u.passed} of ${u.total} passes</span></div>`,
    )
    .join('');
  const first = history[0];
  const span = first && latest ? ` from ${iso(first.startedAt)}` : '';
  const refresh = input.refreshS ? ` · <span id="refresh">refreshes every ${input.refreshS} s</span>` : '';
  const a = pageAssets();
  const head = headline(input, now);
  return (
    `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${head.state === 'fail' ? '✖ ' : head.state === 'pass' ? '✔ ' : ''}Temporal API monitor — ${esc(input.targetLabel)}</title>
<style>${a.uplotCss}</style>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;background:#fafafa;max-width:1200px;overflow-wrap:break-word}
code,.msg{overflow-wrap:anywhere} .data th,.data td:not(.msg){white-space:nowrap}
h1{font-size:20px;margin:0 0 4px} h2{font-size:16px;margin:24px 0 8px}
table.data{border-collapse:collapse;background:#fff} .data td,.data th{border:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}
.badge{color:#fff;border-radius:3px;padding:1px 6px;font-weight:600;white-space:nowrap}
.msg{max-width:760px;white-space:pre-wrap;word-break:break-word} .retried{color:#8a6d00;font-size:12px} .quiet{color:#777} ` +
    `.drift{color:#1f5fa8;font-size:12px}
.banner{background:#e3efff;border:1px solid #7aa7e6;padding:8px 12px;border-radius:4px} .note{color:#555}
.banner.warn{background:#fff4d6;border-color:#e0a800}
#headline{font-size:18px;font-weight:600;padding:8px 12px;border-radius:4px;margin:8px 0;color:#fff}
#headline[data-state=pass]{background:${COLORS.pass}} #headline[data-state=fail]{background:${COLORS.fail}}
#headline[data-state=other]{background:${COLORS.degraded};color:#222} #headline[data-state=none]{background:${COLORS.skipped}}
td.uptime{white-space:nowrap;font-variant-numeric:tabular-nums}
.maint{background:#e3efff;color:#245;border-radius:3px;padding:0 4px;font-size:12px}
#uptime{display:flex;flex-wrap:wrap;gap:12px} .tile{background:#fff;border:1px solid #ddd;border-radius:4px;padding:8px 16px;min-width:150px}
.tile b{display:block;font-size:22px} .tile span{color:#555;font-size:12px}
.chart{background:#fff;border:1px solid #ddd;padding:4px 0} .hover{min-height:2.8em;font-size:12px;color:#333;margin:4px ` +
    `0;white-space:pre-wrap}
.key{display:inline-block;width:10px;height:10px;margin:0 4px 0 10px;border-radius:2px}
/* A phone: charts take the width they are given (the client script); tables become one card per row,
   each cell under its column's name. */
@media (max-width:640px){
body{margin:12px} h1{font-size:18px}
.tile{min-width:0;flex:1 1 calc(50% - 6px);padding:6px 10px;box-sizing:border-box} .tile b{font-size:18px}
table.data,.data thead,.data tbody,.data tr,.data td{display:block} .data thead{display:none} table.data{background:none}
.data tr{background:#fff;border:1px solid #ddd;border-radius:4px;margin:0 0 8px} .data td{border:0;border-top:1px solid #eee}
.data tr td:first-child{border-top:0;font-weight:600} .data td:not(.msg){white-space:normal}
.data td[data-label]::before{content:attr(data-label) " ";color:#777;font-size:12px;font-weight:400}
#checks tr{display:grid;grid-template-columns:3fr 2fr} #checks td:nth-child(2){border-top:0}
#checks td.uptime,#checks td.msg,#checks td[data-label="last success"]{grid-column:1/-1}
.msg{max-width:none}
}
</style></head><body>
<h1>Temporal API monitor — ${esc(input.targetLabel)}</h1>
<p id="headline" data-state="${head.state}">${esc(head.text)}</p>
<p id="summary">Latest pass: ${overall} ${latest ? `at ${iso(latest.startedAt)} (${Math.round(latest.durationMs)} ms)` : ''} ` +
    `· ${history.length} passes charted${span} · times in UTC · page written ${iso(now)}${refresh}</p>
${historyNote(input.whichHistory, now)}
${maintenanceNote(input.maintenance, now)}
<section id="uptime" aria-label="uptime">${uptime}</section>
<p class="note">Uptime: the share of passes in which every check passed (degraded counts as passed, and so does a known ` +
    `issue's expected failure; passes in a maintenance window are left out). A check's own uptime (the checks table) counts ` +
    `the passes it gave a verdict in (${input.uptime.map((u) => esc(u.label)).join(' · ')}).</p>
${token}
${certificateNote(input, now)}
<h2>Checks</h2>
<table id="checks" class="data"><thead><tr><th>check</th><th>result</th><th>uptime ${input.uptime.map((u) => esc(u.label)).join(' · ')}</th>` +
    `<th>time</th><th>tries</th><th>last success</th><th>message</th></tr></thead><tbody>
${rows.join('\n')}
</tbody></table>
${knownIssuesSection(input.knownIssues)}
<h2>History</h2>
<div>${LEGEND}<span class="key" style="background:#7aa7e6"></span>maintenance · drag to zoom, double-click to reset</div>
<div id="timeline" class="chart"></div><div id="timeline-hover" class="hover">Point at a pass to see its time and results.</div>
<h2>Latency per step</h2>
<div id="latency" class="chart"></div>
<h2>Token lifetime</h2>
<div id="lifetime" class="chart"></div>
<h2>Incidents</h2>
${incidentTable(incidents(history, input.notable), now)}
<h2>Recent passes</h2>
${recentTable(recent)}
<script type="application/json" id="history-data">${scriptJson(historyData(input))}</script>
<script>${a.uplotJs}</script>
<script>
// Counts the token's time to expiry down while the page is open, worded as the server-side text is.
${humanDuration.toString()}
${a.client}
</script>
</body></html>
`
  );
}

/** Writes the page atomically (temp file + rename), so a reader never sees half a page, and never
 *  through a symbolic link (core/safe-write.ts). */
export function writeStatusPage(path: string, html: string): void {
  writeFileReplacing(path, html);
}
