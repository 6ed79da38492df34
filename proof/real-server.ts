// npm run test:real-server (the last step of npm test): the harness against the real server, built
// from its public source by the real-server kit (../shared/real-server beside this repository, or
// REAL_SERVER_KIT), in both of the kit's modes. First `-dev` (start.sh: Postgres, RabbitMQ, the API on
// loopback): every part in REAL_SERVER_PARTS against it with fresh accounts verified through its mail
// outbox (MAIL_INBOX_URL=amqp://…, TARGET_GENERATION=latest), one table. Then as deployed
// (REAL_SERVER_MODE=production: TLS with a private CA, the server's rate limit): `npm start` with only
// TARGET_URL, TARGET_CA_FILE and MAIL_INBOX_URL must say GO within the 600 requests an hour it grants
// (the requests each part used are printed), and with a limit of 60 it must stop with exit 3 before
// any traffic beyond its probe. Then the server is stopped again if this run started it (stop.sh), or
// put back in the mode it was found in. Known issues of the latest generation (known-issues.json) are
// expected failures; anything else fails the step.
// When the kit is absent (a user's clone), or cannot run here (not root, its packages missing), the
// step is skipped with one line saying why: it never fails a user's npm test.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { readCommandLine } from '../core/cli.ts';
import { knownIssuesInForce } from '../core/known-issues.ts';
import { OutboxInbox } from '../core/mail/outbox.ts';
import { redactText } from '../core/redact.ts';
import { runMain } from '../core/settings.ts';
import { terminalText } from '../core/terminal.ts';
import { exec } from '../core/exec.ts';
import { brokenRun, type PartResult } from '../parts/result.ts';
import { runConformance } from '../parts/conformance.ts';
import { runExplore } from '../parts/explore.ts';
import { runLoad } from '../parts/load.ts';
import { runMonitor } from '../parts/monitor.ts';
import { runTests } from '../parts/tests.ts';
import { PROJECTS } from '../parts/tests.ts';
import { rowsOf, summaryText } from '../parts/table.ts';
import { readRateLimit } from '../core/rate-limit.ts';
import { PROBE_COSTS } from '../release/costs.ts';
import { cannotRunHere, isUp, kitEnv, kitJwt, type KitMode, kitPlaces, parseStartLine, runningMode } from './real-server/kit.ts';
import { execaSync } from 'execa';
import { DEFAULT_KIT, realServerSettings, validateRealServer } from './real-server/settings.ts';

/** What the parts get to reach the running real server. */
export interface RealServerRun {
  env: Record<string, string>;
  reportsDir: string;
  /** A folder for this run's state (the monitor's database), removed at the end. */
  workDir: string;
  onLine: (line: string) => void;
}

export interface RealServerPart {
  /** The row's label in the table. */
  label: string;
  run(r: RealServerRun): Promise<PartResult>;
}

/** The explorer's budget against the real server: 20 inputs a scenario (bcrypt makes each register
 *  and login ~100 ms of its CPU), at most 150 s, one seed. */
export const REAL_SERVER_EXPLORE = { seed: 15, runs: 20, seconds: 150 };

/**
 * What runs against the real server, in order: one entry per part. Another part joins by adding its
 * entry here: it gets TARGET_URL,
 * TARGET_GENERATION=latest, MAIL_INBOX_URL, TARGET_JWT_KEY and its own REPORTS_DIR in `r.env`, and
 * returns a PartResult (parts/result.ts), which the table and the verdict read.
 */
export const REAL_SERVER_PARTS: RealServerPart[] = [
  {
    label: 'tests',
    // Every project, upgrade included: the server is on loopback and its accounts are throwaway.
    run: (r) =>
      runTests({ env: r.env, reportsDir: join(r.reportsDir, 'tests'), projects: [...PROJECTS], fullReports: true, onLine: r.onLine }),
  },
  { label: 'load', run: (r) => runLoad({ env: r.env, reportsDir: join(r.reportsDir, 'load'), script: 'login', onLine: r.onLine }) },
  { label: 'load', run: (r) => runLoad({ env: r.env, reportsDir: join(r.reportsDir, 'load'), script: 'credits', onLine: r.onLine }) },
  {
    label: 'monitor',
    // Two passes: the second finds the account and the token the first one kept (across runs).
    run: (r) =>
      runMonitor({
        env: { ...r.env, MONITOR_DB: join(r.workDir, 'monitor.db') },
        reportsDir: join(r.reportsDir, 'monitor'),
        passes: 2,
        gapMs: 1000,
        onLine: r.onLine,
      }),
  },
  { label: 'conformance', run: (r) => runConformance({ env: r.env, reportsDir: join(r.reportsDir, 'conformance'), onLine: r.onLine }) },
  {
    label: 'explore',
    // A bounded look with a fixed seed, so a run is repeatable: every finding must be a known issue
    // (known-issues.json, with its minimal counterexample); a new one fails the step, and a listed one
    // whose counterexample no longer fails is reported as fixed and fails it too.
    run: (r) =>
      runExplore({
        env: r.env,
        reportsDir: join(r.reportsDir, 'explore'),
        seed: REAL_SERVER_EXPLORE.seed,
        runs: REAL_SERVER_EXPLORE.runs,
        seconds: REAL_SERVER_EXPLORE.seconds,
        onLine: r.onLine,
      }),
  },
];

