// The monitor itself, wired once for both modes: run a pass, store it (one transaction), tell the
// alerts, update the metrics, write the status page. `pass()` never runs twice at once.
import type { Logger } from 'pino';
import { TemporalClient } from '../core/client.ts';
import { openInbox, type Inbox } from '../core/mail/index.ts';
import { processAlerts, type AlertEvent } from './alerts.ts';
import { MonitorMetrics } from './metrics.ts';
import { runPass, type PassOutcome } from './pass.ts';
import { statusPagePath, type MonitorSettings } from './settings.ts';
import { MonitorState } from './state.ts';
import { renderStatusPage, writeStatusPage } from './status-page.ts';
import { passed, type CheckName, type PassResult } from './types.ts';

/** Passes shown on the status page. */
const PAGE_PASSES = 120;

export interface MonitorOptions {
  settings: MonitorSettings;
  /** The target's base URL (TARGET_URL, or the bundled target's). */
  url: string;
  /** TARGET_URL, or `bundled` for the bundled target (which starts empty every time). */
  targetKey: string;
  targetLabel: string;
  logger: Logger;
  processMetrics?: boolean;
  /** Where the dedicated account's verification mail is read (latest generation): the bundled
   *  target's own Mailpit, or MAIL_INBOX_URL. */
  inboxUrl?: string;
  /** The state file, already open (the CLI opens it first to report a bad MONITOR_DB); the
   *  monitor owns it from here and closes it on stop(). */
  state?: MonitorState;
}

export interface PassReport {
  pass: PassResult;
  alerts: AlertEvent[];
  secrets: string[];
}

export class Monitor {
  readonly state: MonitorState;
  readonly metrics: MonitorMetrics;
  readonly api: TemporalClient;
  private readonly inbox?: Inbox;
  private running?: Promise<PassReport>;
  private readonly stopping = new AbortController();
  /** Base URL of the served status page, for alert links (set by the service once it listens). */
  statusUrl?: string;
  lastPass?: PassResult;
  /** When each check last passed: read from history once, then kept up to date by each pass (the
   *  query groups over every stored result, too much to repeat per pass and per page view). */
  private readonly lastSuccess: Map<CheckName, number>;

  constructor(readonly o: MonitorOptions) {
    const s = o.settings;
    this.state = o.state ?? new MonitorState(s.MONITOR_DB);
    // The bundled target is new and empty on every start: its old account and tokens mean nothing.
    if (o.targetKey === 'bundled') this.state.forgetTarget('bundled');
    this.api = new TemporalClient({ baseUrl: o.url, timeoutMs: s.HTTP_TIMEOUT_MS });
    if (s.TARGET_GENERATION === 'latest' && o.inboxUrl) this.inbox = openInbox(o.inboxUrl, s.HTTP_TIMEOUT_MS);
    this.metrics = new MonitorMetrics(o.targetLabel, { processMetrics: o.processMetrics });
    const latest = this.state.recentPasses(o.targetKey, 1)[0];
    this.lastSuccess = this.state.lastSuccess(o.targetKey);
    this.metrics.seed(this.lastSuccess, latest?.tokenExpireS);
  }

  get busy(): boolean {
    return this.running !== undefined;
  }

  /** Runs one pass, or returns the one already running (never two at once). */
  pass(): Promise<PassReport> {
    this.running ??= this.runOne().finally(() => (this.running = undefined));
    return this.running;
  }

  private async runOne(): Promise<PassReport> {
    const s = this.o.settings;
    const outcome: PassOutcome = await runPass({
      api: this.api,
      state: this.state,
      target: this.o.targetKey,
      targetLabel: this.o.targetLabel,
      config: {
        toleranceS: s.TIME_TOLERANCE_S,
        expectedLifetimeS: s.MONITOR_EXPECTED_TOKEN_LIFETIME_S,
        latencyDegradedMs: s.MONITOR_LATENCY_DEGRADED_MS,
        latencyFailMs: s.MONITOR_LATENCY_FAIL_MS,
        contractStrict: s.CONTRACT_STRICT,
      },
      retries: s.MONITOR_RETRIES,
      backoffMs: s.MONITOR_RETRY_BACKOFF_MS,
      credentials: s.MONITOR_USERNAME && s.MONITOR_PASSWORD ? { username: s.MONITOR_USERNAME, password: s.MONITOR_PASSWORD } : undefined,
      generation: s.TARGET_GENERATION,
      inbox: this.inbox,
      mailWaitMs: s.MAIL_WAIT_S * 1000,
      signal: this.stopping.signal,
    });
    const { pass, tokens, secrets } = outcome;
    this.state.recordPass(pass, tokens, { days: s.MONITOR_RETENTION_DAYS, passes: s.MONITOR_RETENTION_PASSES });
    this.lastPass = pass;
    for (const c of pass.checks) if (passed(c.status)) this.lastSuccess.set(c.name, pass.startedAt);
    this.metrics.record(pass);
    let alerts: AlertEvent[] = [];
    try {
      alerts = await processAlerts(this.state, pass, secrets, {
        webhookUrl: s.MONITOR_ALERT_WEBHOOK_URL,
        after: s.MONITOR_ALERT_AFTER,
        retries: s.MONITOR_ALERT_RETRIES,
        backoffMs: Math.min(s.MONITOR_RETRY_BACKOFF_MS, 5000),
        timeoutMs: s.HTTP_TIMEOUT_MS,
        logger: this.o.logger,
        statusUrl: this.statusUrl,
      });
    } catch (err) {
      this.o.logger.error({ err }, 'alerting failed; the monitor carries on');
    }
    try {
      writeStatusPage(statusPagePath(s), this.statusPage());
    } catch (err) {
      this.o.logger.error({ reason: (err as Error).message }, 'could not write the status page; the monitor carries on');
    }
    const failed = pass.checks.filter((c) => c.status === 'fail').map((c) => c.name);
    this.o.logger.info(
      { status: pass.status, failed, ms: Math.round(pass.durationMs) },
      `monitor pass: ${pass.status}${failed.length ? `: ${failed.join(', ')} failed` : ''}`,
    );
    return { pass, alerts, secrets };
  }

  statusPage(): string {
    const s = this.o.settings;
    return renderStatusPage({
      targetLabel: this.o.targetLabel,
      passes: this.state.recentPasses(this.o.targetKey, PAGE_PASSES),
      lastSuccess: this.lastSuccess,
      latencyDegradedMs: s.MONITOR_LATENCY_DEGRADED_MS,
      latencyFailMs: s.MONITOR_LATENCY_FAIL_MS,
    });
  }

  /** Ends back-off waits and skips the remaining checks of a running pass, then waits for it. */
  async stop(): Promise<void> {
    this.stopping.abort();
    await this.running?.catch(() => undefined);
    await this.inbox?.close();
    this.state.close();
  }
}
