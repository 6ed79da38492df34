// npm start: the pre-release run. Against TARGET_URL, or the bundled target
// when unset: the Playwright suite, the k6 smoke of login and credits, one monitor pass, a short
// exploration. Before them, once for all: the target's generation (TARGET_GENERATION=auto: told by one
// probe account, then passed to every part) and the plan held to the target's rate limit (shrunk to fit,
// or exit 3 before traffic). Progress as it goes, one summary table (with the requests each part used,
// against a rate-limited target), what failed and what was flaky in words, the trend of the last
// checks, one HTML report (reports/index.html). Exit 0 GO, 1 NO-GO (something failed), 3 INCONCLUSIVE
// (the target's rate limit cut it short, and nothing failed on its own).
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { namedAccount } from '../core/accounts.ts';
import { TemporalClient } from '../core/client.ts';
import {
  assumedGeneration,
  contradiction,
  type Detection,
  DetectionError,
  detectGeneration,
  detectionLine,
  knownGeneration,
} from '../core/generation.ts';
import { TransportError } from '../core/http.ts';
import { readCommandLine, type ProgramInfo } from '../core/cli.ts';
import { knownIssuesInForce } from '../core/known-issues.ts';
import { colourWanted } from '../core/logger.ts';
import { openInbox } from '../core/mail/index.ts';
import { VerificationError } from '../core/mail/verify.ts';
import { type RateLimit, RateLimitedError, whenWords } from '../core/rate-limit.ts';
import { redactText } from '../core/redact.ts';
import { urlHostname } from '../core/loopback.ts';
import { runMain, SettingsError, settingsEnv, targetLabel } from '../core/settings.ts';
import { terminalText } from '../core/terminal.ts';
import { lastCapacityLine } from '../load/capacity/report.ts';
import { listRuns } from '../load/runner/k6.ts';
import { causesText, groupCauses } from './causes.ts';
import { untrustedChainProblem } from './certificate-preflight.ts';
import { appendHistory, describeCheck } from './history.ts';
import { failedOnItsOwn, type Finding, type PartResult } from '../parts/result.ts';
import { readFindings, runExplore } from '../parts/explore.ts';
import { runLoad } from '../parts/load.ts';
import { runMonitor } from '../parts/monitor.ts';
import { runTests } from '../parts/tests.ts';
import { doesNotFit, fitPlan, grantLine, marginFor, type Plan, type PlanInput } from './plan.ts';
import { parseDurationS } from '../core/durations.ts';
import { driftLine, writeReleaseReport, type LoadRunLink } from './report.ts';
import {
  defaultParts,
  makesAccounts,
  partsLogFormat,
  RELEASE_EXPLORE_SECONDS,
  releaseProjects,
  releaseSettings,
  type ReleaseSettings,
  validateAllParts,
  validateRelease,
} from './settings.ts';
import { appendSummary, summaryMarkdown } from './summary.ts';
import { rowsOf, summaryText } from '../parts/table.ts';
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
  usage: [''],
  settings: releaseSettings,
  settingsNote:
    "and each part's own (npx playwright test: docs/tests.md; npm run load -- --help; npm run monitor -- --help; npm run explore -- --help)",
  exits:
    '0 GO, 1 NO-GO, 2 bad settings (every part is checked before the first request), ' +
    "3 INCONCLUSIVE or not started: the target's rate limit cut the run short, or the plan does not fit it",
  examples: [
    'npm start                                  # against the bundled reference target',
    'TARGET_URL=https://api.staging.example.com TARGET_ENV=staging npm start',
    'TARGET_FAULTS=token-1h npm start           # watch it catch a fault (NO-GO)',
    'RELEASE_PARTS=tests,monitor RELEASE_TEST_PROJECTS=smoke npm start',
  ],
  notes: ['Writes REPORTS_DIR/index.html and appends to REPORTS_DIR/release-history.jsonl.'],
} satisfies ProgramInfo;

readCommandLine(RELEASE_PROGRAM);

/** The probe, once for all parts: the generation (auto, or checked against the one given) and what
 *  the target's answers announce of its rate limit. A 429 already is exit 3; an answer that tells no
 *  generation leaves it as given (auto: documented), and the parts then say what broke. */
