// One HTML page for the release check: the verdict, the summary table, what failed (with each
// failed test's scrubbed error), what was flaky, the trend of the last checks, the latest heavy k6
// runs with their dashboards, and links to each part's own report. Every text passes through redactText.
import { existsSync } from 'node:fs';
import { writeFileReplacing } from '../core/safe-write.ts';
import { dirname, relative, resolve } from 'node:path';
import { redactText } from '../core/redact.ts';
import type { Finding, PartResult } from '../parts/result.ts';
import { type Cause, counted } from './causes.ts';
import { type CheckRecord, failedText } from './history.ts';
import { type Tested, testedText } from './tested.ts';
import { HEADERS, NUMERIC_FROM, rowsOf } from '../parts/table.ts';
import { escapeMarkup } from '../core/escape.ts';
import type { FindingsFile } from '../explore/report.ts';
import { testsOf, type KnownIssue } from '../core/known-issues.ts';

const esc = (s: string): string => escapeMarkup(redactText(s));

/** A k6 run of a heavy profile (load, stress, spike, soak) found in REPORTS_DIR/load. */
export interface LoadRunLink {
  script: string;
  profile: string;
  startedAt: string;
  passed: boolean;
  /** The run's folder, its summary and (when exported) its dashboard. */
  summary: string;
  dashboard?: string;
}

export interface ReleaseReport {
  label: string;
  url: string;
  startedAt: Date;
  seconds: number;
  results: PartResult[];
  /** Earlier checks and this one, oldest first. */
  history: CheckRecord[];
  loadRuns: LoadRunLink[];
  /** The explorer's findings (reports/explore/findings.json), when it ran. */
  exploration?: FindingsFile;
  /** The target's accepted bugs in force for this run (known-issues.json): listed whether or not they showed. */
  knownIssues?: KnownIssue[];
  /** GO, NO-GO (default: from the parts), or another verdict a caller decides. */
  verdict?: string;
  /** What made the verdict, once per cause across parts (release/causes.ts). */
  causes?: Cause[];
  /** What was tested: TARGET_VERSION, the target's own version answer, the harness's commit. */
  tested?: Tested;
  /** The target's rate limit cut the run short, and nothing failed on its own. */
  inconclusive?: boolean;
}

const TREND_ROWS = 10;

/** A failed test's way in: its entry in Playwright's HTML report, and its trace (with the command that opens it). */
function testLinks(f: Finding, r: PartResult, href: (p: string) => string): string {
  const html = r.reports.find((l) => l.label === 'Playwright report');
  const links = [
    ...(f.testId && html ? [`<a href="${href(html.path)}#?testId=${esc(f.testId)}">HTML report</a>`] : []),
    ...(f.trace ? [`<a href="${href(f.trace)}">trace</a> (<code>npx playwright show-trace ${esc(f.trace)}</code>)`] : []),
  ];
  return links.length ? `<div class="links">${links.join(' · ')}</div>` : '';
}

function findings(list: Finding[], r: PartResult, href: (p: string) => string): string {
  return `<ul>${list
    .map(
      (f) =>
        `<li><span class="title">${esc(f.title)}</span>${testLinks(f, r, href)}${f.message ? `<pre>${esc(f.message)}</pre>` : ''}</li>`,
    )
    .join('\n')}</ul>`;
}

/** The causes, at the top: one line each, the parts and counts under it. */
function causesSection(verdict: string, causes: readonly Cause[] | undefined): string {
  if (!causes?.length) return '';
  const items = causes.map(
    (c) =>
      `<li><span class="title">${esc(c.text)}</span><ul>${c.parts
        .map((p) => `<li>${esc(p.name)}: ${counted(p.findings.length, p.part === 'load' ? 'failures' : p.unit)}</li>`)
        .join('')}</ul></li>`,
  );
  return `<h2>Why ${esc(verdict)}: ${causes.length} cause${causes.length === 1 ? '' : 's'}</h2>\n<ul id="causes">${items.join('\n')}</ul>`;
}

/** "drift: response.Organization (register), response.ClaimedENSName (usage)" */
export const driftLine = (drift: readonly string[]): string => `drift: ${drift.join(', ')}`;

/** The exploration: each distinct finding with its minimal counterexample, new ones first, then the
 *  known issues that still happen and the listed ones that no longer do; the seed to replay it. */
