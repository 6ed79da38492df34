// npm run monitor            — the service: passes on MONITOR_SCHEDULE, /metrics, /healthz, status page.
// npm run monitor -- --once  — one pass, a summary table (or --json), exit 0 passed / 1 failed / 2 bad settings.
// npm run monitor -- --forget-tokens — drops the kept tokens (after an intended key rotation).
import pino from 'pino';
import { parseCommandLine, type ProgramInfo } from '../core/cli.ts';
import { createLogger } from '../core/logger.ts';
import { runMain, SettingsError, settingsEnv, targetLabel } from '../core/settings.ts';
import { resolveTarget } from '../core/target.ts';
import { Monitor } from './monitor.ts';
import { monitorSettings, validateMonitorSettings } from './settings.ts';
import { MonitorState } from './state.ts';
import { appendSummary } from '../core/step-summary.ts';
import { stateFileError } from './state-file.ts';
import { summaryJson, summaryMarkdown, summaryTable } from './summary.ts';

const MONITOR_PROGRAM = {
  command: 'npm run monitor',
  summary:
    'the synthetic monitor: token lifetime, response shape, latency and tokens across runs, with history, metrics, alerts and a status page',
  usage: ['', '-- --once [--json]', '-- --forget-tokens'],
  options: {
    once: { type: 'boolean', description: 'run one pass, print a summary and exit (cron, CI schedules, the CronJob)' },
    json: { type: 'boolean', description: 'with --once: print the result as JSON' },
    'forget-tokens': {
      type: 'boolean',
      description: 'forget the kept tokens and the dedicated account of the target (after an intended signing-key rotation)',
    },
  },
  settings: monitorSettings,
  exits:
    '0 every check passed (or known), 1 a check failed, 2 bad settings or command line, ' +
    "3 throttled: the target's rate limit answered 429 (nobody is paged)",
  examples: [
    'npm run monitor -- --once                      # one pass against the bundled reference target',
    'TARGET_URL=https://api.staging.example.com TARGET_ENV=staging npm run monitor -- --once --json',
    'TARGET_URL=https://api.example.com MONITOR_ALERT_WEBHOOK_URL=https://hooks.slack.com/... npm run monitor  # the service',
  ],
  notes: ['The service serves /, /metrics, /healthz and /badge.svg on MONITOR_HOST:MONITOR_PORT. More: docs/monitor.md.'],
} satisfies ProgramInfo;

/** The URL as shown to people: without any user:password part. */
const shownUrl = (u: string): string => {
  const url = new URL(u);
  url.username = '';
  url.password = '';
  return url.toString().replace(/\/$/, '');
};

runMain(async () => {
  const { values: args } = parseCommandLine(MONITOR_PROGRAM, process.argv.slice(2));
  const s = validateMonitorSettings(settingsEnv());
  const once = args.once === true;
  const targetKey = s.TARGET_URL ?? 'bundled';
  // An unusable state file is a settings problem: say which setting, exit 2, before any traffic.
  let state: MonitorState;
  try {
    state = new MonitorState(s.MONITOR_DB);
  } catch (err) {
    throw new SettingsError([`MONITOR_DB: ${stateFileError(s.MONITOR_DB, err).message}`]);
  }

  if (args['forget-tokens']) {
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
  const target = await resolveTarget(s, () => import('../reference/bundled.ts'), logger);
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
      // A state file found damaged (or locked) only now, mid-pass, is still a bad MONITOR_DB, not a failed check.
      const { pass, delivery } = await monitor.pass().catch((err: unknown) => {
        if (!String((err as { code?: unknown }).code ?? '').startsWith('SQLITE_')) throw err;
        throw new SettingsError([`MONITOR_DB: ${stateFileError(s.MONITOR_DB, err).message}`]);
      });
      const warning = monitor.budgetWarning;
      process.stdout.write(
        args.json ? summaryJson(pass, shownUrl(target.url), warning) : summaryTable(pass, shownUrl(target.url), warning),
      );
      // GitHub Actions: the run's page says it too.
      if (s.GITHUB_STEP_SUMMARY) appendSummary(s.GITHUB_STEP_SUMMARY, summaryMarkdown(pass, shownUrl(target.url)));
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
