// The monitor itself, wired once for both modes: run a pass, store it (one transaction), decide the
// alerts, update the metrics, write the status page, then start delivering the alerts, apart from
// the pass. `pass()` never runs twice at once, and never waits for a channel.
import type { Logger } from 'pino';
import { TemporalClient } from '../core/client.ts';
import type { Account } from '../core/accounts.ts';
import type { Generation } from '../core/contract.ts';
import { type Detection, detectionLine, knownGeneration, partGeneration } from '../core/generation.ts';
import { knownIssuesInForce, type KnownIssue } from '../core/known-issues.ts';
import { openInbox, type Inbox } from '../core/mail/index.ts';
import { Alerting, type AlertEvent, type DeliveryReport } from './alerts.ts';
import { activeWindow, nextWindow, type ActiveWindow } from './maintenance.ts';
import { MonitorMetrics } from './metrics.ts';
import { runPass, type PassOutcome } from './pass.ts';
import { scheduleIntervalS, scheduleOverLimit, statusPagePath, type MonitorSettings } from './settings.ts';
import { MonitorState, type HistoryRow, type NotableResult, type Uptime } from './state.ts';
import { renderStatusPage, writeStatusPage, type StatusPageInput } from './status-page.ts';
import { CHECK_NAMES, passed, type CheckName, type PassResult } from './types.ts';

/** Passes charted on the status page (a week at one a minute), passes listed with their messages,
 *  and failed/degraded results whose messages the charts show on hover. */
const PAGE_PASSES = 10_000;
const PAGE_LISTED = 20;
const PAGE_NOTES = 1000;
const UPTIME_WINDOWS: Array<[label: string, ms: number]> = [
  ['24 h', 86_400_000],
  ['7 d', 7 * 86_400_000],
  ['30 d', 30 * 86_400_000],
];

export interface MonitorOptions {
  settings: MonitorSettings;
  /** The target's base URL (TARGET_URL, or the bundled target's). */
  url: string;
  /** TARGET_URL, or `bundled` for the bundled target (which starts empty every time): the key of
   *  the dedicated account and the kept tokens. */
  targetKey: string;
  /** The history key (passes, alert state): default `targetKey`. See monitors/main.ts. */
  timeline?: string;
  targetLabel: string;
  logger: Logger;
  /** Prometheus metrics (default on); off for a one-shot run that pushes them nowhere. */
  metrics?: boolean;
  processMetrics?: boolean;
  /** Where the dedicated account's verification mail is read (latest generation): the bundled
   *  target's own Mailpit, or MAIL_INBOX_URL. */
  inboxUrl?: string;
  /** The state file, already open (the CLI opens it first to report a bad MONITOR_DB); the
   *  monitor owns it from here and closes it on stop(). */
  state?: MonitorState;
  /** The target's accepted bugs in force (default: KNOWN_ISSUES_FILE's, for TARGET_GENERATION and TARGET_URL). */
  knownIssues?: KnownIssue[];
}

export interface PassReport {
  pass: PassResult;
  /** What the pass decided to tell (queued for the channels, or logged). */
  alerts: AlertEvent[];
  secrets: string[];
  /** The delivery the pass started; bounded by MONITOR_ALERT_TIMEOUT_MS. One-shot runs wait for it. */
  delivery: Promise<DeliveryReport>;
}