/** The run's own secrets (the signing key, the outbox's password), scrubbed from every line it prints. */
const secrets: string[] = [];
/** Every line goes out redacted: the kit's words and start.sh's line name the outbox as
 *  amqp://user:password@…, and a part's failure may quote what it was given. */
const say = (line: string) => process.stdout.write(`${terminalText(redactText(line, secrets), { colors: true })}\n`);

readCommandLine({
  command: 'npm run test:real-server',
  summary:
    "npm test's last step: builds and starts the real server from its public source (the real-server kit), runs every part " +
    'against it, and stops it again',
  usage: [''],
  settings: realServerSettings,
  exits: '0 every part passed (known issues expected) or the step was skipped (no kit, or it cannot run here), 1 a part failed',
  examples: ['npm run test:real-server', 'REAL_SERVER_KIT=/opt/real-server npm run test:real-server'],
  notes: ['Reports: REPORTS_DIR/real-server/. See docs/real-server.md.'],
});
/** The production runs: the limit the issue asks to hold (600 an hour) and one that cannot hold npm start (60). */
export const PRODUCTION = { limit: 600, tooLow: 60 };

/** Starts (or restarts, in `mode`) the kit's server: where it listens, or undefined after saying why not. */
async function startKit(
  kit: string,
  mode: KitMode,
): Promise<{ where: NonNullable<ReturnType<typeof parseStartLine>>; seconds: number } | undefined> {
  const started = await exec('bash', [join(kit, 'start.sh')], kitEnv(mode), {
    onLine: (l, stream) => stream === 'stderr' && say(`  kit     │ ${l}`),
  });
  const where = parseStartLine(started.stdout);
  if (where) secrets.push(decodeURIComponent(new URL(where.inboxUrl).password));
  if (started.code !== 0 || !where) {
    say(
      `✖ real server: start.sh (${mode.mode}) failed (exit ${started.code}) after ${started.seconds.toFixed(1)} s; its last words are above`,
    );
    return undefined;
  }
  say(`✔ ${started.stdout.trim()} (start.sh ${started.seconds.toFixed(1)} s)`);
  return { where, seconds: started.seconds };
}

/** What the server's limit has left for this client, read with curl (trusting the kit's CA): one request. */
function left(url: string, caFile: string): number | undefined {
  const r = execaSync('curl', ['-s', '-m', '5', '--cacert', caFile, '-D', '-', '-o', '/dev/null', `${url}/v2/account/token/username`], {
    reject: false,
  });
  const headers = Object.fromEntries(
    r.stdout
      .split(/\r?\n/)
      .map((l) => /^([\w-]+):\s*(.*)$/.exec(l))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => [m[1]!.toLowerCase(), m[2]!]),
  );
  return readRateLimit(headers)?.remaining;
}

