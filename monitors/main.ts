// npm run monitor            — the service: passes on MONITOR_SCHEDULE, /metrics, /healthz, status page.
// npm run monitor -- --once  — one pass, a summary table (or --json), exit 0 passed / 1 failed / 2 bad settings.
// npm run monitor -- --forget-tokens — drops the kept tokens (after an intended key rotation).
import pino from 'pino';
import { createLogger } from '../core/logger.ts';
import { runMain, SettingsError, settingsEnv, targetLabel } from '../core/settings.ts';
import { resolveTarget } from '../core/target.ts';
import { Monitor } from './monitor.ts';
import { validateMonitorSettings } from './settings.ts';
import { MonitorState } from './state.ts';
import { summaryJson, summaryTable } from './summary.ts';

const USAGE = `usage: npm run monitor [-- --once [--json] | --forget-tokens | --help]
  (no flag)        run as a service: passes on MONITOR_SCHEDULE, serves /metrics, /healthz and the status page on MONITOR_PORT
  --once           run one pass, print a summary, exit 0 (all passed), 1 (a check failed), 2 (bad settings),
                   3 (throttled: the target's rate limit answered 429; nobody is paged)
  --json           with --once: print the result as JSON
  --forget-tokens  forget the tokens kept for the across-runs check (after an intended signing-key rotation)
Settings: see docs/monitor.md and .env.example.`;

/** The URL as shown to people: without any user:password part. */
const shownUrl = (u: string): string => {
  const url = new URL(u);
  url.username = '';
  url.password = '';
  return url.toString().replace(/\/$/, '');
};

runMain(async () => {
  const args = new Set(process.argv.slice(2));
  const known = ['--once', '--json', '--forget-tokens', '--help', '-h'];
  const unknown = [...args].filter((a) => !known.includes(a));
  if (args.has('--help') || args.has('-h') || unknown.length) {
    (unknown.length ? process.stderr : process.stdout).write(`${unknown.length ? `unknown option ${unknown.join(' ')}\n` : ''}${USAGE}\n`);
    return unknown.length ? 2 : 0;
  }
  const s = validateMonitorSettings(settingsEnv());
  const once = args.has('--once');
  const targetKey = s.TARGET_URL ?? 'bundled';
  // An unusable state file is a settings problem: say which setting, exit 2, before any traffic.
  let state: MonitorState;
  try {
    state = new MonitorState(s.MONITOR_DB);
  } catch (err) {
    throw new SettingsError([`MONITOR_DB: cannot open the state file '${s.MONITOR_DB}' (${(err as Error).message})`]);
  }

  if (args.has('--forget-tokens')) {
    const n = state.keptTokens(targetKey).length;
    state.forgetTarget(targetKey);
    state.close();
    process.stdout.write(`forgot ${n} kept token(s) and the dedicated account of ${targetKey}\n`);
    return 0;
  }

  // One-shot: stdout is the summary, so logs go to stderr.
  const logger = createLogger({
    level: s.LOG_LEVEL,
    format: s.LOG_FORMAT,
    name: 'monitor',
    ...(once ? { destination: pino.destination(2) } : {}),
  });
  const target = await resolveTarget(s, logger);
  // One history per TARGET_ENV (else per target); a bundled target with faults switched on gets its
  // own, so a fault-injected release check never mixes into the clean history or its alerts.
  const faults = target.faults ? `+faults:${target.faults}` : '';
  const label = targetLabel(s) + faults;
  const timeline = (s.TARGET_ENV ?? targetKey) + faults;
  if (s.TARGET_ENV && !faults && state.passCount(timeline) === 0 && state.passCount(targetKey) > 0) {
    const n = state.renameTimeline(targetKey, timeline);
    logger.info({ passes: n }, `history of ${shownUrl(target.url)} is now kept as TARGET_ENV=${s.TARGET_ENV}`);
  }
  const monitor = new Monitor({
    settings: s,
    state,
    url: target.url,
    inboxUrl: target.inboxUrl ?? s.MAIL_INBOX_URL,
    targetKey,
    timeline,
    targetLabel: label,
    logger,
    // A one-shot run's metrics go to a Pushgateway or nowhere: without one, prom-client is not loaded.
    metrics: !once || s.MONITOR_PUSHGATEWAY_URL !== undefined,
    processMetrics: !once,
  });

  if (once) {
    try {
      const { pass, delivery } = await monitor.pass();
      const warning = monitor.budgetWarning;
      process.stdout.write(
        args.has('--json') ? summaryJson(pass, shownUrl(target.url), warning) : summaryTable(pass, shownUrl(target.url), warning),
      );
      // Bounded by MONITOR_ALERT_TIMEOUT_MS; what is not delivered stays owed for the next run.
      await delivery;
      if (s.MONITOR_PUSHGATEWAY_URL) await monitor.metrics.push(s.MONITOR_PUSHGATEWAY_URL, logger);
      return pass.status === 'pass' ? 0 : pass.status === 'throttled' ? 3 : 1;
    } finally {
      await monitor.stop();
      await target.close();
    }
  }

  // The service's parts (HTTP server, schedule) are loaded only by the service, not by a one-shot run.
  const { startService } = await import('./service.ts');
  const service = await startService({ monitor, schedule: s.MONITOR_SCHEDULE, host: s.MONITOR_HOST, port: s.MONITOR_PORT, logger });
  await new Promise<void>((resolve) => {
    const onSignal = (sig: NodeJS.Signals) => {
      logger.info({ signal: sig }, 'stopping: finishing the running pass');
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      resolve();
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
  await service.stop();
  await target.close();
  logger.info('monitor stopped');
  return 0;
});