export class Monitor {
  readonly state: MonitorState;
  private readonly promMetrics?: MonitorMetrics;
  readonly api: TemporalClient;
  private readonly inbox?: Inbox;
  readonly alerting: Alerting;
  readonly timeline: string;
  knownIssues: KnownIssue[];
  /** The target's generation, or `auto` until the dedicated account tells it (kept with it in the state). */
  generation: Generation | 'auto';
  /** What the schedule asks of the target's rate limit, said once (a log line; the one-shot summary too). */
  budgetWarning?: string;
  private budgetChecked = false;
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
    this.timeline = o.timeline ?? o.targetKey;
    // Given, the bundled target's own, told earlier by the dedicated account (kept in the state), or
    // `auto`: the login check tells it with the account it registers. With MONITOR_USERNAME the monitor
    // makes no account to tell by: it stays untold, and a refused login says both causes.
    this.generation = knownGeneration(s)?.generation ?? this.state.accountGeneration(o.targetKey) ?? 'auto';
    this.knownIssues = o.knownIssues ?? this.issuesFor(this.generation);
    this.api = new TemporalClient({ baseUrl: o.url, timeoutMs: s.HTTP_TIMEOUT_MS, maxBodyBytes: s.HTTP_MAX_BODY_BYTES });
    if (this.generation !== 'documented' && o.inboxUrl) this.inbox = openInbox(o.inboxUrl, s.HTTP_TIMEOUT_MS, s.HTTP_MAX_BODY_BYTES);
    if (o.metrics !== false)
      this.promMetrics = new MonitorMetrics(o.targetLabel, {
        processMetrics: o.processMetrics,
        expectedLifetimeS: s.MONITOR_EXPECTED_TOKEN_LIFETIME_S,
        scheduleIntervalS: scheduleIntervalS(s.MONITOR_SCHEDULE),
        owedAlerts: () => this.state.owedCount(this.timeline),
        inMaintenance: () => this.maintenance() !== undefined,
      });
    this.alerting = new Alerting(this.state, {
      timeline: this.timeline,
      webhookUrl: s.MONITOR_ALERT_WEBHOOK_URL,
      pagerDuty: s.MONITOR_ALERT_PAGERDUTY_KEY ? { key: s.MONITOR_ALERT_PAGERDUTY_KEY, url: s.MONITOR_ALERT_PAGERDUTY_URL } : undefined,
      // Valid for three schedule intervals (at least 5 min) without a new post: a monitor that stops
      // lets its alerts expire, as Prometheus's do (TemporalMonitorPassesLate says why).
      alertmanager: s.MONITOR_ALERTMANAGER_URL
        ? { url: s.MONITOR_ALERTMANAGER_URL, validForS: Math.max(300, 3 * scheduleIntervalS(s.MONITOR_SCHEDULE)) }
        : undefined,
      runbookBase: s.RUNBOOK_BASE_URL,
      grafanaUrl: s.GRAFANA_URL,
      after: s.MONITOR_ALERT_AFTER,
      repeatS: s.MONITOR_ALERT_REPEAT,
      retries: s.MONITOR_ALERT_RETRIES,
      backoffMs: Math.min(s.MONITOR_RETRY_BACKOFF_MS, 5000),
      requestTimeoutMs: s.HTTP_TIMEOUT_MS,
      timeoutMs: s.MONITOR_ALERT_TIMEOUT_MS,
      logger: o.logger,
      statusUrl: () => this.statusUrl,
      maintenance: (now) => this.maintenance(now),
      onDelivery: (channel, ok) => this.promMetrics?.recordDelivery(channel, ok),
    });
    const latest = this.state.recentPasses(this.timeline, 1)[0];
    this.lastSuccess = this.state.lastSuccess(this.timeline);
    this.promMetrics?.seed(this.lastSuccess, latest?.tokenExpireS);
  }

  /** The known issues in force for `generation` (auto: those of neither generation, the url ones). */
  private issuesFor(generation: Generation | 'auto'): KnownIssue[] {
    return knownIssuesInForce({ ...this.o.settings, TARGET_GENERATION: generation });
  }

  /** The login check's `detect`: tells the generation by the dedicated account it registers. A latest
   *  target without a usable inbox stops the monitor (SettingsError, exit 2), with no further traffic. */
  private async detect(account: Account): Promise<Detection> {
    const s = this.o.settings;
    const d = await partGeneration({
      settings: s,
      target: {},
      api: this.api,
      inbox: this.inbox,
      part: 'the monitor',
      preVerified: 'MONITOR_USERNAME and MONITOR_PASSWORD (an account verified beforehand)',
      makesAccounts: true,
      account: () => account,
    });
    this.o.logger.info({ generation: d.generation, requests: d.requests }, detectionLine(d));
    this.generation = d.generation;
    if (!this.o.knownIssues) this.knownIssues = this.issuesFor(d.generation);
    return d;
  }

  /** The Prometheus metrics (the service's /metrics, a one-shot run's push). */
  get metrics(): MonitorMetrics {
    if (!this.promMetrics) throw new Error('this monitor was made without metrics (metrics: false)');
    return this.promMetrics;
  }

  /** The maintenance window `nowMs` falls in, if any. */
  maintenance(nowMs = Date.now()): ActiveWindow | undefined {
    return activeWindow(this.o.settings.MONITOR_MAINTENANCE ?? [], nowMs);
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
      timeline: this.timeline,
      targetLabel: this.o.targetLabel,
      config: {
        toleranceS: s.TIME_TOLERANCE_S,
        expectedLifetimeS: s.MONITOR_EXPECTED_TOKEN_LIFETIME_S,
        latencyDegradedMs: s.MONITOR_LATENCY_DEGRADED_MS,
        latencyFailMs: s.MONITOR_LATENCY_FAIL_MS,
        contractStrict: s.CONTRACT_STRICT,
        certWarnDays: s.MONITOR_CERT_WARN_DAYS,
        certFailDays: s.MONITOR_CERT_FAIL_DAYS,
      },
      retries: s.MONITOR_RETRIES,
      backoffMs: s.MONITOR_RETRY_BACKOFF_MS,
      credentials: s.MONITOR_USERNAME && s.MONITOR_PASSWORD ? { username: s.MONITOR_USERNAME, password: s.MONITOR_PASSWORD } : undefined,
      generation: this.generation,
      detect: (account) => this.detect(account),
      inbox: this.inbox,
      mailWaitMs: s.MAIL_WAIT_S * 1000,
      signal: this.stopping.signal,
      knownIssues: () => this.knownIssues,
    });
    const { pass, tokens, secrets } = outcome;
    if (this.maintenance(pass.startedAt)) pass.maintenance = true;
    const id = this.state.recordPass(pass, tokens, { days: s.MONITOR_RETENTION_DAYS, passes: s.MONITOR_RETENTION_PASSES });
    this.remember(id, pass);
    this.lastPass = pass;
    // The first pass that hears of a rate limit tells whether the schedule fits in it (once).
    if (!this.budgetChecked && pass.rateLimit) {
      this.budgetChecked = true;
      this.budgetWarning = scheduleOverLimit(s.MONITOR_SCHEDULE, pass);
      if (this.budgetWarning) this.o.logger.warn({ requests: pass.requests }, this.budgetWarning);
    }
    for (const c of pass.checks) if (passed(c.status)) this.lastSuccess.set(c.name, pass.startedAt);
    const failures = new Map(CHECK_NAMES.map((name) => [name, this.state.consecutiveFailures(this.timeline, name)]));
    this.promMetrics?.record(pass);
    this.promMetrics?.recordFailures(failures);
    let alerts: AlertEvent[] = [];
    try {
      alerts = this.alerting.decide(pass, secrets, failures);
    } catch (err) {
      this.o.logger.error({ err }, 'alerting failed; the monitor carries on');
    }
    try {
      writeStatusPage(statusPagePath(s), this.statusPage());
    } catch (err) {
      this.o.logger.error({ reason: (err as Error).message }, 'could not write the status page; the monitor carries on');
    }
    const failed = pass.checks.filter((c) => c.status === 'fail').map((c) => c.name);
    this.o.logger[pass.status === 'throttled' ? 'warn' : 'info'](
      { status: pass.status, failed, ms: Math.round(pass.durationMs) },
      `monitor pass: ${pass.status}${failed.length ? `: ${failed.join(', ')} failed` : ''}`,
    );
    // Not awaited here: a channel that hangs must not hold up the next pass.
    return { pass, alerts, secrets, delivery: this.alerting.deliver() };
  }

  /** The page's data is read once per pass, then reused by every view until the next pass. */
  private pageData?: { after?: number; data: Omit<StatusPageInput, 'refreshS' | 'nowMs' | 'maintenance'> };
  /** The charted history, read once (10 000 passes take 60–120 ms to read) and then kept up to date
   *  pass by pass, with the messages of its failed and degraded results. */
  private charted?: { rows: HistoryRow[]; notable: NotableResult[] };

  private remember(id: number, pass: PassResult): void {
    if (!this.charted) return;
    const { rows, notable } = this.charted;
    rows.push({
      id,
      startedAt: pass.startedAt,
      durationMs: pass.durationMs,
      status: pass.status,
      maintenance: pass.maintenance === true,
      ...(pass.tokenLifetimeS === undefined ? {} : { tokenLifetimeS: pass.tokenLifetimeS }),
      checks: Object.fromEntries(pass.checks.map((c) => [c.name, c.status])),
      steps: Object.fromEntries(pass.steps.map((st) => [st.step, st.ms])),
    });
    notable.unshift(
      ...pass.checks
        .filter((c) => c.status === 'fail' || c.status === 'degraded' || c.status === 'known' || c.status === 'throttled')
        .map((c) => ({ passId: id, check: c.name, status: c.status, message: c.message })),
    );
    // Keep what the page shows: the newest passes, and what retention has not deleted.
    const oldest = Date.now() - this.o.settings.MONITOR_RETENTION_DAYS * 86_400_000;
    let drop = Math.max(0, rows.length - PAGE_PASSES);
    while (drop < rows.length && rows[drop]!.startedAt < oldest) drop++;
    rows.splice(0, drop);
    const first = rows[0]?.id ?? id;
    this.charted.notable = notable.filter((n) => n.passId >= first).slice(0, PAGE_NOTES);
  }

  /** Each check's uptime since each of `sinces`: from the charted history in memory where it reaches
   *  that far back (every window, at a pass every 5 min), from the state file for the rest (the same
   *  counting: MonitorState.checkUptime). */
  private checkUptime(sinces: number[]): Map<CheckName, Uptime[]> {
    const rows = this.charted?.rows ?? [];
    const whole = rows.length < PAGE_PASSES;
    const covered = (since: number) => whole || (rows[0] !== undefined && rows[0].startedAt <= since);
    const fromFile = sinces.filter((x) => !covered(x));
    const stored = fromFile.length ? this.state.checkUptime(this.timeline, fromFile) : new Map<CheckName, Uptime[]>();
    const out = new Map<CheckName, Uptime[]>();
    for (const name of CHECK_NAMES) {
      const u = sinces.map((since) =>
        covered(since) ? { passed: 0, total: 0 } : (stored.get(name)?.[fromFile.indexOf(since)] ?? { passed: 0, total: 0 }),
      );
      out.set(name, u);
    }
    for (const r of rows) {
      if (r.maintenance) continue;
      for (const [name, status] of Object.entries(r.checks) as Array<[CheckName, string]>) {
        const counted = status === 'pass' || status === 'degraded' || status === 'known' || status === 'fail';
        if (!counted || !out.has(name)) continue;
        for (const [i, since] of sinces.entries())
          if (covered(since) && r.startedAt >= since) {
            out.get(name)![i]!.total++;
            if (status !== 'fail') out.get(name)![i]!.passed++;
          }
      }
    }
    return out;
  }

  /** The status page; `refreshS` makes it reload itself (the service's page). */
  statusPage(o: { refreshS?: number } = {}): string {
    const s = this.o.settings;
    const now = Date.now();
    if (!this.pageData || this.pageData.after !== this.lastPass?.startedAt) {
      if (!this.charted) {
        const rows = this.state.historyRows(this.timeline, PAGE_PASSES);
        this.charted = { rows, notable: this.state.notableResults(this.timeline, rows[0]?.id ?? 0, PAGE_NOTES) };
      }
      this.pageData = {
        after: this.lastPass?.startedAt,
        data: {
          targetLabel: this.o.targetLabel,
          recent: this.state.recentPasses(this.timeline, PAGE_LISTED),
          history: this.charted.rows,
          notable: this.charted.notable,
          lastSuccess: this.lastSuccess,
          latencyDegradedMs: s.MONITOR_LATENCY_DEGRADED_MS,
          latencyFailMs: s.MONITOR_LATENCY_FAIL_MS,
          expectedLifetimeS: s.MONITOR_EXPECTED_TOKEN_LIFETIME_S,
          toleranceS: s.TIME_TOLERANCE_S,
          uptime: UPTIME_WINDOWS.map(([label, ms]) => ({ label, ...this.state.uptime(this.timeline, now - ms) })),
          checkUptime: this.checkUptime(UPTIME_WINDOWS.map(([, ms]) => now - ms)),
          whichHistory: {
            key: this.timeline,
            faults: /\+faults:(.+)$/.exec(this.timeline)?.[1],
            others: this.state.timelines().filter((t) => t.key !== this.timeline),
          },
          knownIssues: this.knownIssues,
          certificate: this.lastPass?.certificate,
          certWarnDays: s.MONITOR_CERT_WARN_DAYS,
          certFailDays: s.MONITOR_CERT_FAIL_DAYS,
        },
      };
    }
    const windows = s.MONITOR_MAINTENANCE ?? [];
    return renderStatusPage({
      ...this.pageData.data,
      maintenance: { active: activeWindow(windows, now), next: nextWindow(windows, now) },
      refreshS: o.refreshS,
      nowMs: now,
    });
  }

  /** Ends back-off waits and skips the remaining checks of a running pass, then waits for it. */
  async stop(): Promise<void> {
    this.stopping.abort();
    await this.running?.catch(() => undefined);
    await this.alerting.stop();
    await this.inbox?.close();
    this.state.close();
  }
}
