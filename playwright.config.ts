// The Temporal v2 API tests. Projects (pick with --project=<name>):
//   smoke    production-safe: no new accounts; SMOKE_USERNAME/SMOKE_PASSWORD against a non-local target
//   flow     fresh accounts, the whole flow and each endpoint's rules (the default for staging)
//   upgrade  the irreversible upgrade; against a non-local target only with ALLOW_UPGRADE=true
// TARGET_URL unset: webServer starts the bundled reference target on a free loopback port, and for
// TARGET_GENERATION=latest a Mailpit next to it (the target's SMTP server, the tests' inbox); with
// TARGET_TLS=true it serves https, with a CA made here.
// TLS: the requests run in the workers, separate Node processes, which read NODE_EXTRA_CA_CERTS only as
// they start; the runner sets it here, before it starts them, to TARGET_CA_FILE (or the bundled
// target's CA), bundled with a NODE_EXTRA_CA_CERTS of the user's own when there is one.
import { randomBytes } from 'node:crypto';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { defineConfig, type ReporterDescription } from '@playwright/test';
import { freePort } from './core/ports.ts';
import { isSymlink } from './core/safe-write.ts';
import { SettingsError } from './core/settings.ts';
import { namedAccount } from './core/accounts.ts';
import { TemporalClient } from './core/client.ts';
import { assumedGeneration, type Detection, DetectionError, detectionLine, partGeneration } from './core/generation.ts';
import { TransportError } from './core/http.ts';
import { openInbox } from './core/mail/index.ts';
import { RateLimitedError } from './core/rate-limit.ts';
import { newPassword } from './fixtures/factories.ts';
import { accountMakingProjects, inboxProblem, loadTestSettings, SMOKE_ONLY, targetInfo, tracesAllowed } from './fixtures/settings.ts';
import { nodeChildTrust, trustCaFiles } from './core/trust.ts';

function exitOnBadSettings(problems: string[]): never {
  process.stderr.write(`${new SettingsError(problems).message}\n`);
  process.exit(2);
}

function settingsOrExit(checkFaults?: Parameters<typeof loadTestSettings>[0]) {
  try {
    return loadTestSettings(checkFaults);
  } catch (err) {
    if (err instanceof SettingsError) exitOnBadSettings(err.problems);
    throw err;
  }
}

/** The files in a folder (none when it is not there). */
const listed = (dir: string): string[] => {
  try {
    return readdirSync(dir).map((f) => join(dir, f));
  } catch {
    return [];
  }
};
/** The runner's probe (core/generation.ts): bad settings exit 2, a rate limit exit 3 before the tests;
 *  a target that answers the probe with an error runs as documented (its tests then say what broke). */
async function runnerGeneration(s: ReturnType<typeof settingsOrExit>, projects: string[]): Promise<Detection> {
  const making = accountMakingProjects(s, projects);
  const api = new TemporalClient({ baseUrl: s.TARGET_URL!, timeoutMs: s.HTTP_TIMEOUT_MS, maxBodyBytes: s.HTTP_MAX_BODY_BYTES });
  const inbox = s.MAIL_INBOX_URL ? openInbox(s.MAIL_INBOX_URL, s.HTTP_TIMEOUT_MS, s.HTTP_MAX_BODY_BYTES) : undefined;
  try {
    return await partGeneration({
      settings: s,
      target: {},
      api,
      inbox,
      part: making.length ? `the ${making.join(', ')} project${making.length > 1 ? 's' : ''}` : 'the tests',
      preVerified: SMOKE_ONLY,
      makesAccounts: making.length > 0 || 'only the smoke project runs, with SMOKE_USERNAME',
      account: () => namedAccount('test', `${process.env.TEST_RUN_ID}-probe`, newPassword()),
    });
  } catch (err) {
    if (err instanceof SettingsError) exitOnBadSettings(err.problems);
    if (err instanceof RateLimitedError) {
      process.stderr.write(`No tests were run: the generation probe's ${err.message}\n`);
      process.exit(3);
    }
    if (!(err instanceof DetectionError || err instanceof TransportError)) throw err;
    return assumedGeneration(err.message);
  } finally {
    await inbox?.close();
  }
}

/** The run's own Mailpit, its binary built if need be (the runner only). */
async function mailpitCommandLine([http, smtp]: readonly [number, number]): Promise<string> {
  const [{ ensureTool }, { mailpitArgs }] = await Promise.all([import('./core/go-tools.ts'), import('./core/mail/mailpit-process.ts')]);
  return [await ensureTool('mailpit'), ...mailpitArgs(http, smtp)].join(' ');
}

