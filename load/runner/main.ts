// `npm run load -- <login|credits> [--profile smoke|load|stress|spike|soak] [--rate N] [--duration 5m]
//                  [--pre-vus N] [--max-vus N] [--pool-size N] [-- <k6 flags, e.g. --out experimental-prometheus-rw>]`
// Node orchestrates, k6 executes: validates the settings, applies the safety gate, finds (or
// installs) the pinned k6, starts the bundled target when TARGET_URL is unset, runs the k6 script
// and exits with k6's code (0 passed, 99 thresholds crossed, 107 script error; 2 bad settings).
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { TemporalClient } from '../../core/client.ts';
import { createLogger } from '../../core/logger.ts';
import { missingInbox, openInbox } from '../../core/mail/index.ts';
import { loadSettings, parseSettings, runMain, SettingsError, targetLabel } from '../../core/settings.ts';
import { resolveTarget } from '../../core/target.ts';
import { ensureTool, ToolNotFound } from '../../core/go-tools.ts';
import { prepareAccounts, privateAccountsFile, type AccountsFile } from './accounts-file.ts';
import { PoolError, verifiedPool } from './pool.ts';
import { runReported } from './run-k6.ts';
import { FLAG_SETTINGS, K6_ENV_NAMES, k6PassThrough, loadSettingsShape, testIdTag } from './settings.ts';
import { buildProfile, ProfileError, type ScriptName } from '../lib/profiles.ts';
import { buildCriteria } from '../lib/thresholds.ts';
import { assertTargetAllowed, SafetyError } from '../lib/safety.ts';

const SCRIPTS: readonly ScriptName[] = ['login', 'credits'];
const USAGE =
  'usage: npm run load -- <login|credits> [--profile smoke|load|stress|spike|soak] [--rate N] [--duration 5m] [--pre-vus N] [--max-vus N] [--pool-size N] [-- <k6 flags>]';

const flagShape = {
  LOAD_PROFILE: loadSettingsShape.LOAD_PROFILE.unwrap().optional(),
  LOAD_RATE: loadSettingsShape.LOAD_RATE,
  LOAD_DURATION: loadSettingsShape.LOAD_DURATION,
  LOAD_PRE_VUS: loadSettingsShape.LOAD_PRE_VUS,
  LOAD_MAX_VUS: loadSettingsShape.LOAD_MAX_VUS,
  LOAD_POOL_SIZE: loadSettingsShape.LOAD_POOL_SIZE,
};

/** "RATE: expected ..." from the shared builders → named as the user set it. */
function asSettingsError(err: Error): SettingsError {
  const m = /^([A-Z0-9_]+): (.*)$/s.exec(err.message);
  if (!m) return new SettingsError([err.message]);
  const k6Name = m[1] as string;
  const entry = Object.entries(K6_ENV_NAMES).find(([, v]) => v === k6Name);
  const flag = entry && Object.entries(FLAG_SETTINGS).find(([, v]) => v === entry[0])?.[0];
  const name = entry ? `${entry[0]}${flag ? ` (--${flag})` : ''}` : k6Name;
  return new SettingsError([`${name}: ${m[2]}`]);
}

