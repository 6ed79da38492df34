// The one-shot run's stdout: a table for people, or JSON for machines. Messages are already scrubbed.
import type { PassResult } from './types.ts';

const pad = (s: string, n: number): string => (s.length >= n ? s : s + ' '.repeat(n - s.length));

export function summaryTable(p: PassResult, url: string): string {
  const lines = [
    `Temporal API monitor · ${p.targetLabel} (${url}) · ${new Date(p.startedAt).toISOString()} · ${(p.durationMs / 1000).toFixed(2)} s`,
    '',
    `${pad('CHECK', 18)} ${pad('RESULT', 9)} ${pad('TIME', 9)} ${pad('TRIES', 5)} MESSAGE`,
  ];
  for (const c of p.checks) {
    lines.push(
      `${pad(c.name, 18)} ${pad(c.status.toUpperCase(), 9)} ${pad(`${Math.round(c.durationMs)} ms`, 9)} ` +
        `${pad(String(c.attempts), 5)} ${c.message.replace(/\n/g, `\n${' '.repeat(44)}`)}`,
    );
    for (const r of c.retried ?? []) lines.push(`${' '.repeat(44)}↻ ${r.replace(/\n/g, ' ')}`);
    if (c.drift?.length) lines.push(`${' '.repeat(44)}≈ drift: ${c.drift.join(', ')}`);
  }
  const drift = [...new Set(p.checks.flatMap((c) => c.drift ?? []))];
  const failed = p.checks.filter((c) => c.status === 'fail').map((c) => c.name);
  const degraded = p.checks.filter((c) => c.status === 'degraded').map((c) => c.name);
  const known = p.checks.filter((c) => c.status === 'known');
  lines.push('');
  lines.push(
    failed.length
      ? `FAIL: ${failed.length} of ${p.checks.length} checks failed (${failed.join(', ')})`
      : `PASS: all checks passed${degraded.length ? ` (degraded: ${degraded.join(', ')})` : ''}${
          known.length ? `, but for known issues: ${known.map((c) => c.name).join(', ')}` : ''
        }`,
  );
  for (const c of known) lines.push(`known: ${c.name}: ${c.knownIssue ?? ''}`);
  if (drift.length) lines.push(`drift: ${drift.length} field(s) the contract does not know: ${drift.join(', ')}`);
  return `${lines.join('\n')}\n`;
}

export function summaryJson(p: PassResult, url: string): string {
  const { target: _key, ...rest } = p;
  return `${JSON.stringify({ url, ...rest }, null, 2)}\n`;
}
