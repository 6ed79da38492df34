// npm start / npm run release-check: the pre-release run. Against TARGET_URL, or the bundled target
// when unset: the Playwright suite, the k6 smoke of login and credits, one monitor pass. Progress as
// it goes, one summary table, what failed and what was flaky in words, the trend of the last checks,
// one HTML report (reports/index.html), exit 1 if anything failed.
import { join, resolve } from 'node:path';
import { readCommandLine, type ProgramInfo } from '../core/cli.ts';
import { knownIssuesInForce } from '../core/known-issues.ts';
import { colourWanted } from '../core/logger.ts';
import { redactText } from '../core/redact.ts';
import { runMain, settingsEnv, targetLabel } from '../core/settings.ts';
import { listRuns } from '../load/runner/k6.ts';
import { causesText, groupCauses } from './causes.ts';
import { appendHistory, describeCheck } from './history.ts';
import { readFindings, runExplore, runLoad, runMonitor, runTests, type Finding, type PartResult } from './parts.ts';
import { driftLine, writeReleaseReport, type LoadRunLink } from './report.ts';
import { defaultParts, partsLogFormat, RELEASE_EXPLORE_SECONDS, releaseProjects, releaseSettings, validateRelease } from './settings.ts';
import { appendSummary, summaryMarkdown } from './summary.ts';
import { rowsOf, summaryText } from './table.ts';
import { testedText, whatIsTested } from './tested.ts';

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

const RELEASE_PROGRAM = {
  command: 'npm start',
  summary: 'the release check: the Playwright suite, the k6 smoke of login and credits, a monitor pass and an exploration; GO or NO-GO',
  usage: ['', '(the same: npm run release-check)'],
  settings: releaseSettings,
  settingsNote:
    "and each part's own (npx playwright test: docs/tests.md; npm run load -- --help; npm run monitor -- --help; npm run explore -- --help)",
  exits: '0 GO, 1 NO-GO, 2 bad settings (every part is checked before the first request)',
  examples: [
    'npm start                                  # against the bundled reference target',
    'TARGET_URL=https://api.staging.example.com TARGET_ENV=staging npm start',
    'TARGET_FAULTS=token-1h npm start           # watch it catch a fault (NO-GO)',
    'RELEASE_PARTS=tests,monitor RELEASE_TEST_PROJECTS=smoke npm start',
  ],
  notes: ['Writes REPORTS_DIR/index.html and appends to REPORTS_DIR/release-history.jsonl.'],
} satisfies ProgramInfo;

readCommandLine(RELEASE_PROGRAM);

await runMain(async () => {
  // Every part's settings, before any traffic; the bundled target's (TARGET_FAULTS) only when it is
  // the target: against TARGET_URL the reference target's modules are never loaded.
  const given = settingsEnv();
  const s = validateRelease(given, given.TARGET_URL ? undefined : await import('../reference/settings.ts'));
  const chosen = defaultParts(s);
  const parts = chosen.parts;
  const knownIssues = knownIssuesInForce(s);
  const reportsDir = resolve(s.REPORTS_DIR);
  const label = targetLabel(s);
  const where =
    s.TARGET_URL ??
    `the bundled reference target (each part starts its own on a free loopback ` +
      `port${s.TARGET_GENERATION === 'latest' ? ', with a Mailpit next to it' : ''}; faults: ${s.TARGET_FAULTS ?? 'none'})`;
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
  // What is tested, recorded with the verdict: one GET of the target's version answer, if it has one.
  const tested = await whatIsTested({
    targetUrl: s.TARGET_URL,
    targetVersion: s.TARGET_VERSION,
    timeoutMs: s.HTTP_TIMEOUT_MS,
    maxBodyBytes: s.HTTP_MAX_BODY_BYTES,
  });
  say(`Testing: ${redactText(testedText(tested))}`);
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
  // Colour follows this terminal (NO_COLOR, FORCE_COLOR): a part writing into a pipe would drop it.
  const env: Record<string, string> = {
    LOG_FORMAT: partsLogFormat(s, process.stdout.isTTY === true),
    ...(colourWanted(process.stdout) ? { FORCE_COLOR: '1' } : {}),
  };

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
  const verdict = go ? 'GO' : 'NO-GO';
  const causes = groupCauses(results);
  // Failures by what each part counts, never added up (a test is not a threshold).
  const failures: Record<string, number> = {};
  for (const r of results) if (r.failed) failures[r.unit] = (failures[r.unit] ?? 0) + r.failed;
  const history = appendHistory(reportsDir, {
    at: started.toISOString(),
    label,
    go,
    verdict,
    seconds: Math.round(seconds * 10) / 10,
    failures,
    flaky: results.reduce((n, r) => n + r.flaky, 0),
    failedParts: results.filter((r) => !r.ok).map((r) => r.name),
    causes: causes.slice(0, 5).map((c) => c.text),
    targetVersion: tested.targetVersion,
    servedVersion: 'version' in tested.served ? tested.served.version : undefined,
    harness: tested.harness ? `${tested.harness.commit}${tested.harness.changed ? '+changes' : ''}` : undefined,
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
    verdict,
    causes,
    tested,
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
  // What failed, once per cause across the parts (each failure's own words are in the report).
  if (causes.length) say(redactText(causesText(causes, `Why ${verdict}`)));
  for (const r of results.filter((x) => x.flakes.length)) {
    say(`${r.name} flaky (failed, then passed on a retry):`);
    list(r.flakes);
  }
  // GitHub Actions: the run's page gets the verdict, the causes and the table.
  if (s.GITHUB_STEP_SUMMARY)
    appendSummary(
      s.GITHUB_STEP_SUMMARY,
      summaryMarkdown({
        title: `Release check: ${label}`,
        verdict,
        ok: go,
        results,
        causes,
        tested,
        knownIssues: knownIssues.map((k) => k.id),
        report: reportFile,
      }),
    );
  const earlier = history.slice(0, -1).slice(-5).reverse();
  if (earlier.length) say(`Earlier checks (newest first): ${earlier.map(describeCheck).join(' · ')}`);
  say(
    `${verdict}: ${results.filter((r) => r.ok).length} of ${results.length} parts passed in ${seconds.toFixed(1)} ` +
      `s. Report: ${reportFile}`,
  );
  return go ? 0 : 1;
});
