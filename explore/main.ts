// npm run explore — property-based exploration of the account flow against TARGET_URL (or the bundled
// target): generated flows and inputs, minimal counterexamples, one finding per root cause. Exit 0 when
// nothing new was found (known issues listed in known-issues.json may happen), 1 when something new
// was found, a listed issue no longer happens or the run was cut short, 2 for bad settings.
//   --first            stop at the first new finding, unshrunk (the detection matrix asks only "caught or not")
//   --only a,b         run only these scenarios (tokens, register, login, round-trip, flow)
import { randomBytes, randomInt } from 'node:crypto';
import { accountName } from '../core/accounts.ts';
import { knownIssuesInForce } from '../core/known-issues.ts';
import { openInbox } from '../core/mail/index.ts';
import { OutboxInbox } from '../core/mail/outbox.ts';
import { isLoopbackUrl } from '../core/loopback.ts';
import { redactText } from '../core/redact.ts';
import { parseCommandLine, type ProgramInfo } from '../core/cli.ts';
import { runMain, SettingsError, settingsEnv, targetLabel } from '../core/settings.ts';
import { resolveTarget } from '../core/target.ts';
import { terminalText } from '../core/terminal.ts';
import { namedAccount } from '../core/accounts.ts';
import { assumedGeneration, bundledGeneration, type Detection, DetectionError, detectionLine, partGeneration } from '../core/generation.ts';
import { TransportError } from '../core/http.ts';
import { RateLimitedError } from '../core/rate-limit.ts';
import { PROPERTY_NAMES } from './properties.ts';
import { type ExploreResult, explore, parseCounterexample, SCENARIOS } from './explorer.ts';
import { textReport, toFile, writeFindings } from './report.ts';
import { exploreSettings, upgradeAllowed, validateExploreSettings } from './settings.ts';
import { World } from './world.ts';

/** A verification mail that has not come in this long is a finding, not a wait: shrinking one would
 *  otherwise cost MAIL_WAIT_S per candidate (MAIL_WAIT_S when it is lower). */
const EXPLORE_MAIL_WAIT_S = 10;
/** Against another machine, at most this many requests a second: exploring is never load. */
const REMOTE_GAP_MS = 200;

const EXPLORE_PROGRAM = {
  command: 'npm run explore',
  summary: 'property-based exploration of the account flow: generated flows and inputs, minimal counterexamples, one finding per cause',
  usage: ['[-- --only <a,b>] [--first]'],
  options: {
    only: { type: 'string', value: 'a,b', description: `run only these scenarios (${SCENARIOS.map((x) => x.name).join(', ')})` },
    first: { type: 'boolean', description: 'stop at the first new finding, unshrunk (what the detection matrix asks)' },
  },
  settings: exploreSettings,
  exits: '0 nothing new (listed known issues may happen), 1 a new finding, a listed one fixed or the run cut short, 2 bad settings',
  examples: [
    'EXPLORE_SECONDS=15 EXPLORE_RUNS=5 npm run explore',
    'TARGET_FAULTS=plus-email-accepted EXPLORE_SEED=15 npm run explore -- --only register',
    'TARGET_URL=https://api.staging.example.com ALLOW_EXPLORE=true EXPLORE_SECONDS=300 npm run explore',
  ],
  notes: ['Findings: stdout and REPORTS_DIR/explore/findings.json; every run prints the seed that replays it.'],
} satisfies ProgramInfo;
/** The result of a run that never began: the probe that tells the generation was refused or got no answer. */
const stoppedAtTheProbe = (seed: number, why: string): ExploreResult => ({
  seed,
  findings: [],
  fixed: [],
  scenarios: [],
  verdicts: PROPERTY_NAMES.map((property) => ({ property, failed: false, known: 0 })),
  covered: [],
  corpus: { inputs: 0, seconds: 0 },
  stopped: why,
});

