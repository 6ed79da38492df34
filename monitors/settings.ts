// The monitor's settings: its own, plus the shared ones. Parsed once, at the edge (main.ts).
import { Cron } from 'croner';
import type { z } from 'zod';
import { TOKEN_LIFETIME_S } from '../core/contract.ts';
import { missingInbox } from '../core/mail/index.ts';
import { setting, sharedSettings } from '../core/settings.ts';

/** A cron pattern croner accepts (5 fields, or 6 with seconds). */
const cronPattern = () =>
  setting.text().refine((p) => {
    try {
      new Cron(p, { paused: true }).stop();
      return true;
    } catch {
      return false;
    }
  }, 'expected a cron pattern such as "*/5 * * * *" (5 fields, or 6 with seconds first)');

export const monitorSettings = {
  ...sharedSettings,
  MONITOR_USERNAME: setting.text().optional(),
  MONITOR_PASSWORD: setting.text().optional(),
  MONITOR_SCHEDULE: cronPattern().default('*/5 * * * *'),
  MONITOR_DB: setting.text().default('.state/monitor.db'),
  MONITOR_RETRIES: setting.int(0, 10).default(2),
  MONITOR_RETRY_BACKOFF_MS: setting.int(0, 600_000).default(2000),
  MONITOR_LATENCY_DEGRADED_MS: setting.int(1, 600_000).default(1000),
  MONITOR_LATENCY_FAIL_MS: setting.int(1, 600_000).default(2500),
  MONITOR_EXPECTED_TOKEN_LIFETIME_S: setting.int(1, 30 * 86400).default(TOKEN_LIFETIME_S),
  MONITOR_ALERT_WEBHOOK_URL: setting.url().optional(),
  MONITOR_ALERT_AFTER: setting.int(1, 1000).default(3),
  MONITOR_ALERT_RETRIES: setting.int(0, 10).default(3),
  MONITOR_RETENTION_DAYS: setting.int(1, 3650).default(30),
  MONITOR_RETENTION_PASSES: setting.int(10, 10_000_000).default(100_000),
  MONITOR_HOST: setting.oneOf(['127.0.0.1', '::1', 'localhost', '0.0.0.0', '::']).default('127.0.0.1'),
  MONITOR_PORT: setting.int(0, 65535).default(9464),
  MONITOR_PUSHGATEWAY_URL: setting.url().optional(),
  MONITOR_STATUS_PAGE: setting.text().optional(),
};

export type MonitorSettings = Readonly<z.infer<z.ZodObject<typeof monitorSettings>>>;

/** Rules across settings that zod fields alone cannot say. Each problem names its variables. */
export function crossCheck(s: MonitorSettings): string[] {
  const problems: string[] = [];
  if ((s.MONITOR_USERNAME === undefined) !== (s.MONITOR_PASSWORD === undefined))
    problems.push(
      `MONITOR_USERNAME and MONITOR_PASSWORD: set both (an existing monitoring account) or neither (the monitor registers its own), not only ${s.MONITOR_USERNAME ? 'MONITOR_USERNAME' : 'MONITOR_PASSWORD'}`,
    );
  const noInbox = s.MONITOR_USERNAME
    ? undefined
    : missingInbox(s, 'the monitor', 'MONITOR_USERNAME and MONITOR_PASSWORD (an account verified beforehand)');
  if (noInbox) problems.push(noInbox);
  if (s.MONITOR_LATENCY_DEGRADED_MS > s.MONITOR_LATENCY_FAIL_MS)
    problems.push(
      `MONITOR_LATENCY_DEGRADED_MS (${s.MONITOR_LATENCY_DEGRADED_MS}) must not be above MONITOR_LATENCY_FAIL_MS (${s.MONITOR_LATENCY_FAIL_MS})`,
    );
  return problems;
}

/** Where each pass writes the status page. */
export const statusPagePath = (s: MonitorSettings): string => s.MONITOR_STATUS_PAGE ?? `${s.REPORTS_DIR}/monitor/status.html`;
