// npm run generate: writes every committed file that is generated from the code, so none is ever
// edited by hand: the generated parts of docs/faults.md, docs/real-server.md (the known issues),
// docs/settings.md and docs/npm-scripts.md
// (scripts/docs-pages.ts), and the Grafana dashboard (deploy/grafana/dashboard.ts →
// temporal-harness.json). The detection matrix's page is the matrix's own (npm run matrix --
// --write-docs: it takes a full run). Self-tests fail when a committed file differs from what this writes.
import { readFileSync } from 'node:fs';
import { execa } from 'execa';
import { readCommandLine } from '../core/cli.ts';
import { withGeneratedPart } from '../core/markdown.ts';
import { writeFileReplacing } from '../core/safe-write.ts';
import { runMain } from '../core/settings.ts';
import { benchmarks } from '../bench/support.ts';
import { DASHBOARD_FILE, dashboardJson } from '../deploy/grafana/dashboard.ts';
import { faultsPage, knownIssuesMarkdown, packageScripts, scriptsMarkdown, settingsMarkdown, summaryOf } from './docs-pages.ts';

readCommandLine({
  command: 'npm run generate',
  summary:
    'writes the files generated from the code: the tables of faults, known issues, settings and npm scripts in docs/, and the Grafana dashboard',
  usage: [''],
  exits: '0 written, 1 a page lacks its markers or a script its summary',
  notes: [
    'Commit what it writes: the self-tests hold each file equal to the code.',
    'docs/detection-matrix.md is written by npm run matrix -- --write-docs (a full run).',
  ],
});

/** Each script's help (it prints it and exits: no traffic, no file), a few at a time. */
async function helps(commands: Record<string, string[]>): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const queue = Object.entries(commands);
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        const [key, args] = next;
        const r = await execa('npm', ['run', '-s', ...args], { reject: false, env: { NO_COLOR: '1' } });
        out[key] = r.stdout;
      }
    }),
  );
  return out;
}

function writePart(file: string, body: string, by: string): void {
  writeFileReplacing(file, withGeneratedPart(readFileSync(file, 'utf8'), body, by));
  console.log(`wrote ${file}`);
}

await runMain(async () => {
  writePart('docs/faults.md', faultsPage(), '`npm run generate` from reference/faults.ts');
  writePart('docs/real-server.md', knownIssuesMarkdown(), '`npm run generate` from known-issues.json');
  writePart('docs/settings.md', settingsMarkdown(), '`npm run generate` from the settings registry and .env.example');

  const scripts = Object.keys(packageScripts());
  const BENCHMARKS = benchmarks();
  const all = await helps({
    ...Object.fromEntries(scripts.map((s) => [s, [s, '--', '--help']])),
    ...Object.fromEntries(BENCHMARKS.map((b) => [`bench ${b}`, ['bench', '--', b, '--help']])),
  });
  const summaries = Object.fromEntries(scripts.map((s) => [s, summaryOf(s, all[s] ?? '')]).filter(([, v]) => v));
  const benchSummaries = Object.fromEntries(BENCHMARKS.map((b) => [b, summaryOf(`bench ${b}`, all[`bench ${b}`] ?? '') ?? '']));
  const missing = [...scripts.filter((s) => !summaries[s]), ...BENCHMARKS.filter((b) => !benchSummaries[b]).map((b) => `bench -- ${b}`)];
  writePart(
    'docs/npm-scripts.md',
    scriptsMarkdown(summaries, benchSummaries),
    "`npm run generate` from package.json and each script's --help",
  );

  writeFileReplacing(DASHBOARD_FILE, dashboardJson());
  console.log(`wrote ${DASHBOARD_FILE}`);
  if (missing.length) {
    console.error(`no summary in the --help of: ${missing.join(', ')} (its first line: '<command> — <what it does>')`);
    return 1;
  }
  return 0;
});