function explorationSection(f: FindingsFile | undefined): string {
  if (!f) return '';
  const fresh = f.findings.filter((x) => x.status === 'new');
  const known = f.findings.filter((x) => x.status === 'known');
  type Finding = FindingsFile['findings'][number];
  const status = (x: Finding) => (x.status === 'new' ? 'new' : `known (${esc(x.knownIssue ?? '')})`);
  const row = (x: Finding) =>
    `<tr class="${x.status === 'new' ? 'fail' : 'ok'}"><td>${status(x)}</td><td><code>${esc(x.property)}</code></td>` +
    `<td>${esc(x.message)}</td><td><code>${esc(x.counterexample)}</code></td></tr>`;
  const inputs = f.scenarios.reduce((n, s) => n + s.runs, 0);
  const run =
    `<p id="exploration-run">Seed ${f.seed} (replay: <code>${esc(f.replay)}</code>) · ${inputs} generated inputs · ` +
    `${f.requests} requests · ${f.accounts} accounts named <code>hx-${esc(f.runId)}-…</code> · ${f.seconds.toFixed(1)} s</p>`;
  const table = f.findings.length
    ? '<table id="exploration"><thead><tr><th>status</th><th>property</th><th>what happened</th><th>minimal counterexample</th></tr>' +
      `</thead><tbody>\n${[...fresh, ...known].map(row).join('\n')}\n</tbody></table>`
    : '<p id="exploration">No finding: every property held for every generated input.</p>';
  const gone = (x: FindingsFile['fixed'][number]) =>
    `<li>${esc(x.id)} no longer happens (${esc(x.why)}): remove it from known-issues.json</li>`;
  const fixed = f.fixed.length ? `<ul id="exploration-fixed">${f.fixed.map(gone).join('')}</ul>` : '';
  return (
    `<h2>Exploration: ${fresh.length} new finding(s), ${known.length} known, ${f.fixed.length} no longer happening</h2>\n` +
    `${run}\n${table}\n${fixed}`
  );
}

/** The known issues in force, each with what it names, the reason, and what showed it in this run. */
function knownIssuesSection(r: ReleaseReport): string {
  const list = r.knownIssues ?? [];
  if (!list.length) return '';
  const seen = r.results.flatMap((x) => (x.knowns ?? []).map((f) => ({ part: x.name, ...f })));
  const items = list.map((k) => {
    const names = k.check ? [`monitor check ${k.check}`] : k.property ? [`property ${k.property}`] : testsOf(k);
    const showed = seen.filter((f) => (f.message ?? '').startsWith(`${k.id}:`) || f.message === k.id);
    return (
      `<li id="known-${esc(k.id)}"><span class="title">${esc(k.id)}</span> (since ` +
      `${esc(k.since)}${k.link ? `, <a href="${esc(k.link)}">tracked</a>` : ''}): ${esc(k.reason)}
<br><small>names: ${names.map((n) => `<code>${esc(n)}</code>`).join(', ')}${
        k.counterexample ? ` · counterexample <code>${esc(k.counterexample)}</code>` : ''
      } · this run: ${showed.length ? `${showed.length} failed as expected` : 'not seen'}</small></li>`
    );
  });
  return (
    `<h2>Known issues in force (accepted bugs of the target; expected to fail, listed in known-issues.json)</h2><ul ` +
    `id="known-issues">${items.join('\n')}</ul>`
  );
}