/** One `npm start` against the kit in production mode, with only what a user gives for a staging. */
async function releaseCheckAsDeployed(
  where: NonNullable<ReturnType<typeof parseStartLine>>,
  o: { reportsDir: string; workDir: string; runId: string },
): Promise<{ code: number; seconds: number; stdout: string; used?: number }> {
  const caFile = where.caFile!;
  const before = left(where.url, caFile);
  const r = await exec(
    process.execPath,
    ['--import', 'tsx', 'release/check.ts'],
    {
      // What a user gives for a staging, and nothing else of the target's (no generation, no key).
      TARGET_URL: where.url,
      TARGET_CA_FILE: caFile,
      MAIL_INBOX_URL: where.inboxUrl,
      // Plumbing: this run's reports, state and account names (cleaned up after), JSON logs.
      REPORTS_DIR: o.reportsDir,
      MONITOR_DB: join(o.workDir, `monitor-${where.rateLimit}.db`),
      TEST_RUN_ID: o.runId,
      LOG_FORMAT: 'json',
      LOG_LEVEL: 'warn',
      TARGET_GENERATION: '',
      TARGET_JWT_KEY: '',
      TARGET_FAULTS: '',
      RELEASE_PARTS: '',
      EXPLORE_SECONDS: '',
      EXPLORE_REQUESTS: '',
      // The step's verdict must be repeatable: the explorer's seed is the -dev run's (a random one may
      // find a bug nobody has listed yet, which is the explorer's job, not this step's).
      EXPLORE_SEED: String(REAL_SERVER_EXPLORE.seed),
    },
    { onLine: (l) => l.trim() && !l.startsWith('  ') && say(`  npm start │ ${l}`) },
  );
  const after = left(where.url, caFile);
  return {
    code: r.code,
    seconds: r.seconds,
    stdout: r.stdout,
    ...(before !== undefined && after !== undefined ? { used: before - after - 1 } : {}),
  };
}