/** The projects asked for on the command line (`--project=x`, `--project x`); none = all of them. */
function projectsAsked(argv: readonly string[]): string[] {
  const out: string[] = [];
  argv.forEach((a, i) => {
    if (a.startsWith('--project=')) out.push(...a.slice('--project='.length).split(','));
    else if (a === '--project' && argv[i + 1]) out.push(argv[i + 1]!);
  });
  return out.length ? out : ['smoke', 'flow', 'upgrade'];
}

let s = settingsOrExit();
// The reference target is a test double: loaded (its fault catalog, its clean environment) only
// when it is the target.
const reference = s.TARGET_URL ? undefined : { ...(await import('./reference/settings.ts')), ...(await import('./reference/spawn.ts')) };
// This file is evaluated by the runner and again by every worker. Choices made here once (ports,
// key, run id) are written into the environment, which the workers inherit, so all of them agree.
const inRunner = process.env.TEST_WORKER_INDEX === undefined;
if (!s.TEST_RUN_ID) process.env.TEST_RUN_ID = Date.now().toString(36).slice(-6) + randomBytes(2).toString('hex');
if (!s.TARGET_URL) {
  if (!s.TEST_TARGET_PORT) {
    process.env.TEST_TARGET_PORT = String(await freePort());
    // The latest generation's accounts are verified by mail: a Mailpit of the run's own catches it.
    if (s.TARGET_GENERATION === 'latest') {
      const [http, smtp] = [await freePort(), await freePort()];
      process.env.TEST_MAILPIT = `${http},${smtp}`;
      process.env.MAIL_INBOX_URL = `http://127.0.0.1:${http}`;
    }
  }
  // A known key for the bundled target lets tests forge validly signed expired tokens.
  if (!s.TARGET_JWT_KEY) process.env.TARGET_JWT_KEY = randomBytes(32).toString('hex');
  // Its CA, made once, in the runner: the target signs with it, the workers trust it.
  if (s.TARGET_TLS && !s.TEST_TARGET_CA_DIR && inRunner) {
    const ca = (await import('./reference/tls.ts')).openTargetCa();
    process.once('exit', () => ca.close());
    process.env.TEST_TARGET_CA_DIR = ca.dir;
  }
}
s = settingsOrExit(reference?.faultProblems);
const bundledCaFile = s.TEST_TARGET_CA_DIR ? join(s.TEST_TARGET_CA_DIR, 'ca.pem') : undefined;
if (inRunner) {
  const trust = nodeChildTrust([s.TARGET_CA_FILE, bundledCaFile]);
  process.once('exit', () => trust.cleanup());
  Object.assign(process.env, trust.env);
  // The runner's own requests (a globalSetup, a reporter) trust the same, through fetch's dispatcher.
  await trustCaFiles([s.TARGET_CA_FILE, bundledCaFile]);
}
// TARGET_GENERATION=auto against a TARGET_URL: the runner tells it once, with one account of its own,
// and writes it into the environment the workers inherit, so all of them agree.
if (inRunner && s.TARGET_URL && s.TARGET_GENERATION === 'auto' && !process.argv.includes('--list')) {
  const d = await runnerGeneration(s, projectsAsked(process.argv));
  process.stderr.write(`${detectionLine(d)}\n`);
  process.env.TARGET_GENERATION = d.generation;
  s = settingsOrExit(reference?.faultProblems);
}
const target = targetInfo(s);
// Before any traffic: a latest target needs an inbox for the projects that make accounts.
const noInbox = inRunner ? inboxProblem(s, projectsAsked(process.argv)) : undefined;
if (noInbox) exitOnBadSettings([noInbox]);
const mailpit = s.TEST_MAILPIT;
// What passes through to the bundled target from the environment (read once: the rate limit, bcrypt's cost).
const bundledKnobs = reference?.loadTargetSettings();
// Only the runner starts the web servers: a worker neither runs the Mailpit command line nor loads what
// makes it (execa, a tenth of a second of every worker's start, and Playwright starts a worker after
// each failed test).
const mailpitCommand = mailpit && inRunner ? await mailpitCommandLine(mailpit) : 'mailpit';