async function probe(
  s: ReleaseSettings,
  parts: readonly string[],
  say: (l: string) => void,
): Promise<{ d: Detection; api: TemporalClient }> {
  const api = new TemporalClient({ baseUrl: s.TARGET_URL!, timeoutMs: s.HTTP_TIMEOUT_MS, maxBodyBytes: s.HTTP_MAX_BODY_BYTES });
  const makes = makesAccounts(s, parts, settingsEnv());
  const given = knownGeneration(s);
  if (!makes) {
    // Nothing to tell by (no part makes an account): one request, for what the limit grants.
    await api.tokenUsername(undefined);
    return { d: given ?? assumedGeneration(`no part of this run makes an account (${parts.join(', ')})`), api };
  }
  const inbox = s.MAIL_INBOX_URL ? openInbox(s.MAIL_INBOX_URL, s.HTTP_TIMEOUT_MS, s.HTTP_MAX_BODY_BYTES) : undefined;
  try {
    const account = namedAccount('test', `${randomBytes(4).toString('hex')}-probe`, `Probe-${randomBytes(15).toString('base64url')}`);
    const d = await detectGeneration(api, { account, inbox, mailWaitMs: s.MAIL_WAIT_S * 1000 });
    if (!given) return { d, api };
    const against = contradiction(given.generation, d);
    if (against) say(against);
    return { d: given, api };
  } catch (err) {
    if (err instanceof VerificationError && err.stage === 'mail' && inbox)
      throw new SettingsError([
        `MAIL_INBOX_URL: the target is of the latest generation, and the probe account's mail did not come to ${inbox.label} ` +
          `(${err.message.replace(/^could not verify [^:]+: /, '')}): set MAIL_INBOX_URL to the inbox that catches the target's mail`,
      ]);
    if (!(err instanceof DetectionError || err instanceof TransportError)) throw err;
    say(`${err.message}; the parts run as ${given?.generation ?? 'documented'} and say what broke`);
    return { d: given ?? assumedGeneration('the probe failed'), api };
  } finally {
    await inbox?.close();
  }
}

/** What is left of the target's limit: one cheap request (GET token/username, no token: 401). */
async function look(api: TemporalClient): Promise<RateLimit | undefined> {
  try {
    await api.tokenUsername(undefined);
  } catch (err) {
    if (!(err instanceof RateLimitedError || err instanceof TransportError)) throw err;
  }
  return api.rateLimit;
}