export function writeReleaseReport(file: string, r: ReleaseReport): void {
  const go = r.results.every((x) => x.ok);
  const verdict = r.verdict ?? (go ? 'GO' : r.inconclusive ? 'INCONCLUSIVE' : 'NO-GO');
  const dir = dirname(resolve(file));
  const href = (p: string) => esc(relative(dir, resolve(p)));
  const links = r.results.flatMap((x) => x.reports).filter((l) => existsSync(l.path));
  const trend = r.history.slice(-TREND_ROWS).reverse();
  const html =
    `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Release check · ${esc(r.label)}</title>
<style>
body{font:15px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:64rem;padding:0 1rem;color:#1b1f24}
.verdict{font-size:1.6rem;font-weight:700;padding:.6rem 1rem;border-radius:.4rem;display:inline-block}
.go{background:#dafbe1;color:#116329}.nogo{background:#ffebe9;color:#a40e26}.inconclusive{background:#fff8c5;color:#7d4e00}
table{border-collapse:collapse;margin:1rem 0}td,th{padding:.3rem .8rem;border-bottom:1px solid #d0d7de;text-align:left}
td.n{text-align:right;font-variant-numeric:tabular-nums}tr.fail td{color:#a40e26}code{font-size:.9em}
pre{background:#f6f8fa;padding:.5rem .7rem;border-radius:.3rem;white-space:pre-wrap;font-size:.85em;margin:.3rem 0 .8rem}
li .title{font-weight:600}td.go{color:#116329;font-weight:600}td.nogo{color:#a40e26;font-weight:600}
.links{font-size:.85em;margin:.2rem 0}#causes>li{margin:.3rem 0}
</style></head><body>
<h1>Release check: ${esc(r.label)}</h1>
<p>Target <code>${esc(r.url)}</code> · started ${esc(r.startedAt.toISOString())} · ${r.seconds.toFixed(1)} s</p>
${r.tested ? `<p id="tested">Tested: ${esc(testedText(r.tested))}</p>` : ''}
<p class="verdict ${go ? 'go' : r.inconclusive ? 'inconclusive' : 'nogo'}" id="verdict">${
      go
        ? 'GO: every check passed'
        : r.inconclusive
          ? "INCONCLUSIVE: the target's rate limit cut the run short; nothing failed on its own"
          : `${esc(verdict)}: something failed`
    }</p>
${causesSection(verdict, r.causes)}
<table id="summary"><thead><tr>${HEADERS.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>
${rowsOf(r.results)
  .map(
    (row, i) =>
      `<tr class="${r.results[i]!.ok ? 'ok' : 'fail'}">${row
        .map((c, j) => `<td${j >= NUMERIC_FROM ? ' class="n"' : ''}>${esc(c)}</td>`)
        .join('')}</tr>`,
  )
  .join('\n')}
</tbody></table>
${
  r.results.some((x) => x.drift?.length)
    ? `<h2>Drift: fields the contract does not know (news, not failures)</h2><ul id="drift">${r.results
        .filter((x) => x.drift?.length)
        .map((x) => `<li>${esc(x.name)}: ${esc(driftLine(x.drift!))}</li>`)
        .join('')}</ul>`
    : ''
}
${knownIssuesSection(r)}
<div id="failures">
${r.results
  .filter((x) => x.failures.length)
  .map((x) => `<h2>${esc(x.name)}: what failed</h2>\n${findings(x.failures, x, href)}`)
  .join('\n')}
</div>
${explorationSection(r.exploration)}
<div id="flaky">
${r.results
  .filter((x) => x.flakes.length)
  .map((x) => `<h2>${esc(x.name)}: flaky (failed, then passed on a retry)</h2>\n${findings(x.flakes, x, href)}`)
  .join('\n')}
</div>
<h2>Trend: the last ${trend.length} release checks</h2>
<table id="trend"><thead><tr><th>started</th><th>target</th><th>tested</th><th>verdict</th><th>time</th><th>failed</th>` +
    `<th>flaky tests</th><th>failed parts</th><th>causes</th></tr></thead><tbody>
${trend
  .map(
    (h) =>
      `<tr><td>${esc(h.at.replace('T', ' ').slice(0, 19))}</td><td>${esc(h.label)}</td>` +
      `<td>${esc([h.targetVersion, h.servedVersion && `answers ${h.servedVersion}`, h.harness && `harness ${h.harness}`].filter(Boolean).join(' · '))}</td>` +
      `<td class="${h.go ? 'go' : h.inconclusive ? 'inconclusive' : 'nogo'}">${esc(h.verdict ?? (h.go ? 'GO' : h.inconclusive ? 'INCONCLUSIVE' : 'NO-GO'))}</td>` +
      `<td class="n">${h.seconds.toFixed(1)} s</td><td>${esc(failedText(h).replace(/ failed$/, '') || '0')}</td>` +
      `<td class="n">${h.flaky}</td><td>${esc(h.failedParts.join(', '))}</td><td>${esc((h.causes ?? []).join(' · '))}</td></tr>`,
  )
  .join('\n')}
</tbody></table>
<h2>Load profiles (the latest k6 run of each, <code>npm run load</code>)</h2>
${
  r.loadRuns.length
    ? `<table id="load-runs"><thead><tr><th>script</th><th>profile</th><th>started</th><th>thresholds</th><th>reports</th></tr>` +
      `</thead><tbody>
${r.loadRuns
  .map(
    (l) =>
      `<tr class="${l.passed ? 'ok' : 'fail'}"><td>${esc(l.script)}</td><td>${esc(l.profile)}</td>` +
      `<td>${esc(l.startedAt.replace('T', ' ').slice(0, 19))}</td><td>${l.passed ? 'passed' : 'crossed'}</td>` +
      `<td>${l.dashboard ? `<a href="${href(l.dashboard)}">dashboard</a> · ` : ''}<a href="${href(l.summary)}">summary</a></td></tr>`,
  )
  .join('\n')}
</tbody></table>`
    : '<p id="load-runs">None in this reports folder yet: <code>npm run load -- credits -e LOAD_PROFILE=load</code> ' +
      '(also stress, spike, soak) writes one, with its dashboard.</p>'
}
<h2>Reports</h2><ul id="reports">
${links.map((l) => `<li><a href="${href(l.path)}">${esc(l.label)}</a></li>`).join('\n')}
</ul></body></html>
`;
  // Never through a link at index.html (core/safe-write.ts).
  writeFileReplacing(file, html);
}
