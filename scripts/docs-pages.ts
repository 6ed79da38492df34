// The parts of docs/ that are generated from the code, never written by hand: the fault catalog
// (reference/faults.ts), the known issues (known-issues.json), the settings (every program's schema in
// the settings registry, with .env.example's words) and the npm scripts (package.json, with each
// script's --help summary). `npm run generate` writes them; selftest/docs/generated.test.ts (faults,
// known issues, settings) and
// selftest/core/cli-help.test.ts (the scripts, from the helps it runs anyway) fail when a page
// differs from what the code says. The detection matrix's page is written by the matrix itself
// (npm run matrix -- --write-docs).
import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { defaultText, envExample, takes } from '../core/cli.ts';
import { readKnownIssues, testsOf } from '../core/known-issues.ts';
import { md, mdTable } from '../core/markdown.ts';
import { isInternal, sharedSettings } from '../core/settings.ts';
import { exploreSettings } from '../explore/settings.ts';
import { testSettings } from '../fixtures/settings.ts';
import { capacitySettingsShape } from '../load/capacity/settings.ts';
import { loadSettingsShape } from '../load/runner/settings.ts';
import { monitorSettings } from '../monitors/settings.ts';
import { conformanceSettings } from '../proof/conformance/settings.ts';
import { realServerSettings } from '../proof/real-server/settings.ts';
import { faultsMarkdown } from '../reference/faults.ts';
import { targetSettings } from '../reference/settings.ts';
import { releaseSettings } from '../release/settings.ts';

/** Every program's settings: the schemas it parses, by the command users type. */
export const PROGRAM_SETTINGS: Record<string, z.ZodRawShape> = {
  'npm run target': targetSettings,
  'npm run monitor': monitorSettings,
  'npm run load': loadSettingsShape,
  'npm run capacity': capacitySettingsShape,
  'npx playwright test': testSettings,
  'npm start': releaseSettings,
  'npm run conformance': conformanceSettings,
  'npm run test:real-server': realServerSettings,
  'npm run explore': exploreSettings,
};

/** The settings users have (internal ones left out), each with the programs that read it. */
export function userSettings(): Map<string, { schema: z.ZodType; readBy: string[] }> {
  const out = new Map<string, { schema: z.ZodType; readBy: string[] }>();
  for (const [name, schema] of Object.entries(sharedSettings))
    if (!isInternal(schema)) out.set(name, { schema: schema as z.ZodType, readBy: ['every part'] });
  for (const [program, shape] of Object.entries(PROGRAM_SETTINGS))
    for (const [name, schema] of Object.entries(shape)) {
      if (isInternal(schema as object) || name in sharedSettings) continue;
      const seen = out.get(name);
      if (seen) seen.readBy.push(program);
      else out.set(name, { schema: schema as z.ZodType, readBy: [program] });
    }
  return out;
}

/** docs/settings.md's generated part: one table per section of .env.example, in its order. */
export function settingsMarkdown(): string {
  const docs = envExample();
  const settings = userSettings();
  const sections = new Map<string, string[][]>();
  // .env.example's order: the settings a reader finds together there, together here.
  const names = [...docs.keys()].filter((n) => settings.has(n));
  for (const name of [...names, ...[...settings.keys()].filter((n) => !docs.has(n))]) {
    const s = settings.get(name)!;
    const d = docs.get(name);
    const dflt = defaultText(s.schema, d?.example);
    const row = [
      `\`${name}\``,
      md(s.readBy.join(', ')),
      md(`${takes(s.schema)}${dflt !== undefined ? `, default \`${dflt}\`` : ''}`),
      md(d?.text ?? '(not in .env.example)'),
    ];
    const section = d?.section ?? 'not documented';
    sections.set(section, [...(sections.get(section) ?? []), row]);
  }
  return [...sections]
    .map(([section, rows]) => `### ${md(section)}\n\n${mdTable(['setting', 'read by', 'takes', 'what it is'], rows)}\n`)
    .join('\n');
}

/** docs/faults.md's generated part. */
export const faultsPage = (): string => `${faultsMarkdown()}\n`;

/** docs/real-server.md's list of known issues (known-issues.json): each with the target it is listed
 *  for, what it names (tests, a monitor check, an explorer property with its counterexample) and why. */
export function knownIssuesMarkdown(): string {
  const rows = readKnownIssues().map((k) => {
    const tests = testsOf(k);
    const names = [
      ...tests.map((t) => `test: ${t}`),
      ...(k.check ? [`monitor check: ${k.check}`] : []),
      ...(k.property ? [`property: ${k.property}${k.counterexample ? `, counterexample \`${k.counterexample}\`` : ''}`] : []),
    ];
    const where = [k.where.generation && `${k.where.generation} generation`, k.where.url && `\`${k.where.url}\``].filter(Boolean);
    return [`\`${k.id}\``, md(where.join(', ')), md(names.join('; ')), md(k.reason), k.since];
  });
  return `${mdTable(['id', 'listed for', 'what it names', 'why', 'since'], rows)}\n`;
}

/** What the scripts whose help is another tool's (Biome's, Playwright's) do here. */
const NOT_OURS: Record<string, string> = {
  lint: 'biome ci: formatting, lint rules and import order checked over the repository, nothing written',
  format: 'biome check --write: the formatting and the safe lint fixes written in place',
  'test:api': "Playwright's test runner over tests/ (every project), against TARGET_URL or the bundled target",
};

/** A script's one-line summary, from the first line of its help (`npm run load — …`). */
export function summaryOf(script: string, help: string): string | undefined {
  if (NOT_OURS[script]) return NOT_OURS[script];
  const first = help.split('\n')[0] ?? '';
  const dash = first.indexOf(' — ');
  return dash < 0 ? undefined : first.slice(dash + 3).trim();
}

export const packageScripts = (): Record<string, string> =>
  (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { scripts: Record<string, string> }).scripts;

/** How users type a script. */
export const typed = (script: string): string =>
  script === 'start' || script === 'test' ? `npm ${script}` : script === 'postinstall' ? 'npm install' : `npm run ${script}`;

/** docs/npm-scripts.md's generated part: every script, what it runs, and its help's summary; then
 *  the benchmarks `npm run bench` knows, each with its own help's summary. */
export function scriptsMarkdown(summaries: Record<string, string>, benchmarks: Record<string, string>): string {
  const rows = Object.entries(packageScripts()).map(([script, command]) => [
    `\`${typed(script)}\``,
    `\`${md(command)}\``,
    md(summaries[script] ?? '(no summary: its --help has no first line of the form `<command> — <what it does>`)'),
  ]);
  const bench = Object.entries(benchmarks).map(([name, summary]) => [`\`npm run bench -- ${name}\``, md(summary)]);
  return `${mdTable(['script', 'runs', 'what it does'], rows)}\n\n${mdTable(['benchmark', 'what it measures'], bench)}\n`;
}