await runMain(async () => {
  // Everything after `--` is k6's (`-- --out experimental-prometheus-rw`).
  const argv = process.argv.slice(2);
  const cut = argv.indexOf('--');
  const k6Extra = cut < 0 ? [] : k6PassThrough(argv.slice(cut + 1));
  const { values, positionals } = parseArgs({
    args: cut < 0 ? argv : argv.slice(0, cut),
    allowPositionals: true,
    options: Object.fromEntries(Object.keys(FLAG_SETTINGS).map((f) => [f, { type: 'string' as const }])),
  });
  const script = positionals[0] as ScriptName | undefined;
  if (!script || !SCRIPTS.includes(script) || positionals.length > 1)
    throw new SettingsError([`script: expected login or credits, got '${positionals.join(' ')}'`, USAGE]);

  const fromEnv = loadSettings(loadSettingsShape);
  const fromFlags = parseSettings(
    flagShape,
    Object.fromEntries(Object.entries(FLAG_SETTINGS).map(([flag, name]) => [name, values[flag] as string | undefined])),
  );
  const s = { ...fromEnv, ...Object.fromEntries(Object.entries(fromFlags).filter(([, v]) => v !== undefined)) } as typeof fromEnv;

  // The gate first: nothing is started or sent before it passes.
  if (s.TARGET_URL) {
    try {
      assertTargetAllowed(s.TARGET_URL, s.CONFIRM_TARGET);
    } catch (err) {
      if (err instanceof SafetyError)
        throw new SettingsError([err.message.startsWith('TARGET_URL') ? err.message : `CONFIRM_TARGET: ${err.message}`]);
      throw err;
    }
  }
  // A latest target: the pool is made and verified here, which needs an inbox (or accounts given).
  const noInbox =
    s.LOAD_ACCOUNTS_FILE || s.LOAD_USERNAME
      ? undefined
      : missingInbox(s, 'the load test', 'LOAD_ACCOUNTS_FILE (or LOAD_USERNAME and LOAD_PASSWORD) with accounts verified beforehand');
  if (noInbox) throw new SettingsError([noInbox]);
  const reportsDir = resolve(s.REPORTS_DIR);
  const k6Env: Record<string, string | undefined> = {
    ...Object.fromEntries(Object.entries(K6_ENV_NAMES).map(([setting, k6Name]) => [k6Name, s[setting as keyof typeof K6_ENV_NAMES]])),
    CONFIRM_TARGET: s.CONFIRM_TARGET,
    TARGET_GENERATION: s.TARGET_GENERATION,
    HTTP_TIMEOUT_MS: String(s.HTTP_TIMEOUT_MS),
    TIME_TOLERANCE_S: String(s.TIME_TOLERANCE_S),
  };
  let profile: ReturnType<typeof buildProfile>;
  let criteria: ReturnType<typeof buildCriteria>;
  try {
    profile = buildProfile(script, k6Env);
    criteria = buildCriteria(script, k6Env);
  } catch (err) {
    if (err instanceof ProfileError) throw asSettingsError(err);
    throw err;
  }
  const log = createLogger({ level: s.LOG_LEVEL, format: s.LOG_FORMAT, name: 'load' });
  // From here on a file may hold LOAD_PASSWORD: whatever happens next, it is removed.
  const accounts = prepareAccounts(s);
  let pool: AccountsFile | undefined;
  let target: Awaited<ReturnType<typeof resolveTarget>> | undefined;
  try {
    let bin: string;
    try {
      bin = await ensureTool('k6', s.K6_BIN);
    } catch (err) {
      if (err instanceof ToolNotFound) {
        process.stderr.write(`${err.message}\n`);
        return 3;
      }
      throw err;
    }

    // The bundled target logs every request at info; under load that would drown k6's output.
    const targetLog = createLogger({
      level: ['debug', 'trace'].includes(s.LOG_LEVEL) ? s.LOG_LEVEL : 'warn',
      format: s.LOG_FORMAT,
      name: 'target',
    });
    target = await resolveTarget(s, targetLog);
    if (s.TARGET_GENERATION === 'latest' && !accounts.path) {
      const inbox = openInbox((target.inboxUrl ?? s.MAIL_INBOX_URL)!, s.HTTP_TIMEOUT_MS);
      const started = performance.now();
      try {
        pool = privateAccountsFile(
          await verifiedPool(
            new TemporalClient({ baseUrl: target.url, timeoutMs: s.HTTP_TIMEOUT_MS }),
            inbox,
            profile.poolSize,
            s.MAIL_WAIT_S * 1000,
          ),
        );
        log.info(
          { accounts: profile.poolSize, ms: Math.round(performance.now() - started) },
          'registered the pool and opened the link mailed to each account',
        );
      } catch (err) {
        if (!(err instanceof PoolError)) throw err;
        // What k6's setup() would have said: the run cannot start.
        process.stderr.write(`load ${script}: setup failed: ${err.message}\n`);
        return 107;
      } finally {
        await inbox.close();
      }
    }
    const tag = testIdTag(k6Extra, script, s.LOAD_PROFILE);
    log.info({ target: targetLabel(s), bundled: Boolean(target.bundled), reportsDir, testid: tag.testid }, `k6 ${profile.describe}`);
    const result = await runReported({
      bin,
      script: `${script}.ts`,
      args: [...(process.stdout.isTTY ? [] : ['--quiet']), ...tag.args, ...k6Extra],
      env: { ...k6Env, TARGET_URL: target.url, ACCOUNTS_FILE: pool?.path ?? accounts.path },
      reportsDir,
      profile: { name: profile.name, describe: profile.describe, durationS: profile.durationS },
      target: targetLabel(s),
      minChecksRate: criteria.minChecksRate,
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
    await target?.close();
  }
});
