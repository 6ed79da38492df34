// What a run leaves behind: the readable list on stdout and reports/explore/findings.json (one entry
// per distinct finding: property, counterexample, message, seed, and whether it is new or known).
// Every text is redacted: counterexamples hold only the generated part of a password, never a whole one.
import { join } from 'node:path';
import { redactText } from '../core/redact.ts';
import { writeFileReplacing } from '../core/safe-write.ts';
import type { ExploreResult } from './explorer.ts';
import { PROPERTIES } from './properties.ts';
import { CATEGORIES } from './text.ts';

export interface RunInfo {
  target: string;
  generation: string;
  runId: string;
  startedAt: string;
  seconds: number;
  requests: number;
  accounts: number;
  budget: { runs: number; seconds: number; requests?: number };
  drift: string[];
}

export interface FindingsFile extends RunInfo {
  seed: number;
  /** Replays this run's search: EXPLORE_SEED=<seed> npm run explore. */
  replay: string;
  properties: { name: string; checks: string; status: 'pass' | 'fail' | 'known' }[];
  scenarios: ExploreResult['scenarios'];
  findings: {
    property: string;
    counterexample: string;
    message: string;
    seed: number;
    status: 'new' | 'known';
    knownIssue?: string;
    where: string;
    symptom: string;
    kinds: string[];
  }[];
  fixed: ExploreResult['fixed'];
  /** The kinds of input the run tried (`password:entity`), and its corpus (tried first, whatever the seed). */
  covered: string[];
  corpus: ExploreResult['corpus'];
  stopped?: string;
}

export const findingsPath = (reportsDir: string): string => join(reportsDir, 'explore', 'findings.json');

export function toFile(r: ExploreResult, info: RunInfo): FindingsFile {
  return {
    ...info,
    seed: r.seed,
    replay: `EXPLORE_SEED=${r.seed} npm run explore`,
    properties: r.verdicts.map((v) => ({
      name: v.property,
      checks: PROPERTIES[v.property],
      status: v.failed ? 'fail' : v.known ? 'known' : 'pass',
    })),
    scenarios: r.scenarios,
    findings: r.findings.map((f) => ({
      property: f.property,
      counterexample: redactText(f.counterexample),
      message: redactText(f.message),
      seed: f.seed,
      status: f.status,
      ...(f.knownIssue ? { knownIssue: f.knownIssue } : {}),
      where: f.where,
      symptom: redactText(f.symptom),
      kinds: f.classes,
    })),
    fixed: r.fixed.map((x) => ({ ...x, counterexample: redactText(x.counterexample) })),
    covered: r.covered,
    corpus: r.corpus,
    ...(r.stopped ? { stopped: redactText(r.stopped) } : {}),
  };
}

export function writeFindings(reportsDir: string, file: FindingsFile): string {
  const path = findingsPath(reportsDir);
  writeFileReplacing(path, `${JSON.stringify(file, null, 2)}\n`);
  return path;
}

/** The fields whose text the explorer generates, and what each kind of text is called. */
const TEXT_FIELDS = ['username', 'password', 'email'];

/**
 * What the run tried, field by field: for the text fields each kind of text (explore/text.ts), and any
 * it never tried; the other kinds (encodings, rules, token edits) counted. One line each.
 */
export function coverageLines(covered: readonly string[]): string[] {
  const byField = new Map<string, string[]>();
  for (const c of covered) {
    const [field, kind] = c.split(':', 2) as [string, string];
    byField.set(field, [...(byField.get(field) ?? []), kind]);
  }
  const lines = TEXT_FIELDS.map((field) => {
    const tried = byField.get(field) ?? [];
    const text = CATEGORIES.filter((k) => tried.includes(k));
    const missing = CATEGORIES.filter((k) => !tried.includes(k) && !(field === 'email' && k === 'long'));
    return `  ${field}: ${text.join(', ') || 'none'}${missing.length ? ` (not tried: ${missing.join(', ')})` : ''}`;
  });
  const other = [...byField.entries()].flatMap(([field, kinds]) =>
    kinds.filter((k) => !TEXT_FIELDS.includes(field) || !(CATEGORIES as readonly string[]).includes(k)).map((k) => `${field}:${k}`),
  );
  return [...lines, `  other kinds of input: ${other.length} (${other.join(', ')})`];
}

/** The readable list: new findings first, then known ones, then listed issues that no longer happen. */
export function textReport(f: FindingsFile, path: string): string {
  const out: string[] = [];
  const fresh = f.findings.filter((x) => x.status === 'new');
  const known = f.findings.filter((x) => x.status === 'known');
  const item = (x: FindingsFile['findings'][number], mark: string) => {
    out.push(`${mark} ${x.property}: ${x.where}: ${x.symptom}${x.knownIssue ? `  [known: ${x.knownIssue}]` : ''}`);
    out.push(`    ${x.message}`);
    out.push(`    counterexample: ${x.counterexample}`);
  };
  if (fresh.length) {
    out.push(`\nNew findings (${fresh.length}):`);
    for (const x of fresh) item(x, '✖');
  }
  if (known.length) {
    out.push(`\nKnown issues that still happen (${known.length}, listed in known-issues.json):`);
    for (const x of known) item(x, '•');
  }
  if (f.fixed.length) {
    out.push(`\nListed as known but no longer happening (${f.fixed.length}): remove them from known-issues.json`);
    for (const x of f.fixed) out.push(`✖ ${x.id} (${x.property}): ${x.why}\n    counterexample: ${x.counterexample}`);
  }
  if (f.drift.length) out.push(`\ndrift (fields the contract does not know, news not failures): ${f.drift.join(', ')}`);
  out.push(
    `\nInput kinds tried (a corpus of ${f.corpus.inputs} inputs first, every kind each scenario knows, in ` +
      `${f.corpus.seconds.toFixed(1)} s; then the random search):`,
    ...coverageLines(f.covered),
  );
  out.push('');
  out.push(
    `${fresh.length === 0 && f.fixed.length === 0 && !f.stopped ? 'PASS' : 'FAIL'}: ${fresh.length} new finding(s), ${known.length} ` +
      `known, ${f.fixed.length} fixed; ` +
      `${f.scenarios.reduce((n, s) => n + s.runs, 0)} inputs, ${f.requests} requests, ${f.accounts} accounts (hx-${f.runId}-…), ` +
      `${f.seconds.toFixed(1)} s.`,
  );
  if (f.stopped) out.push(`Stopped early: ${f.stopped}`);
  out.push(`Findings: ${path}. Replay: ${f.replay}`);
  return out.join('\n');
}
