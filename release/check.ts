// npm start / npm run release-check: the pre-release run. Against TARGET_URL, or the bundled target
// when unset: the Playwright suite, the k6 smoke of login and credits, one monitor pass. Progress as
// it goes, one summary table, one HTML report (reports/index.html), exit 1 if anything failed.
import { join, resolve } from 'node:path';
import { redactText } from '../core/redact.ts';
import { runMain, targetLabel } from '../core/settings.ts';
import { runLoad, runMonitor, runTests, type PartResult } from './parts.ts';
import { driftLine, writeReleaseReport } from './report.ts';
import { loadReleaseSettings, PARTS, releaseProjects, validateAllParts } from './settings.ts';
import { rowsOf, textTable } from './table.ts';

await runMain(async () => {
  const s = loadReleaseSettings();
  const parts = s.RELEASE_PARTS ?? [...PARTS];
  validateAllParts(parts); // before any traffic
  const reportsDir = resolve(s.REPORTS_DIR);
  const label = targetLabel(s);
  const where =
    s.TARGET_URL ??
    `the bundled reference target (each part starts its own on a free loopback port${s.TARGET_GENERATION === 'latest' ? ', with a Mailpit next to it' : ''}; faults: ${s.TARGET_FAULTS ?? 'none'})`;
  const generation = `generation: ${s.TARGET_GENERATION}${s.TARGET_GENERATION === 'latest' ? ' (e-mail verification mandatory)' : ''}`;
  const say = (line: string) => process.stdout.write(`${line}\n`);
  const show = (part: string) => (line: string) => line.trim() && say(`  ${part.padEnd(7)} │ ${redactText(line)}`);

  say(`Release check: ${label} — ${where}; ${generation}`);
  const started = new Date();
  const t0 = performance.now();
  const results: PartResult[] = [];
  const record = (r: PartResult) => {
    results.push(r);
    say(`${r.ok ? '✔' : '✖'} ${r.name}: ${r.passed} passed, ${r.failed} failed (${r.seconds.toFixed(1)} s)`);
  };
  // The parts inherit this environment, TARGET_FAULTS included: a bundled target started with faults
  // must fail the check. (A key set to undefined would delete the variable in the child.)
  const env: Record<string, string> = {};

  if (parts.includes('tests')) {
    const projects = releaseProjects(s);
    say(`\n▶ tests: Playwright projects ${projects.join(', ')}`);
    record(await runTests({ env, reportsDir, projects, fullReports: true, onLine: show('tests') }));
  }
  if (parts.includes('load'))
    for (const script of ['login', 'credits'] as const) {
      say(`\n▶ load: k6 ${script}, smoke profile`);
      record(await runLoad({ env, reportsDir, script, onLine: show('load') }));
    }
  if (parts.includes('monitor')) {
    say('\n▶ monitor: one pass');
    record(await runMonitor({ env, reportsDir, onLine: show('monitor') }));
  }

  const seconds = (performance.now() - t0) / 1000;
  const go = results.every((r) => r.ok);
  const reportFile = join(reportsDir, 'index.html');
  writeReleaseReport(reportFile, { label, url: s.TARGET_URL ?? 'bundled reference target', startedAt: started, seconds, results });
  say(`\n${textTable(rowsOf(results))}\n`);
  // Drift is news, not a failure: one line per part that saw fields the contract does not know.
  for (const r of results.filter((x) => x.drift?.length)) say(`${r.name}: ${driftLine(r.drift!)}`);
  for (const r of results.filter((x) => x.failures.length)) {
    say(`${r.name} failed:`);
    for (const f of r.failures.slice(0, 10)) say(`  - ${redactText(f)}`);
    if (r.failures.length > 10) say(`  … and ${r.failures.length - 10} more`);
  }
  say(
    `${go ? 'GO' : 'NO-GO'}: ${results.filter((r) => r.ok).length} of ${results.length} parts passed in ${seconds.toFixed(1)} s. Report: ${reportFile}`,
  );
  return go ? 0 : 1;
});
