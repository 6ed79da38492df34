// `npm run load -- <login|credits> [-e LOAD_PROFILE=load] [-e LOAD_RATE=500] [-e KEY=VALUE]...
//                  [-- <k6 flags, e.g. --out experimental-prometheus-rw>]`
// Node orchestrates, k6 executes: validates the settings, applies the safety gate, finds (or
// installs) the pinned k6, starts the bundled target when TARGET_URL is unset, runs the k6 script
// and exits with k6's code (0 passed, 99 thresholds crossed, 107 script error; 2 bad settings).
import { mkdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { namedAccount } from '../../core/accounts.ts';
import { TemporalClient } from '../../core/client.ts';
import { DetectionError, detectionLine, partGeneration } from '../../core/generation.ts';
import { TransportError } from '../../core/http.ts';
import { RateLimitedError } from '../../core/rate-limit.ts';
import { createLogger } from '../../core/logger.ts';
import { openInbox } from '../../core/mail/index.ts';
import { runMain, SettingsError, settingsEnv, targetLabel } from '../../core/settings.ts';
import { resolveTarget } from '../../core/target.ts';
import { terminalText } from '../../core/terminal.ts';
import { goChildTrust, type ChildTrust } from '../../core/trust.ts';
import { type AccountsFile, PoolError, prepareAccounts, privateAccountsFile, verifiedPool } from './accounts.ts';
import { runInstances } from './instances.ts';
import { k6OrSay, runReported } from './k6.ts';
import { testIdTag, validateLoadRun } from './settings.ts';

await runMain(async () => {
  const {
    script,
    settings: s,
    commandLine,
    k6Env,
    reportsDir,
    k6Extra,
    profile,
    criteria,
  } = validateLoadRun(process.argv.slice(2), settingsEnv());
  // `-e KEY=VALUE` is the environment for this run, as `KEY=VALUE npm run load` would be (the bundled
  // target reads its faults there).
  Object.assign(process.env, commandLine);
  const log = createLogger({ level: s.LOG_LEVEL, format: s.LOG_FORMAT, name: 'load' });
  // From here on a file may hold LOAD_PASSWORD: whatever happens next, it is removed.
  const accounts = prepareAccounts(s);
  let pool: AccountsFile | undefined;
  let target: Awaited<ReturnType<typeof resolveTarget>> | undefined;
  let trust: ChildTrust | undefined;
  try {
    const bin = await k6OrSay(s.K6_BIN);
    if (!bin) return 3;
    try {
      mkdirSync(reportsDir, { recursive: true });
    } catch (err) {
      throw new SettingsError([`REPORTS_DIR: cannot create the folder (${(err as NodeJS.ErrnoException).code ?? 'error'})`]);
    }

    // The bundled target logs every request at info; under load that would drown k6's output.
    const targetLog = createLogger({
      level: ['debug', 'trace'].includes(s.LOG_LEVEL) ? s.LOG_LEVEL : 'warn',
      format: s.LOG_FORMAT,
      name: 'target',
    });
    target = await resolveTarget(s, () => import('../../reference/bundled.ts'), targetLog);
    const api = new TemporalClient({ baseUrl: target.url, timeoutMs: s.HTTP_TIMEOUT_MS, maxBodyBytes: s.HTTP_MAX_BODY_BYTES });
    const inboxUrl = target.inboxUrl ?? s.MAIL_INBOX_URL;
    const inbox =
      inboxUrl && s.TARGET_GENERATION !== 'documented' ? openInbox(inboxUrl, s.HTTP_TIMEOUT_MS, s.HTTP_MAX_BODY_BYTES) : undefined;
    try {
      // The generation: given, the bundled target's, or told by the pool's first account (kept in the
      // pool when it can log in). Accounts given beforehand need no telling.
      const d = await partGeneration({
        settings: s,
        target,
        api,
        inbox,
        part: 'the load test',
        preVerified: 'LOAD_ACCOUNTS_FILE (or LOAD_USERNAME and LOAD_PASSWORD) with accounts verified beforehand',
        makesAccounts: accounts.path ? 'the accounts are given (LOAD_ACCOUNTS_FILE or LOAD_USERNAME)' : true,
        account: () => namedAccount('load', `${Date.now().toString(36)}-probe`, randomBytes(15).toString('base64url')),
      });
      if (s.TARGET_GENERATION === 'auto' && s.TARGET_URL) log.info({ requests: d.requests }, detectionLine(d));
      k6Env.TARGET_GENERATION = d.generation;
      if (d.generation === 'latest' && !accounts.path) {
        const started = performance.now();
        const probe = d.account?.usable ? [{ username: d.account.username, password: d.account.password }] : [];
        pool = privateAccountsFile([...probe, ...(await verifiedPool(api, inbox!, profile.poolSize - probe.length, s.MAIL_WAIT_S * 1000))]);
        log.info(
          { accounts: profile.poolSize, ms: Math.round(performance.now() - started) },
          'registered the pool and opened the link mailed to each account',
        );
      }
    } catch (err) {
      if (!(err instanceof PoolError || err instanceof RateLimitedError || err instanceof DetectionError || err instanceof TransportError))
        throw err;
      // What k6's setup() would have said: the run cannot start.
      process.stderr.write(`${terminalText(`load ${script}: setup failed: ${err.message}`)}\n`);
      return 107;
    } finally {
      await inbox?.close();
    }
    // k6 is Go: it trusts the target's CA through SSL_CERT_FILE, a bundle with the system's roots (core/trust.ts).
    trust = goChildTrust([target.caFile]);
    const tag = testIdTag(k6Extra, script, s.LOAD_PROFILE);
    log.info(
      { target: targetLabel(s), bundled: Boolean(target.bundled), reportsDir, testid: tag.testid, instances: s.LOAD_INSTANCES },
      `k6 ${profile.describe}`,
    );
    const result = await runReported({
      bin,
      script: `${script}.ts`,
      args: [...(process.stdout.isTTY ? [] : ['--quiet']), ...tag.args, ...k6Extra],
      env: { ...k6Env, TARGET_URL: target.url, LOAD_ACCOUNTS_FILE: pool?.path ?? accounts.path },
      reportsDir,
      profile: { name: profile.name, describe: profile.describe, durationS: profile.durationS },
      target: targetLabel(s),
      minChecksRate: criteria.minChecksRate,
      // LOAD_INSTANCES: k6 processes sharing the run by execution segment, as the k6-operator's runners.
      execute: s.LOAD_INSTANCES > 1 ? runInstances(s.LOAD_INSTANCES, script) : undefined,
      k6Env: trust.env,
    });
    const verdict = result.code === 0 ? 'passed' : result.code === 99 ? 'thresholds crossed' : 'k6 failed';
    log[result.code === 0 ? 'info' : 'error'](
      { exitCode: result.code, reports: result.runDir },
      `load ${script} ${s.LOAD_PROFILE}: ${verdict}`,
    );
    return result.code;
  } finally {
    accounts.cleanup();
    pool?.cleanup();
    trust?.cleanup();
    await target?.close();
  }
});