const reports = s.REPORTS_DIR;
// Playwright's reporters write their files with plain writes, which follow a symbolic link: a link
// where one of them will write is removed first, never written through (core/safe-write.ts does the
// same for the harness's own files). The html report and test-results/ are folders Playwright empties.
const reportFiles = [`${reports}/junit.xml`, `${reports}/results.json`, ...listed(`${reports}/blob`)];
if (inRunner) for (const file of reportFiles.filter(isSymlink)) rmSync(file);
const leakCheck: ReporterDescription = ['./fixtures/leak-check-reporter.ts'];
// Every run writes the HTML report (`npx playwright show-report reports/html` opens it). CI adds the
// blob report, which `npx playwright merge-reports --config merge.config.ts <blobs>` merges after a
// sharded run (--shard=1/4 ...), JUnit, and the JSON report the release check reads.
// Under GitHub Actions, failures are annotations on the run and the changed files (the github reporter,
// in place of list: it prints the same failures).
const reporter: ReporterDescription[] = [
  s.GITHUB_ACTIONS ? ['github'] : ['list'],
  ['html', { outputFolder: `${reports}/html`, open: 'never' }],
  ...(s.CI
    ? ([
        ['blob', { outputDir: `${reports}/blob` }],
        ['junit', { outputFile: `${reports}/junit.xml` }],
        ['json', { outputFile: `${reports}/results.json` }],
      ] satisfies ReporterDescription[])
    : []),
  leakCheck, // last: it reads what the others wrote
];

export default defineConfig({
  testDir: 'tests',
  // Traces, error contexts and attachments go with the run's other reports, not into the repository.
  outputDir: `${reports}/test-results`,
  // Tests are independent (each makes its own account), so they run in parallel; the flow story is
  // one test with steps.
  fullyParallel: true,
  workers: s.TEST_WORKERS ?? 2,
  forbidOnly: s.CI,
  // A retry in CI only: a test that passes on retry is reported as flaky, not hidden.
  retries: s.CI ? 1 : 0,
  // Against a latest target a fixture may wait up to MAIL_WAIT_S for a verification mail.
  timeout: 30_000 + (s.TARGET_GENERATION === 'latest' ? s.MAIL_WAIT_S * 1000 : 0),
  reporter,
  use: {
    baseURL: target.baseUrl,
    // Traces hold every request in full: Authorization headers, passwords, tokens. Kept on failure
    // only against the bundled target this run started, with no SMOKE_PASSWORD: nothing real in them.
    // Not for every loopback target: a tunnel to production is loopback too. (The leak check also
    // scrubs every trace the run wrote.)
    trace: tracesAllowed(target) ? 'retain-on-failure' : 'off',
  },
  projects: [
    { name: 'smoke', testDir: 'tests/smoke' },
    { name: 'flow', testDir: 'tests/flow' },
    { name: 'upgrade', testDir: 'tests/upgrade' },
  ],
  webServer: reference
    ? [
        ...(mailpit
          ? [
              {
                // Without --database Mailpit keeps the mail in a temporary file it deletes when it stops.
                command: mailpitCommand,
                url: `http://127.0.0.1:${mailpit[0]}/readyz`,
                reuseExistingServer: false,
                stdout: 'ignore' as const,
                stderr: 'pipe' as const,
                timeout: 30_000,
                gracefulShutdown: { signal: 'SIGTERM' as const, timeout: 5_000 },
              },
            ]
          : []),
        {
          command: 'npx tsx reference/main.ts',
          wait: { stdout: /listening on/ },
          // The clean target spawnTarget starts (the contract's lifetimes, a fresh in-memory store),
          // whatever .env says for `npm run target`; TARGET_FAULTS and TARGET_GENERATION pass through
          // (to watch a test catch a fault). TARGET_JWT_KEY reaches it through the inherited
          // environment, not this list: the json report copies the config.
          env: {
            ...reference.CLEAN_TARGET_ENV,
            TARGET_PORT: String(s.TEST_TARGET_PORT),
            TARGET_FAULTS: s.TARGET_FAULTS ?? '',
            TARGET_GENERATION: s.TARGET_GENERATION,
            TARGET_SMTP_URL: mailpit ? `smtp://127.0.0.1:${mailpit[1]}` : '',
            // A rate limit asked for (npm start against its bundled targets, or by hand) passes through, as faults do.
            TARGET_RATE_LIMIT: String(bundledKnobs?.TARGET_RATE_LIMIT ?? ''),
            // Lowered by the self-tests (npm test's proofs need bcrypt's answers, not its CPU).
            TARGET_BCRYPT_COST: String(bundledKnobs?.TARGET_BCRYPT_COST ?? ''),
            TARGET_TLS: String(s.TARGET_TLS),
            TARGET_TLS_DIR: s.TEST_TARGET_CA_DIR ?? '',
          },
          reuseExistingServer: false,
          stdout: 'ignore',
          stderr: 'pipe',
          timeout: 30_000,
          gracefulShutdown: { signal: 'SIGTERM', timeout: 5_000 },
        },
      ]
    : undefined,
});