await runMain(async () => {
  const s = validateRealServer();
  const kit = resolve(s.REAL_SERVER_KIT ?? DEFAULT_KIT);
  if (!existsSync(join(kit, 'start.sh'))) {
    say(`real server: skipped: no real-server kit at ${kit} (it is not part of the repository; REAL_SERVER_KIT names one elsewhere)`);
    return 0;
  }
  const why = cannotRunHere();
  if (why) {
    say(`real server: skipped: ${why}`);
    return 0;
  }
  const t0 = performance.now();
  const places = kitPlaces(kit);
  // Found running: used, and left running in the mode it was in (a mode change restarts its API).
  const found = runningMode(places.workDir);
  const foundUrl = found?.mode === 'production' ? places.apiUrl.replace(/^http:/, 'https:') : places.apiUrl.replace(/^https:/, 'http:');
  const wasUp = found && isUp(foundUrl, places.caFile) ? found : undefined;
  say(`Real server: the kit at ${kit}${wasUp ? ` (already running at ${foundUrl}, ${wasUp.mode} mode: it is used and left running)` : ''}`);
  const dev = await startKit(kit, { mode: 'dev', rateLimit: PRODUCTION.limit });
  if (!dev) return 1;
  const { where } = dev;

  const reportsDir = resolve(s.REPORTS_DIR, 'real-server');
  rmSync(reportsDir, { recursive: true, force: true });
  mkdirSync(reportsDir, { recursive: true });
  const workDir = mkdtempSync(join(tmpdir(), 'hx-real-server-'));
  const jwt = kitJwt(kit);
  secrets.push(jwt.key);
  const env: Record<string, string> = {
    TARGET_URL: where.url,
    TARGET_ENV: 'real-server',
    TARGET_GENERATION: 'latest',
    MAIL_INBOX_URL: where.inboxUrl,
    TARGET_JWT_KEY: jwt.key,
    TARGET_FAULTS: '',
    // Fresh accounts: a run id of its own in every name the tests make.
    TEST_RUN_ID: `rs${randomBytes(4).toString('hex')}`,
    LOG_LEVEL: 'warn',
    LOG_FORMAT: 'json',
  };
  const generation = { TARGET_GENERATION: 'latest' as const, TARGET_URL: where.url };
  const inForce = knownIssuesInForce({ ...generation, KNOWN_ISSUES_FILE: s.KNOWN_ISSUES_FILE });
  say(`Known issues in force for it: ${inForce.map((k) => k.id).join(', ') || 'none'}`);

  const results: PartResult[] = [];
  const production: { label: string; ok: boolean; line: string }[] = [];
  try {
    for (const part of REAL_SERVER_PARTS) {
      say(`\n▶ ${part.label}`);
      let r: PartResult;
      try {
        r = await part.run({ env, reportsDir, workDir, onLine: (l) => l.trim() && say(`  ${part.label.padEnd(7)} │ ${l}`) });
      } catch (err) {
        r = brokenRun(part.label, part.label, 0, `the part itself failed: ${(err as Error).message}`);
      }
      results.push(r);
      say(
        `${r.ok ? '✔' : '✖'} ${r.name}: ${r.passed} of ${r.total} ${r.unit} passed${r.known ? `, ${r.known} known` : ''}, ` +
          `${r.failed} failed, ${r.skipped} skipped (${r.seconds.toFixed(1)} s)`,
      );
    }

    // As deployed: TLS with the kit's CA and its rate limit. npm start, as a user points it at a staging.
    for (const limit of [PRODUCTION.limit, PRODUCTION.tooLow]) {
      say(`\n▶ npm start against the server as deployed (production mode, rate limit ${limit} requests per hour)`);
      const prod = await startKit(kit, { mode: 'production', rateLimit: limit });
      if (!prod?.where.caFile) {
        production.push({ label: `production ${limit}/h`, ok: false, line: 'start.sh did not start it in production mode' });
        continue;
      }
      const r = await releaseCheckAsDeployed(prod.where, {
        reportsDir: join(reportsDir, `production-${limit}`),
        workDir,
        runId: env.TEST_RUN_ID!,
      });
      const verdict = /^(GO|NO-GO|INCONCLUSIVE|Not started)\b.*$/m.exec(r.stdout)?.[0] ?? `exit ${r.code}`;
      const perPart = /^requests used: (.*)$/m.exec(r.stdout)?.[1];
      const used = r.used === undefined ? '' : `; ${r.used} requests in all, as the server counted them`;
      if (limit === PRODUCTION.limit) {
        const ok = r.code === 0 && r.used !== undefined && r.used <= limit;
        production.push({
          label: `production ${limit}/h`,
          ok,
          line: `npm start: exit ${r.code}, ${verdict.split('. Report')[0]} (${r.seconds.toFixed(1)} s${used})${perPart ? `\n    requests used: ${perPart}` : ''}`,
        });
      } else {
        // It must stop before any traffic beyond its probe: the probe (PROBE_COSTS.latest requests at most) and nothing else.
        const ok = r.code === 3 && /^Not started/m.test(r.stdout) && r.used !== undefined && r.used <= PROBE_COSTS.latest;
        production.push({
          label: `production ${limit}/h`,
          ok,
          line: `npm start: exit ${r.code} (${r.seconds.toFixed(1)} s${used}): ${verdict}`,
        });
      }
    }
  } finally {
    rmSync(workDir, { recursive: true, force: true });
    // The tests register a few accounts they never verify: their mail is this run's to take, not to
    // leave piling up in a queue that outlives the run (everyone else's stays).
    const outbox = new OutboxInbox(where.inboxUrl);
    try {
      const n = await outbox.discardMine((u) => u.startsWith(`hx-${env.TEST_RUN_ID}-`));
      if (n) say(`took ${n} mail(s) of this run's own unverified accounts from the outbox`);
    } catch (err) {
      say(`could not take this run's leftover mail from the outbox: ${(err as Error).message}`);
    } finally {
      await outbox.close();
    }
    if (wasUp) await startKit(kit, wasUp);
    else {
      const stopped = await exec('bash', [join(kit, 'stop.sh')], {});
      say(`${stopped.code === 0 ? '✔' : '✖'} ${stopped.stdout.trim() || 'stop.sh'} (stop.sh ${stopped.seconds.toFixed(1)} s)`);
    }
  }

  const ok = results.every((r) => r.ok) && production.every((p) => p.ok);
  say(`\nWhat ran against the real server (${where.url}, generation latest, -dev):\n${summaryText(rowsOf(results))}\n`);
  for (const r of results.filter((x) => x.knowns?.length)) {
    say(
      `${r.name}: ${
        r.part === 'conformance'
          ? 'known differences (kept on purpose, docs/real-server.md "Known differences")'
          : 'known issues (expected failures)'
      }:`,
    );
    for (const k of [...new Set(r.knowns!.map((f) => (f.message ?? '').split(' (known since')[0]!))]) say(`  - ${k}`);
  }
  for (const r of results.filter((x) => x.failures.length)) {
    say(`${r.name} failed:`);
    for (const f of r.failures.slice(0, 10)) {
      say(`  - ${f.title}`);
      for (const l of (f.message ?? '').split('\n').filter(Boolean).slice(0, 4)) say(`      ${l}`);
    }
  }
  say("As deployed (TLS with the kit's CA, its rate limit), npm start with only TARGET_URL, TARGET_CA_FILE and MAIL_INBOX_URL:");
  for (const p of production) say(`${p.ok ? '✔' : '✖'} ${p.label}: ${p.line}`);
  const seconds = (performance.now() - t0) / 1000;
  say(
    `${ok ? '✔' : '✖'} real server: ${results.filter((r) => r.ok).length} of ${results.length} parts passed (-dev), ` +
      `${production.filter((p) => p.ok).length} of ${production.length} production runs as expected, in ` +
      `${seconds.toFixed(1)} s (start ${dev.seconds.toFixed(1)} s). Reports: ${reportsDir}`,
  );
  return ok ? 0 : 1;
});