await runMain(async () => {
  const { values } = parseCommandLine(EXPLORE_PROGRAM, process.argv.slice(2));
  const env = settingsEnv();
  // The bundled target's settings (TARGET_FAULTS included) are refused here, before any traffic; its
  // module is loaded only then: a run against TARGET_URL never loads the reference target.
  const reference = env.TARGET_URL ? undefined : await import('../reference/settings.ts');
  const s = validateExploreSettings(env, reference?.faultProblems);
  reference?.parseTargetSettings(env);
  const only = values.only?.split(',').map((x) => x.trim());
  const unknown = only?.filter((x) => !SCENARIOS.some((sc) => sc.name === x)) ?? [];
  if (unknown.length || (only && only.length === 0))
    throw new SettingsError([`--only: expected scenario names from ${SCENARIOS.map((x) => x.name).join(', ')} (got '${values.only}')`]);
  // A broken known-issues list (KNOWN_ISSUES_FILE, or the harness's own) is a settings problem: said
  // before any traffic, a counterexample that cannot be replayed included.
  for (const k of knownIssuesInForce(s).filter((x) => x.property))
    try {
      parseCounterexample(k.counterexample ?? '');
    } catch (err) {
      throw new SettingsError([`KNOWN_ISSUES_FILE: the entry ${k.id}: ${(err as Error).message}`]);
    }
  const seed = s.EXPLORE_SEED ?? randomInt(2 ** 31);
  const runId = randomBytes(4).toString('hex').slice(0, 6);
  // Findings quote the target: redacted, and control characters shown escaped (core/terminal.ts).
  const say = (line: string) => process.stdout.write(`${terminalText(redactText(line))}\n`);

  const resolved = await resolveTarget(s, () => import('../reference/bundled.ts'));
  const inboxUrl = resolved.inboxUrl ?? s.MAIL_INBOX_URL;
  const inbox =
    s.TARGET_GENERATION !== 'documented' && inboxUrl ? openInbox(inboxUrl, s.HTTP_TIMEOUT_MS, s.HTTP_MAX_BODY_BYTES) : undefined;
  const world = new World({
    baseUrl: resolved.url,
    generation: bundledGeneration(s.TARGET_GENERATION),
    upgradeAllowed: upgradeAllowed(s),
    strict: s.CONTRACT_STRICT,
    timeoutMs: s.HTTP_TIMEOUT_MS,
    maxBodyBytes: s.HTTP_MAX_BODY_BYTES,
    inbox,
    mailWaitMs: Math.min(s.MAIL_WAIT_S, EXPLORE_MAIL_WAIT_S) * 1000,
    runId,
    minGapMs: s.TARGET_URL && !isLoopbackUrl(s.TARGET_URL) ? REMOTE_GAP_MS : 0,
    maxRequests: s.EXPLORE_REQUESTS,
  });
  const where = s.TARGET_URL ?? `the bundled reference target (faults: ${resolved.faults ?? 'none'})`;
  const startedAt = new Date();
  const t0 = performance.now();
  let result: ExploreResult | undefined;
  try {
    // The generation: given, the bundled target's, or told by the first account it makes (its
    // requests count in the budget). A target that answers the probe with its rate limit, or not at
    // all, stops the run here, saying so.
    let detection: Detection;
    try {
      detection = await partGeneration({
        settings: s,
        target: resolved,
        api: world.api,
        inbox,
        part: 'the explorer',
        makesAccounts: true,
        account: () => namedAccount('test', `${runId}-probe`, `${world.secretPart()}${randomBytes(9).toString('hex')}`),
      });
    } catch (err) {
      if (!(err instanceof RateLimitedError || err instanceof DetectionError || err instanceof TransportError)) throw err;
      detection = assumedGeneration('the probe failed');
      result = stoppedAtTheProbe(seed, err.message);
    }
    world.generation = detection.generation;
    if (!s.TARGET_URL || s.TARGET_GENERATION === 'auto') say(detectionLine(detection));
    say(`Exploring ${targetLabel(s)} — ${where}; generation ${world.generation}`);
    say(
      `seed ${seed} (EXPLORE_SEED=${seed} replays it), run id ${runId} (accounts hx-${runId}-…), budget ${s.EXPLORE_RUNS} inputs / ` +
        `${s.EXPLORE_SECONDS} s${s.EXPLORE_REQUESTS ? ` / ${s.EXPLORE_REQUESTS} requests` : ''}, scenarios ` +
        `${(only ?? SCENARIOS.map((x) => x.name)).join(', ')}`,
    );
    result ??= await explore(world, {
      seed,
      runs: s.EXPLORE_RUNS,
      seconds: s.EXPLORE_SECONDS,
      knownIssues: knownIssuesInForce({ ...s, TARGET_GENERATION: world.generation }),
      first: values.first === true,
      only,
      log: say,
    });
  } finally {
    // Accounts it left unverified (unusual addresses, links that do not verify) leave their mail in a
    // real server's outbox, a queue that outlives the run: this run's own is taken, nobody else's.
    if (inbox instanceof OutboxInbox)
      try {
        const n = await inbox.discardMine((u) => u.startsWith(accountName('test', `${runId}-`)));
        if (n) say(`took ${n} mail(s) of this run's unverified accounts from the outbox`);
      } catch (err) {
        say(`could not take this run's leftover mail from the outbox: ${(err as Error).message}`);
      }
    await inbox?.close();
    await resolved.close();
  }
  const seconds = (performance.now() - t0) / 1000;
  const file = toFile(result, {
    target: s.TARGET_URL ?? 'bundled reference target',
    generation: world.generation,
    runId,
    startedAt: startedAt.toISOString(),
    seconds,
    requests: world.requests,
    accounts: world.accounts,
    budget: { runs: s.EXPLORE_RUNS, seconds: s.EXPLORE_SECONDS, ...(s.EXPLORE_REQUESTS ? { requests: s.EXPLORE_REQUESTS } : {}) },
    drift: [...world.drift].sort(),
  });
  const path = writeFindings(s.REPORTS_DIR, file);
  say(textReport(file, path));
  const clean = !file.findings.some((f) => f.status === 'new') && file.fixed.length === 0 && !file.stopped;
  return clean ? 0 : 1;
});
