// npm start / npm run release-check: the pre-release run. Against TARGET_URL, or the bundled target
// when unset: the Playwright suite, the k6 smoke of login and credits, one monitor pass. Progress as
// it goes, one summary table, what failed and what was flaky in words, the trend of the last checks,
// one HTML report (reports/index.html), exit 1 if anything failed.
import { join, resolve } from 'node:path';
import { knownIssuesInForce } from '../core/known-issues.ts';
import { redactText } from '../core/redact.ts';
import { runMain, SettingsError, settingsEnv, targetLabel } from '../core/settings.ts';
import { listRuns } from '../load/runner/k6.ts';
import { untrustedChainProblem } from './certificate-preflight.ts';
import { appendHistory, describeCheck } from './history.ts';
import { readFindings, runExplore, runLoad, runMonitor, runTests, type Finding, type PartResult } from './parts.ts';
import { driftLine, writeReleaseReport, type LoadRunLink } from './report.ts';
import { defaultParts, partsLogFormat, RELEASE_EXPLORE_SECONDS, releaseProjects, validateRelease } from './settings.ts';
import { rowsOf, summaryText } from './table.ts';

/** The latest run of each heavy profile (smoke is what this check runs itself). */
function latestLoadRuns(reportsDir: string): LoadRunLink[] {
  const seen = new Set<string>();
  return listRuns(reportsDir).flatMap(({ dir, summary: s }) => {
    const key = `${s.script}/${s.profile}`;
    if (s.profile === 'smoke' || seen.has(key)) return [];
    seen.add(key);
    return [
      {
        script: s.script,
        profile: s.profile,
        startedAt: s.startedAt,
        passed: s.passed,
        summary: join(dir, 'summary.txt'),
        dashboard: s.dashboard ? join(dir, s.dashboard) : undefined,
      },
    ];
  });
}

await runMain(async () => {
  // Every part's settings, before any traffic; the bundled target's (TARGET_FAULTS) only when it is
  // the target: against TARGET_URL the reference target's modules are never loaded.
  const given = settingsEnv();
  const s = validateRelease(given, given.TARGET_URL ? undefined : await import('../reference/settings.ts'));
  // A certificate chain nobody here trusts is a setting (TARGET_CA_FILE), not a NO-GO: said before any request.
  const untrusted = await untrustedChainProblem(s);
  if (untrusted) throw new SettingsError([untrusted]);
  const chosen = defaultParts(s);
  const parts = chosen.parts;
  const knownIssues = knownIssuesInForce(s);
  const reportsDir = resolve(s.REPORTS_DIR);
  const label = targetLabel(s);
  const where =
    s.TARGET_URL ??
    `the bundled reference target (each part starts its own on a free loopback ` +
      `port${s.TARGET_GENERATION === 'latest' ? ', with a Mailpit next to it' : ''}${s.TARGET_TLS ? ', over https with a CA of its own' : ''}; ` +
      `faults: ${s.TARGET_FAULTS ?? 'none'})`;
  const generation = `generation: ${s.TARGET_GENERATION}${s.TARGET_GENERATION === 'latest' ? ' (e-mail verification mandatory)' : ''}`;
  const say = (line: string) => process.stdout.write(`${line}\n`);
  const show = (part: string) => (line: string) => line.trim() && say(`  ${part.padEnd(7)} │ ${redactText(line)}`);
  const list = (items: Finding[], max = 10) => {
    for (const f of items.slice(0, max)) {
      say(`  - ${redactText(f.title)}`);
      for (const l of (f.message ?? '').split('\n').filter(Boolean).slice(0, 4)) say(`      ${l}`);
    }
    if (items.length > max) say(`  … and ${items.length - max} more (see the report)`);
  };

  say(`Release check: ${label} — ${where}; ${generation}`);
  if ('skipped' in chosen && chosen.skipped) say(chosen.skipped);
  const started = new Date();
  const t0 = performance.now();
  const results: PartResult[] = [];
  const record = (r: PartResult) => {
    results.push(r);
    say(
      `${r.ok ? '✔' : '✖'} ${r.name}: ${r.passed} of ${r.total} ${r.unit} passed, ${r.failed} ` +
        `failed${r.flaky ? `, ${r.flaky} flaky` : ''} (${r.seconds.toFixed(1)} s)`,
    );
  };
  // The parts inherit this environment, TARGET_FAULTS included: a bundled target started with faults
  // must fail the check. (A key set to undefined would delete the variable in the child.) Their logs
  // come back through pipes, where pino would choose JSON: the format is chosen here, for our stdout.
  const env: Record<string, string> = { LOG_FORMAT: partsLogFormat(s, process.stdout.isTTY === true) };

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
  if (parts.includes('explore')) {
    const seconds = s.EXPLORE_SECONDS ?? RELEASE_EXPLORE_SECONDS;
    say(`\n▶ explore: generated flows and inputs for ${seconds} s`);
    record(await runExplore({ env, reportsDir, seconds, onLine: show('explore') }));
  }

  const seconds = (performance.now() - t0) / 1000;
  const go = results.every((r) => r.ok);
  const history = appendHistory(reportsDir, {
    at: started.toISOString(),
    label,
    go,
    seconds: Math.round(seconds * 10) / 10,
    failed: results.reduce((n, r) => n + r.failed, 0),
    flaky: results.reduce((n, r) => n + r.flaky, 0),
    failedParts: results.filter((r) => !r.ok).map((r) => r.name),
  });
  const reportFile = join(reportsDir, 'index.html');
  writeReleaseReport(reportFile, {
    label,
    url: s.TARGET_URL ?? 'bundled reference target',
    startedAt: started,
    seconds,
    results,
    history,
    loadRuns: latestLoadRuns(reportsDir),
    exploration: parts.includes('explore') ? readFindings(reportsDir) : undefined,
    knownIssues,
  });
  say(`\n${summaryText(rowsOf(results))}\n`);
  // Drift is news, not a failure: one line per part that saw fields the contract does not know.
  for (const r of results.filter((x) => x.drift?.length)) say(`${r.name}: ${driftLine(r.drift!)}`);
  // Known issues: expected failures, said every time so they are never forgotten.
  for (const r of results.filter((x) => x.known))
    say(
      `${r.name}: ${r.known} known issue failure(s), expected: ` +
        `${[...new Set((r.knowns ?? []).map((f) => (f.message ?? '').split(':')[0]))].join(', ')}`,
    );
  if (knownIssues.length)
    say(`Known issues in force for this target: ${knownIssues.map((k) => k.id).join(', ')} (known-issues.json; see the report)`);
  for (const r of results.filter((x) => x.failures.length)) {
    say(`${r.name} failed:`);
    list(r.failures);
  }
  for (const r of results.filter((x) => x.flakes.length)) {
    say(`${r.name} flaky (failed, then passed on a retry):`);
    list(r.flakes);
  }
  const earlier = history.slice(0, -1).slice(-5).reverse();
  if (earlier.length) say(`Earlier checks (newest first): ${earlier.map(describeCheck).join(' · ')}`);
  say(
    `${go ? 'GO' : 'NO-GO'}: ${results.filter((r) => r.ok).length} of ${results.length} parts passed in ${seconds.toFixed(1)} ` +
      `s. Report: ${reportFile}`,
  );
  return go ? 0 : 1;
});
