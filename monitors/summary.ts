// The one-shot run's stdout: a table for people, or JSON for machines. Messages are already scrubbed,
// and their control characters escaped (pass.ts); the table is made safe for a terminal once more as a whole.
import { describeRateLimit } from '../core/rate-limit.ts';
import { textTable } from '../core/text-table.ts';
import { terminalText } from '../core/terminal.ts';
import type { PassResult } from './types.ts';

export function summaryTable(p: PassResult, url: string, warning?: string): string {
  const rows: string[][] = [];
  for (const c of p.checks) {
    const [first = '', ...more] = c.message.split('\n');
    rows.push([c.name, c.status.toUpperCase(), `${Math.round(c.durationMs)} ms`, String(c.attempts), first]);
    // Under the message: the rest of a message of several lines, the failed tries (↻), the drift (≈).
    const under = [...more, ...(c.retried ?? []).map((r) => `↻ ${r.replace(/\n/g, ' ')}`)];
    if (c.drift?.length) under.push(`≈ drift: ${c.drift.join(', ')}`);
    for (const line of under) rows.push(['', '', '', '', line]);
  }
  const lines = [
    `Temporal API monitor · ${p.targetLabel} (${url}) · ${new Date(p.startedAt).toISOString()} · ${(p.durationMs / 1000).toFixed(2)} s`,
    '',
    textTable(['CHECK', 'RESULT', 'TIME', 'TRIES', 'MESSAGE'], rows),
  ];
  const drift = [...new Set(p.checks.flatMap((c) => c.drift ?? []))];
  const failed = p.checks.filter((c) => c.status === 'fail').map((c) => c.name);
  const degraded = p.checks.filter((c) => c.status === 'degraded').map((c) => c.name);
  const known = p.checks.filter((c) => c.status === 'known');
  const throttled = p.checks.find((c) => c.status === 'throttled');
  lines.push('');
  lines.push(
    failed.length
      ? `FAIL: ${failed.length} of ${p.checks.length} checks failed (${failed.join(', ')})`
      : throttled
        ? `THROTTLED: the target's rate limit stopped the pass at ${throttled.name}: neither a pass nor a failure of the API; ` +
          'nobody is paged'
        : `PASS: all checks passed${degraded.length ? ` (degraded: ${degraded.join(', ')})` : ''}${
            known.length ? `, but for known issues: ${known.map((c) => c.name).join(', ')}` : ''
          }`,
  );
  for (const c of known) lines.push(`known: ${c.name}: ${c.knownIssue ?? ''}`);
  if (drift.length) lines.push(`drift: ${drift.length} field(s) the contract does not know: ${drift.join(', ')}`);
  if (p.rateLimit)
    lines.push(`rate limit: ${describeRateLimit(p.rateLimit)}; this pass sent ${p.requests ?? '?'} request${p.requests === 1 ? '' : 's'}`);
  if (warning) lines.push(`warning: ${warning}`);
  return terminalText(`${lines.join('\n')}\n`);
}

/** The pass for GitHub Actions' step summary ($GITHUB_STEP_SUMMARY): the result and a table of the checks. */
export function summaryMarkdown(p: PassResult, url: string): string {
  const cell = (t: string) => t.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const failed = p.checks.filter((c) => c.status === 'fail').map((c) => c.name);
  return [
    `## ${failed.length ? '❌' : p.status === 'throttled' ? '⏸️' : '✅'} Temporal API monitor · ${cell(p.targetLabel)}: ${
      failed.length
        ? `${failed.join(', ')} failed`
        : p.status === 'throttled'
          ? "throttled by the target's rate limit (neither a pass nor a failure)"
          : 'all checks passed'
    }`,
    '',
    `${cell(url)} · ${new Date(p.startedAt).toISOString()} · ${(p.durationMs / 1000).toFixed(2)} s`,
    '',
    '| check | result | time | tries | message |',
    '|---|---|---|---|---|',
    ...p.checks.map((c) => `| ${c.name} | ${c.status} | ${Math.round(c.durationMs)} ms | ${c.attempts} | ${cell(c.message)} |`),
    '',
  ].join('\n');
}

export function summaryJson(p: PassResult, url: string, warning?: string): string {
  const { target: _key, ...rest } = p;
  return `${JSON.stringify({ url, ...rest, ...(warning ? { warning } : {}) }, null, 2)}\n`;
}
