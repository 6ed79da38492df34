// The monitor's settings: its own, plus the shared ones. Parsed once, at the edge (main.ts).
import { Cron } from 'croner';
import type { z } from 'zod';
import { TOKEN_LIFETIME_S } from '../core/contract.ts';
import { DEFAULT_RUNBOOK_BASE_URL } from '../core/links.ts';
import { knownIssuesInForce } from '../core/known-issues.ts';
import { missingInbox } from '../core/mail/index.ts';
import { parseDurationS } from '../core/durations.ts';
import { internal, parseSettings, SettingsError, setting, sharedSettings } from '../core/settings.ts';
import { parseMaintenance } from './maintenance.ts';
import { limitWords, perHour } from '../core/rate-limit.ts';
import { stateFileProblem } from './state-file.ts';
import { CHECK_NAMES, DEFAULT_CERT_FAIL_DAYS, DEFAULT_CERT_WARN_DAYS, type PassResult } from './types.ts';

/** A cron pattern croner accepts (5 fields, or 6 with seconds). */
const cronPattern = () =>
  setting.checked((p) => {
    try {
      new Cron(p, { paused: true }).stop();
      return undefined;
    } catch {
      return 'expected a cron pattern such as "*/5 * * * *" (5 fields, or 6 with seconds first)';
    }
  });

/** A duration such as 30m, 4h, 1d (0 = never). */
const duration = () =>
  setting.parsed((t) => {
    const v = parseDurationS(t);
    return v === undefined ? { problem: 'expected a duration such as 30m, 4h or 1d (0 = never)' } : { value: v };
  });

const maintenance = () =>
  setting.parsed((t) => {
    try {
      return { value: parseMaintenance(t) };
    } catch (err) {
      return { problem: (err as Error).message };
    }
  });

export const monitorSettings = {
  ...sharedSettings,
  MONITOR_USERNAME: setting.text().optional(),
  MONITOR_PASSWORD: setting.text().optional(),
  MONITOR_SCHEDULE: cronPattern().default('*/5 * * * *'),
  MONITOR_DB: setting.file().default('.state/monitor.db'),
  MONITOR_RETRIES: setting.int(0, 10).default(2),
  MONITOR_RETRY_BACKOFF_MS: setting.int(0, 600_000).default(2000),
  MONITOR_LATENCY_DEGRADED_MS: setting.int(1, 600_000).default(1000),
  MONITOR_LATENCY_FAIL_MS: setting.int(1, 600_000).default(2500),
  MONITOR_EXPECTED_TOKEN_LIFETIME_S: setting.int(1, 30 * 86400).default(TOKEN_LIFETIME_S),
  /** An https target's certificate with fewer days left than this makes the certificate check degraded / failed. */
  MONITOR_CERT_WARN_DAYS: setting.int(0, 3650).default(DEFAULT_CERT_WARN_DAYS),
  MONITOR_CERT_FAIL_DAYS: setting.int(0, 3650).default(DEFAULT_CERT_FAIL_DAYS),
  // A webhook's URL is its secret (Slack's path is the key); its query may carry a token.
  MONITOR_ALERT_WEBHOOK_URL: setting.url({ query: true }, { secret: true }).optional(),
  MONITOR_ALERT_AFTER: setting.int(1, 1000).default(3),
  MONITOR_ALERT_RETRIES: setting.int(0, 10).default(3),
  /** Time limit of one round of alert delivery (every channel, retries included): a webhook that
   *  hangs costs at most this, and in service mode it never holds up the schedule. */
  MONITOR_ALERT_TIMEOUT_MS: setting.int(100, 600_000).default(10_000),
  /** Remind while a check is still failing, this often (seconds; 0 = never). */
  MONITOR_ALERT_REPEAT: duration().default(4 * 3600),
  /** PagerDuty Events API v2 integration (routing) key: alerts trigger and resolve incidents there too. */
  MONITOR_ALERT_PAGERDUTY_KEY: setting.text({ secret: true }).optional(),
  /** Where PagerDuty events go (a proxy or a test double instead of PagerDuty's own endpoint). */
  MONITOR_ALERT_PAGERDUTY_URL: setting.url({ query: true }).default('https://events.pagerduty.com/v2/enqueue'),
  /** Maintenance windows: "<cron> <duration>[; …]". Passes run, alerts are held. */
  MONITOR_MAINTENANCE: maintenance().optional(),
  MONITOR_RETENTION_DAYS: setting.int(1, 3650).default(30),
  /** A ceiling by count under MONITOR_RETENTION_DAYS (a schedule of seconds): internal. */
  MONITOR_RETENTION_PASSES: internal(setting.int(10, 10_000_000).default(100_000)),
  MONITOR_HOST: setting.oneOf(['127.0.0.1', '::1', 'localhost', '0.0.0.0', '::']).default('127.0.0.1'),
  MONITOR_PORT: setting.int(0, 65535).default(9464),
  // user:password@ is sent as Basic auth by prom-client (a Pushgateway behind an auth proxy).
  MONITOR_PUSHGATEWAY_URL: setting.url({ credentials: true }).optional(),
  MONITOR_STATUS_PAGE: setting.file().optional(),
  /** Alertmanager (its base URL): alerts are posted to its API as the rules' alerts are, so the team's
   *  silences, inhibition and routing apply. user:password@ is sent as Basic auth. */
  MONITOR_ALERTMANAGER_URL: setting.url({ credentials: true, example: 'http://alertmanager:9093' }).optional(),
  /** Where the runbooks are (docs/prometheus.md under it): alerts carry runbook_url. */
  RUNBOOK_BASE_URL: setting.url({ example: DEFAULT_RUNBOOK_BASE_URL }).default(DEFAULT_RUNBOOK_BASE_URL),
  /** Your Grafana, where the dashboard is imported: alerts then link it (dashboard_url). */
  GRAFANA_URL: setting.url({ example: 'https://grafana.example.com' }).optional(),
};

