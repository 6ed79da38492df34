// The Temporal v2 API tests. Projects (pick with --project=<name>):
//   smoke    production-safe: no new accounts; SMOKE_USERNAME/SMOKE_PASSWORD against a non-local target
//   flow     fresh accounts, the whole flow and each endpoint's rules (the default for staging)
//   upgrade  the irreversible upgrade; against a non-local target only with ALLOW_UPGRADE=true
// TARGET_URL unset: webServer starts the bundled reference target on a free loopback port.
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { defineConfig, type ReporterDescription } from '@playwright/test';
import { SettingsError } from './core/settings.ts';
import { loadTestSettings, targetInfo, tracesAllowed } from './fixtures/settings.ts';

function settingsOrExit() {
  try {
    return loadTestSettings();
  } catch (err) {
    if (err instanceof SettingsError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
}

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });

let s = settingsOrExit();
// This file is evaluated by the runner and again by every worker. Choices made here once (port,
// key, run id) are written into the environment, which the workers inherit, so all of them agree.
if (!s.TEST_RUN_ID) process.env.TEST_RUN_ID = Date.now().toString(36).slice(-6) + randomBytes(2).toString('hex');
if (!s.TARGET_URL) {
  if (!s.TEST_TARGET_PORT) process.env.TEST_TARGET_PORT = String(await freePort());
  // A known key for the bundled target lets tests forge validly signed expired tokens.
  if (!s.TARGET_JWT_KEY) process.env.TARGET_JWT_KEY = randomBytes(32).toString('hex');
}
s = settingsOrExit();
const target = targetInfo(s);

const reports = s.REPORTS_DIR;
const leakCheck: ReporterDescription = ['./fixtures/leak-check-reporter.ts'];
// Every run writes the HTML report (`npx playwright show-report reports/html` opens it). CI adds the
// blob report, which `npx playwright merge-reports --config merge.config.ts <blobs>` merges after a
// sharded run (--shard=1/4 ...), JUnit, and the JSON report the release check reads.
const reporter: ReporterDescription[] = [
  ['list'],
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
  // Tests are independent (each makes its own account), so they run in parallel; the flow story
  // is serial inside its own file.
  fullyParallel: true,
  workers: s.TEST_WORKERS ?? 2,
  forbidOnly: s.CI,
  // A retry in CI only: a test that passes on retry is reported as flaky, not hidden.
  retries: s.CI ? 1 : 0,
  timeout: 30_000,
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
  webServer: target.bundled
    ? {
        command: 'npx tsx reference/main.ts',
        wait: { stdout: /listening on/ },
        // The contract's lifetimes and a fresh in-memory store, whatever .env says for `npm run target`;
        // TARGET_FAULTS passes through (to watch a test catch a fault). TARGET_JWT_KEY reaches it through
        // the inherited environment, not this list: the json report copies the config, secrets included.
        env: {
          TARGET_PORT: String(s.TEST_TARGET_PORT),
          TARGET_HOST: '127.0.0.1',
          TARGET_DB: ':memory:',
          TARGET_TOKEN_LIFETIME_S: '86400',
          TARGET_MAX_REFRESH_S: '86400',
          TARGET_FAULTS: s.TARGET_FAULTS ?? '',
          LOG_LEVEL: 'warn',
          LOG_FORMAT: 'json',
        },
        reuseExistingServer: false,
        stdout: 'ignore',
        stderr: 'pipe',
        timeout: 30_000,
        gracefulShutdown: { signal: 'SIGTERM', timeout: 5_000 },
      }
    : undefined,
});
