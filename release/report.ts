// One HTML page for the release check: the verdict, the summary table, what failed, and links to
// each part's own report. Every text passes through redactText.
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { redactText } from '../core/redact.ts';
import type { PartResult } from './parts.ts';
import { HEADERS, rowsOf } from './table.ts';
import { escapeMarkup } from '../core/escape.ts';

const esc = (s: string): string => escapeMarkup(redactText(s));

export interface ReleaseReport {
  label: string;
  url: string;
  startedAt: Date;
  seconds: number;
  results: PartResult[];
}

/** "drift: response.Organization (register), response.ClaimedENSName (usage)" */
export const driftLine = (drift: readonly string[]): string => `drift: ${drift.join(', ')}`;

export function writeReleaseReport(file: string, r: ReleaseReport): void {
  const go = r.results.every((x) => x.ok);
  const dir = dirname(resolve(file));
  const links = r.results.flatMap((x) => x.reports).filter((l) => existsSync(l.path));
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Release check · ${esc(r.label)}</title>
<style>
body{font:15px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:64rem;padding:0 1rem;color:#1b1f24}
.verdict{font-size:1.6rem;font-weight:700;padding:.6rem 1rem;border-radius:.4rem;display:inline-block}
.go{background:#dafbe1;color:#116329}.nogo{background:#ffebe9;color:#a40e26}
table{border-collapse:collapse;margin:1rem 0}td,th{padding:.3rem .8rem;border-bottom:1px solid #d0d7de;text-align:left}
td.n{text-align:right;font-variant-numeric:tabular-nums}tr.fail td{color:#a40e26}code{font-size:.9em}
</style></head><body>
<h1>Release check: ${esc(r.label)}</h1>
<p>Target <code>${esc(r.url)}</code> · started ${esc(r.startedAt.toISOString())} · ${r.seconds.toFixed(1)} s</p>
<p class="verdict ${go ? 'go' : 'nogo'}" id="verdict">${go ? 'GO: every check passed' : 'NO-GO: something failed'}</p>
<table id="summary"><thead><tr>${HEADERS.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>
${rowsOf(r.results)
  .map(
    (row, i) =>
      `<tr class="${r.results[i]!.ok ? 'ok' : 'fail'}">${row.map((c, j) => `<td${j >= 2 ? ' class="n"' : ''}>${esc(c)}</td>`).join('')}</tr>`,
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
${r.results
  .filter((x) => x.failures.length)
  .map((x) => `<h2>${esc(x.name)}: what failed</h2><ul>${x.failures.map((f) => `<li>${esc(f)}</li>`).join('')}</ul>`)
  .join('\n')}
<h2>Reports</h2><ul id="reports">
${links.map((l) => `<li><a href="${esc(relative(dir, resolve(l.path)))}">${esc(l.label)}</a></li>`).join('\n')}
</ul></body></html>
`;
  mkdirSync(dir, { recursive: true });
  writeFileSync(file, html);
}
