// What went wrong, once per cause: the failures of every part grouped by what they say, so a token
// that lives 1 h is one line with "tests: 5 · monitor: 2" under it, not eight entries in three
// sections. A cause is a finding's first symptom in words (the first bullet of a test's error, a
// check's message up to its first clause, a k6 check or threshold), with what differs from run to run
// (the measured values in parentheses, times) left out. Any list of findings can be grouped (the
// failures of a NO-GO, or, with another verdict, whatever made it: the grouping does not know which).
import { saysRateLimited } from '../core/rate-limit.ts';
import type { Finding, PartResult } from '../parts/result.ts';

export interface CauseIn {
  /** The part's row: "playwright smoke,flow,upgrade", "monitor pass". */
  name: string;
  part: string;
  unit: PartResult['unit'];
  findings: Finding[];
}

export interface Cause {
  text: string;
  /** How many findings it explains, across parts. */
  count: number;
  /** Where it showed, in the order the parts ran. */
  parts: CauseIn[];
}

/** The parenthesised details that change from run to run ("(expire=2026-…, measured from …)",
 *  "(rate=83.33%)"), a leading "Error: ", runs of blanks. */
const clean = (s: string): string =>
  s
    .replace(/^Error:\s*/, '')
    .replace(/\s*\([^()]*(=|…)[^()]*\)/g, '')
    .replace(/\s+/g, ' ')
    .trim();

/** "the refreshed token: token expires in …" → "token expires in …": a short plain qualifier in front
 *  of a symptom is where it was seen, not what broke (one with a number, "answered HTTP 503: …", stays). */
const unqualified = (s: string): string => {
  const m = /^([A-Za-z' -]{3,40}): (.{10,})$/.exec(s);
  return m && m[1]!.trim().split(/\s+/).length <= 4 ? m[2]! : s;
};

/** A finding's cause in words. */
export function causeOf(part: string, f: Finding): string {
  if (part === 'load') {
    const check = /^check "(.+)": \d+ of \d+ failed$/.exec(f.title);
    if (check) return `k6 check "${check[1]}" failed`;
    return clean(f.title.replace(/^threshold crossed: /, 'k6 threshold crossed: '));
  }
  if (f.message && part === 'tests') {
    const lines = f.message
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
    // "Error: the login token does not keep the contract:" then "- token expires in 1h 0m, …": the first bullet.
    const bullet = lines.findIndex((l) => l.startsWith('- '));
    const first = lines[0]!.endsWith(':') && bullet > 0 ? lines[bullet]!.slice(2) : lines[0]!;
    return unqualified(clean(first));
  }
  if (part === 'monitor') {
    // "token-lifetime: token expires in 1h 0m, …; the token's exp − orig_iat is …": after the check's name, the first clause.
    const msg = f.title.replace(/^[\w-]+: /, '').split('; ')[0]!;
    return unqualified(clean(msg));
  }
  return clean(f.title);
}

/** k6's `checks{…}` threshold is crossed because a check failed: the check is the cause, said once. */
function consequence(part: string, f: Finding, all: Finding[]): boolean {
  return part === 'load' && /^threshold crossed: checks\{/.test(f.title) && all.some((x) => x.title.startsWith('check "'));
}

/** The findings of `results` (default: their failures) grouped by cause, the most widespread first. */
export function groupCauses(results: readonly PartResult[], findingsOf: (r: PartResult) => Finding[] = (r) => r.failures): Cause[] {
  const causes = new Map<string, Cause>();
  for (const r of results) {
    const all = findingsOf(r);
    for (const f of all) {
      if (consequence(r.part, f, all)) continue;
      const text = causeOf(r.part, f);
      const key = text.toLowerCase();
      const cause = causes.get(key) ?? { text, count: 0, parts: [] };
      causes.set(key, cause);
      cause.count++;
      const where = cause.parts.find((p) => p.name === r.name) ?? { name: r.name, part: r.part, unit: r.unit, findings: [] };
      if (!cause.parts.includes(where)) cause.parts.push(where);
      where.findings.push(f);
    }
  }
  return [...causes.values()].sort((a, b) => b.parts.length - a.parts.length || b.count - a.count);
}

const UNIT_ONE: Record<string, string> = {
  tests: 'test',
  thresholds: 'threshold',
  checks: 'check',
  cases: 'case',
  properties: 'property',
  failures: 'failure',
};
/** "5 tests", "1 check": what a part counts, for the line under a cause. */
export const counted = (n: number, unit: string): string => `${n} ${n === 1 ? (UNIT_ONE[unit] ?? unit) : unit}`;

/** What a part's findings are, briefly: monitor checks by name, the others by their first titles. */
function examples(where: CauseIn, max = 2): string {
  const names =
    where.part === 'monitor'
      ? where.findings.map((f) => f.title.split(': ')[0]!)
      : where.findings.map((f) => (f.title.length > 100 ? `${f.title.slice(0, 99)}…` : f.title));
  const shown = [...new Set(names)];
  return `${shown.slice(0, max).join('; ')}${shown.length > max ? `; and ${shown.length - max} more` : ''}`;
}

/** The causes for the terminal: one line each, the parts and counts under it. */
export function causesText(causes: readonly Cause[], heading: string): string {
  const lines = [`${heading} (${causes.length} cause${causes.length === 1 ? '' : 's'}):`];
  for (const c of causes) {
    // The target's rate limit is not a failure of the API: marked as the part line marks a part it cut short.
    lines.push(`${saysRateLimited(c.text) ? '◌' : '✖'} ${c.text}`);
    for (const p of c.parts)
      lines.push(`    ${p.name}: ${counted(p.findings.length, p.part === 'load' ? 'failures' : p.unit)} — ${examples(p)}`);
  }
  return lines.join('\n');
}