await runMain(async () => {
  // Every part's settings, before any traffic; the bundled target's (TARGET_FAULTS) only when it is
  // the target: against TARGET_URL the reference target's modules are never loaded.
  const given = settingsEnv();
  const reference = given.TARGET_URL ? undefined : await import('../reference/settings.ts');
  const s = validateRelease(given, reference);
  // A certificate chain nobody here trusts is a setting (TARGET_CA_FILE), not a NO-GO: said before any request.
  const untrusted = await untrustedChainProblem(s);
  if (untrusted) throw new SettingsError([untrusted]);
  const chosen = defaultParts(s);
  const parts = chosen.parts;
  const reportsDir = resolve(s.REPORTS_DIR);
  const label = targetLabel(s);
  // What the parts print comes back through here: control characters escaped but their colours (core/terminal.ts).
  const say = (line: string) => process.stdout.write(`${terminalText(line, { colors: true })}\n`);
  const show = (part: string) => (line: string) => line.trim() && say(`  ${part.padEnd(7)} │ ${redactText(line)}`);
  const list = (items: Finding[], max = 10) => {
    for (const f of items.slice(0, max)) {
      say(`  - ${redactText(f.title)}`);
      for (const l of (f.message ?? '').split('\n').filter(Boolean).slice(0, 4)) say(`      ${l}`);
    }
    if (items.length > max) say(`  … and ${items.length - max} more (see the report)`);
  };
  const started = new Date();
  const t0 = performance.now();

  // The generation and the rate limit: the bundled target's own settings, or one probe of TARGET_URL.
  const bundledLimit = reference ? reference.parseTargetSettings(given).TARGET_RATE_LIMIT : undefined;
  let detection: Detection;
  let api: TemporalClient | undefined;
  if (s.TARGET_URL) {
    try {
      ({ d: detection, api } = await probe(s, parts, say));
    } catch (err) {
      if (!(err instanceof RateLimitedError)) throw err;
      say(`Not started: the probe ${err.message}`);
      return 3;
    }
  } else detection = knownGeneration(s)!;
  const generation = detection.generation;
  // With the generation told, each part's settings again: a latest target needs an inbox for the parts that make accounts.
  try {
    validateAllParts(parts, { ...given, TARGET_GENERATION: generation }, reference);
  } catch (err) {
    if (!(err instanceof SettingsError) || detection.how !== 'detected') throw err;
    throw new SettingsError(
      err.problems.map((p) => p.replace('but TARGET_GENERATION=latest,', `but the target is of the latest generation (${detection.why}),`)),
    );
  }
  const where =
    s.TARGET_URL ??
    `the bundled reference target (each part starts its own on a free loopback ` +
      `port${generation === 'latest' ? ', with a Mailpit next to it' : ''}${s.TARGET_TLS ? ', over https with a CA of its own' : ''}; ` +
      `faults: ${s.TARGET_FAULTS ?? 'none'}` +
      `${bundledLimit ? `; rate limit ${bundledLimit} requests per hour per client, each part's own` : ''})`;
  say(`Release check: ${label} — ${where}; generation: ${generation}${generation === 'latest' ? ' (e-mail verification mandatory)' : ''}`);
  if (detection.how === 'detected' || detection.how === 'assumed') say(detectionLine(detection));
  if ('skipped' in chosen && chosen.skipped) say(chosen.skipped);
  const knownIssues = knownIssuesInForce({ ...s, TARGET_GENERATION: generation });

  // The plan against what the target grants: shrunk to fit, or not started (exit 3).
  const input: PlanInput = {
    parts,
    projects: releaseProjects(s),
    generation,
    exploreRequests: s.EXPLORE_REQUESTS,
    ...(given.LOAD_RATE || given.LOAD_DURATION
      ? { loadFixed: { rate: Number(given.LOAD_RATE) || undefined, durationS: parseDurationS(given.LOAD_DURATION ?? '') } }
      : {}),
  };
  const grant: RateLimit | undefined =
    api?.rateLimit ??
    (bundledLimit
      ? { limit: bundledLimit, remaining: bundledLimit, windowS: 3600, windowGiven: true, from: ['TARGET_RATE_LIMIT'] }
      : undefined);
  let plan: Plan | undefined;
  if (grant?.remaining !== undefined) {
    say(grantLine(grant));
    const available = grant.remaining - marginFor(grant.remaining);
    // Each part has a bundled target of its own, with a window of its own; TARGET_URL's is shared.
    const fit = reference ? parts.map((p) => fitPlan({ ...input, parts: [p] }, available)) : [fitPlan(input, available)];
    const short = fit.find((f) => 'needs' in f);
    if (short && 'needs' in short) {
      say(doesNotFit(input, short, grant, available, s.TARGET_URL ? (urlHostname(s.TARGET_URL) ?? s.TARGET_URL) : 'the bundled target'));
      return 3;
    }
    const fitted = fit.map((f) => ('plan' in f ? f.plan : undefined)).filter((x): x is Plan => x !== undefined);
    plan = {
      costs: Object.assign({}, ...fitted.map((p) => p.costs)),
      smoke: fitted.find((p) => p.smoke)?.smoke,
      exploreRequests: fitted.find((p) => p.exploreRequests !== undefined)?.exploreRequests,
      notes: fitted.flatMap((p) => p.notes),
      total: fitted.reduce((n, p) => n + p.total, 0),
    };
    say(
      `plan: about ${plan.total} requests (${Object.entries(plan.costs)
        .map(([p, n]) => `${p} ${n}`)
        .join(', ')}) of the ${grant.remaining} granted`,
    );
    for (const n of plan.notes) say(n);
  }

  // What is tested, recorded with the verdict: one GET of the target's version answer, if it has one
  // (after the plan: a run that cannot fit sends nothing beyond its probe).
  const tested = await whatIsTested({
    targetUrl: s.TARGET_URL,
    targetVersion: s.TARGET_VERSION,
    timeoutMs: s.HTTP_TIMEOUT_MS,
    maxBodyBytes: s.HTTP_MAX_BODY_BYTES,
  });
  say(`Testing: ${redactText(testedText(tested))}`);

  const results: PartResult[] = [];
  // Less the version answer's GET just sent.
  let before = api && grant?.remaining !== undefined ? grant.remaining - 1 : undefined;
  const record = async (r: PartResult) => {
    // Requests used, as the target counted them: what is left now against what was left before.
    if (api && before !== undefined) {
      const now = (await look(api))?.remaining;
      if (now !== undefined && now <= before) r.requests = before - now - 1;
      before = now;
    }
    results.push(r);
    say(
      `${r.ok ? '✔' : r.rateLimited && !failedOnItsOwn(r) ? '◌' : '✖'} ${r.name}: ${r.passed} of ${r.total} ${r.unit} passed, ${r.failed} ` +
        `failed${r.flaky ? `, ${r.flaky} flaky` : ''} (${r.seconds.toFixed(1)} s${r.requests !== undefined ? `, ${r.requests} requests` : ''})`,
    );
  };
  /** Once the limit has cut a part short, the rest would only be refused too: they are left out. */
  const cutShort = () => results.some((r) => r.rateLimited);
  // The parts inherit this environment, TARGET_FAULTS included: a bundled target started with faults
  // must fail the check. (A key set to undefined would delete the variable in the child.) Their logs
  // come back through pipes, where pino would choose JSON: the format is chosen here, for our stdout.
  // The generation goes with it, told once here: no part probes again. Colour follows this terminal
  // (NO_COLOR, FORCE_COLOR): a part writing into a pipe would drop it.
  const env: Record<string, string> = {
    LOG_FORMAT: partsLogFormat(s, process.stdout.isTTY === true),
    TARGET_GENERATION: generation,
    ...(colourWanted(process.stdout) ? { FORCE_COLOR: '1' } : {}),
  };

  if (parts.includes('tests')) {
    const projects = releaseProjects(s);
    say(`\n▶ tests: Playwright projects ${projects.join(', ')}`);
    await record(await runTests({ env, reportsDir, projects, fullReports: true, onLine: show('tests') }));
  }
  if (parts.includes('load'))
    for (const script of ['login', 'credits'] as const) {
      if (cutShort()) break;
      say(`\n▶ load: k6 ${script}, smoke profile`);
      const smoke = plan?.smoke;
      await record(
        await runLoad({
          env,
          reportsDir,
          script,
          ...(smoke ? { rate: smoke.rate, duration: `${smoke.durationS}s` } : {}),
          onLine: show('load'),
        }),
      );
    }
  if (parts.includes('monitor') && !cutShort()) {
    say('\n▶ monitor: one pass');
    await record(await runMonitor({ env, reportsDir, onLine: show('monitor') }));
  }
  if (parts.includes('explore') && !cutShort()) {
    const seconds = s.EXPLORE_SECONDS ?? RELEASE_EXPLORE_SECONDS;
    say(
      `\n▶ explore: generated flows and inputs for ${seconds} s${plan?.exploreRequests ? `, at most ${plan.exploreRequests} requests` : ''}`,
    );
    await record(await runExplore({ env, reportsDir, seconds, requests: plan?.exploreRequests, onLine: show('explore') }));
  }
  const leftOut = parts.filter((p) => !results.some((r) => r.part === p));
  if (leftOut.length)
    say(
      `\nnot run: ${leftOut.join(', ')}: the target's rate limit cut the run short` +
        `${grant?.resetAtMs ? `; it grants more from ${whenWords(api?.rateLimit?.resetAtMs ?? grant.resetAtMs)}` : ''}`,
    );

  const seconds = (performance.now() - t0) / 1000;
  const go = results.every((r) => r.ok) && leftOut.length === 0;
  const failedOwn = results.filter(failedOnItsOwn);
  const inconclusive = !go && failedOwn.length === 0 && (cutShort() || leftOut.length > 0);
  const verdict = go ? 'GO' : inconclusive ? 'INCONCLUSIVE' : 'NO-GO';
  const causes = groupCauses(results);
  // Failures by what each part counts, never added up (a test is not a threshold).
  const failures: Record<string, number> = {};
  for (const r of results) if (r.failed) failures[r.unit] = (failures[r.unit] ?? 0) + r.failed;
  const history = appendHistory(reportsDir, {
    at: started.toISOString(),
    label,
    go,
    verdict,
    ...(inconclusive ? { inconclusive } : {}),
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
    exploration: parts.includes('explore') && results.some((r) => r.part === 'explore') ? readFindings(reportsDir) : undefined,
    knownIssues,
    verdict,
    causes,
    tested,
    inconclusive,
  });
  say(`\n${summaryText(rowsOf(results))}\n`);
  if (results.some((r) => r.requests !== undefined))
    say(
      `requests used: ${results.map((r) => `${r.name} ${r.requests ?? '?'}`).join(', ')}; ` +
        `${results.reduce((n, r) => n + (r.requests ?? 0), 0) + detection.requests + results.length + 1} in all with the probe, the version ` +
        `answer and the looks` +
        `${api?.rateLimit?.remaining !== undefined ? `, ${api.rateLimit.remaining} left` : ''}`,
    );
  // The plan rests on the declared costs (release/costs.ts): a part that used more says so.
  if (plan)
    for (const [part, planned] of Object.entries(plan.costs)) {
      const runs = results.filter((r) => r.part === part && r.requests !== undefined);
      const used = runs.reduce((n, r) => n + (r.requests ?? 0) + 1, 0);
      // A part the limit cut short may have been crowded out by another client: its count says nothing of its cost.
      if (used > (planned ?? 0) && !runs.some((r) => r.rateLimited))
        say(`${part}: used ${used} requests, ${planned} planned: its declared cost is low (release/costs.ts; npm run costs measures it)`);
    }
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
  // The last capacity search's knee for this target, beside the verdict (read from its reports, not run now).
  const capacity = lastCapacityLine(reportsDir, label);
  if (capacity) say(capacity);
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
  const ran = results.length + leftOut.length;
  const passedParts = `${results.filter((r) => r.ok).length} of ${ran} parts passed in ${seconds.toFixed(1)} s`;
  if (inconclusive)
    say(
      `INCONCLUSIVE: ${passedParts}; the target's rate limit cut the run short, and nothing failed on its own: run it again ` +
        `when the limit allows (or with fewer parts, RELEASE_PARTS). Report: ${reportFile}`,
    );
  else say(`${verdict}: ${passedParts}. Report: ${reportFile}`);
  return go ? 0 : inconclusive ? 3 : 1;
});