export type MonitorSettings = Readonly<z.infer<z.ZodObject<typeof monitorSettings>>>;

/** Rules across settings that zod fields alone cannot say. Each problem names its variables. */
export function crossCheck(s: MonitorSettings): string[] {
  const problems: string[] = [];
  if ((s.MONITOR_USERNAME === undefined) !== (s.MONITOR_PASSWORD === undefined))
    problems.push(
      `MONITOR_USERNAME and MONITOR_PASSWORD: set both (an existing monitoring account) or neither (the monitor registers its ` +
        `own), not only ${s.MONITOR_USERNAME ? 'MONITOR_USERNAME' : 'MONITOR_PASSWORD'}`,
    );
  const noInbox = s.MONITOR_USERNAME
    ? undefined
    : missingInbox(s, 'the monitor', 'MONITOR_USERNAME and MONITOR_PASSWORD (an account verified beforehand)');
  if (noInbox) problems.push(noInbox);
  if (s.MONITOR_LATENCY_DEGRADED_MS > s.MONITOR_LATENCY_FAIL_MS)
    problems.push(
      `MONITOR_LATENCY_DEGRADED_MS (${s.MONITOR_LATENCY_DEGRADED_MS}) must not be above MONITOR_LATENCY_FAIL_MS ` +
        `(${s.MONITOR_LATENCY_FAIL_MS})`,
    );
  if (s.MONITOR_CERT_FAIL_DAYS > s.MONITOR_CERT_WARN_DAYS)
    problems.push(
      `MONITOR_CERT_FAIL_DAYS (${s.MONITOR_CERT_FAIL_DAYS}) must not be above MONITOR_CERT_WARN_DAYS (${s.MONITOR_CERT_WARN_DAYS})`,
    );
  return problems;
}

/** The monitor's settings from `env`, cross-checked: what `npm run monitor` refuses (exit 2) before any traffic. */
export function validateMonitorSettings(env: Record<string, string | undefined>): MonitorSettings {
  const s = parseSettings(monitorSettings, env);
  const problems = crossCheck(s);
  // A state file that is a link or plainly not intact, before any traffic (npm start checks this too).
  const stateFile = stateFileProblem(s.MONITOR_DB);
  if (stateFile) problems.push(`MONITOR_DB: ${stateFile}`);
  if (problems.length) throw new SettingsError(problems);
  // A broken list, or one naming a check the monitor does not have, is a bad setting: exit 2 before any traffic.
  // With TARGET_GENERATION=auto the generation is told later: the entries of either are checked now.
  const generations = s.TARGET_GENERATION === 'auto' ? (['documented', 'latest'] as const) : [s.TARGET_GENERATION];
  const inForce = [
    ...new Map(generations.flatMap((g) => knownIssuesInForce({ ...s, TARGET_GENERATION: g })).map((k) => [k.id, k])).values(),
  ];
  const unknownChecks = inForce.filter((k) => k.check && !(CHECK_NAMES as readonly string[]).includes(k.check));
  if (unknownChecks.length)
    throw new SettingsError(
      unknownChecks.map(
        (k) =>
          `KNOWN_ISSUES_FILE: ${k.id} names the check '${k.check}', which the monitor does not have (its checks: ` +
          `${CHECK_NAMES.join(', ')})`,
      ),
    );
  return s;
}

/** How often the schedule fires (seconds): from MONITOR_SCHEDULE's next two runs. One-shot runs
 *  report it too, so set MONITOR_SCHEDULE to the cron that starts them (the CronJob's, the workflow's). */
export function scheduleIntervalS(schedule: string, from = new Date()): number {
  const cron = new Cron(schedule, { paused: true });
  const [a, b] = cron.nextRuns(2, from);
  cron.stop();
  return a && b ? (b.getTime() - a.getTime()) / 1000 : 300;
}

/**
 * Whether MONITOR_SCHEDULE fits in the rate limit the target announces: passes an hour × this pass's
 * requests against the requests it grants an hour. A sentence saying it does not (what to change), or
 * undefined. The service says it at start (its first pass), `--once` in its summary.
 */
export function scheduleOverLimit(schedule: string, pass: Pick<PassResult, 'requests' | 'rateLimit'>): string | undefined {
  const hourly = pass.rateLimit ? perHour(pass.rateLimit) : undefined;
  if (hourly === undefined || !pass.requests) return undefined;
  const passesPerHour = 3600 / scheduleIntervalS(schedule);
  const needed = Math.ceil(passesPerHour * pass.requests);
  if (needed <= hourly) return undefined;
  const fits = Math.max(1, Math.floor(hourly / pass.requests));
  return (
    `MONITOR_SCHEDULE: '${schedule}' runs ${Number(passesPerHour.toFixed(1))} passes an hour of about ${pass.requests} requests ` +
    `each (${needed} an hour), more than the target's rate limit grants (${limitWords(pass.rateLimit!)}): passes will be ` +
    `throttled; run at most ${fits} an hour (e.g. MONITOR_SCHEDULE='${cronEvery(Math.ceil(60 / fits))}'), or ask for a higher ` +
    'limit for this client'
  );
}

/** A cron pattern firing every `minutes` (at most hourly). */
const cronEvery = (minutes: number): string => (minutes >= 60 ? '0 * * * *' : `*/${minutes} * * * *`);

/** Where each pass writes the status page. */
export const statusPagePath = (s: MonitorSettings): string => s.MONITOR_STATUS_PAGE ?? `${s.REPORTS_DIR}/monitor/status.html`;
