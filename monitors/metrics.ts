// Prometheus metrics (prom-client): per check its status, duration and last success; per step its
// latency; the current token's seconds to expiry (computed at scrape time); an https target's
// certificate's expiry (a timestamp, as blackbox_exporter's probe_ssl_earliest_cert_expiry). Served by the service;
// pushed to a Pushgateway by one-shot runs when MONITOR_PUSHGATEWAY_URL is set.
import { createRequire } from 'node:module';
import type { Logger } from 'pino';
import { driftOverflow, MAX_DRIFT_FIELDS } from '../core/judge.ts';
import { redirectLocation, redirectTarget } from '../core/http.ts';
import { excerpt } from '../core/redact.ts';
import { passed, type CheckStatus, type PassResult } from './types.ts';

export interface MetricsOptions {
  processMetrics?: boolean;
  /** The token lifetime the server promises (MONITOR_EXPECTED_TOKEN_LIFETIME_S). */
  expectedLifetimeS?: number;
  /** How often passes are due (from MONITOR_SCHEDULE), for the "passes are late" rule. */
  scheduleIntervalS?: number;
  /** Read at scrape time: alerts still owed, and whether a maintenance window is on. */
  owedAlerts?: () => number;
  inMaintenance?: () => boolean;
}

const STATUSES: CheckStatus[] = ['pass', 'degraded', 'fail', 'skipped', 'known', 'throttled'];

/** Most drift series (check, field) kept: every field a server adds is a series for as long as the
 *  service runs, and a server that adds fresh keys to every answer would otherwise grow /metrics
 *  and the memory without end (1.5 million series after 15 passes). Fields past the cap
 *  are counted under the field label MORE_DRIFT_FIELDS. */
export const MAX_DRIFT_SERIES = 100;
export const MORE_DRIFT_FIELDS = '(more fields)';

// prom-client (and the OpenTelemetry API it loads) costs about a third of a one-shot pass's start:
// loaded when metrics are first made, so `--once` without a Pushgateway never loads it.
let promClient: typeof import('prom-client') | undefined;
const loadPromClient = (): typeof import('prom-client') =>
  (promClient ??= createRequire(import.meta.url)('prom-client') as typeof import('prom-client'));

export class MonitorMetrics {
  readonly registry;
  private tokenExpireS?: number;
  private readonly checkStatus;
  private readonly checkUp;
  private readonly checkDuration;
  private readonly checkAttempts;
  private readonly lastSuccess;
  private readonly stepSeconds;
  private readonly passes;
  private readonly passDuration;
  private readonly lastPass;
  private readonly driftFields;
  private readonly driftSeries = new Set<string>();

  // What the rules in deploy/prometheus/ and the dashboard read besides the above.
  private readonly failuresInRow;
  private readonly stepLast;
  private readonly tokenLifetime;
  private readonly skippedTicks;
  private readonly deliveries;
  private readonly rateLimitRemaining;
  private readonly rateLimitLimit;
  private readonly certificateExpiry;

  constructor(
    readonly target: string,
    opts: MetricsOptions = {},
  ) {
    const client = loadPromClient();
    this.registry = new client.Registry();
    const r = [this.registry];
    this.registry.setDefaultLabels({ target });
    if (opts.processMetrics) client.collectDefaultMetrics({ register: this.registry, prefix: 'temporal_monitor_' });
    this.checkStatus = new client.Gauge({
      name: 'temporal_monitor_check_status',
      help:
        'Latest result of each check: 1 for the status it has (pass, degraded, fail, skipped, known: a known issue ' +
        'failing as expected), 0 for the others',
      labelNames: ['check', 'status'],
      registers: r,
    });
    this.checkUp = new client.Gauge({
      name: 'temporal_monitor_check_success',
      help: 'Latest result of each check: 1 passed (or degraded), 0 failed (a known issue failing as expected included: it does not pass)',
      labelNames: ['check'],
      registers: r,
    });
    this.checkDuration = new client.Gauge({
      name: 'temporal_monitor_check_duration_seconds',
      help: 'Wall time of the latest run of each check, retries included',
      labelNames: ['check'],
      registers: r,
    });
    this.checkAttempts = new client.Counter({
      name: 'temporal_monitor_check_retries_total',
      help: 'Retries made before a check passed or counted as failed',
      labelNames: ['check'],
      registers: r,
    });
    this.lastSuccess = new client.Gauge({
      name: 'temporal_monitor_check_last_success_timestamp_seconds',
      help: 'When each check last passed (unix seconds)',
      labelNames: ['check'],
      registers: r,
    });
    this.stepSeconds = new client.Histogram({
      name: 'temporal_monitor_step_duration_seconds',
      help: 'Time of each API request the monitor makes, by step',
      labelNames: ['step'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: r,
    });
    this.passes = new client.Counter({
      name: 'temporal_monitor_passes_total',
      help: 'Passes run, by result',
      labelNames: ['result'],
      registers: r,
    });
    this.passDuration = new client.Gauge({
      name: 'temporal_monitor_pass_duration_seconds',
      help: 'Wall time of the latest pass',
      registers: r,
    });
    this.lastPass = new client.Gauge({
      name: 'temporal_monitor_last_pass_timestamp_seconds',
      help: 'When the latest pass started (unix seconds)',
      registers: r,
    });
    this.driftFields = new client.Counter({
      name: 'temporal_monitor_contract_drift_fields',
      help:
        'Fields the contract does not know, seen in answers: +1 per pass, check and field (news, not a failure unless ' +
        `CONTRACT_STRICT=true); past ${MAX_DRIFT_SERIES} series, and past ${MAX_DRIFT_FIELDS} fields of one check in one pass, fields are ` +
        `counted under field="${MORE_DRIFT_FIELDS}"`,
      labelNames: ['check', 'field'],
      registers: r,
    });
    const self = this;
    new client.Gauge({
      name: 'temporal_monitor_token_seconds_to_expiry',
      help: "Seconds until the latest token the monitor was issued expires (by the server's expire)",
      registers: r,
      collect() {
        if (self.tokenExpireS !== undefined) this.set(self.tokenExpireS - Date.now() / 1000);
      },
    });
    this.failuresInRow = new client.Gauge({
      name: 'temporal_monitor_check_failures_in_row',
      help: 'Failed passes in a row of each check (skipped passes neither break nor extend the run)',
      labelNames: ['check'],
      registers: r,
    });
    this.stepLast = new client.Gauge({
      name: 'temporal_monitor_step_last_duration_seconds',
      help: 'Time of each API request in the latest pass, by step (a gauge, so pushed one-shot runs keep it between runs)',
      labelNames: ['step'],
      registers: r,
    });
    this.tokenLifetime = new client.Gauge({
      name: 'temporal_monitor_token_lifetime_seconds',
      help: "Lifetime of the latest token the monitor was issued: its expire minus the server's Date",
      registers: r,
    });
    const promised = new client.Gauge({
      name: 'temporal_monitor_token_expected_lifetime_seconds',
      help: 'The token lifetime the server promises (MONITOR_EXPECTED_TOKEN_LIFETIME_S)',
      registers: r,
    });
    if (opts.expectedLifetimeS !== undefined) promised.set(opts.expectedLifetimeS);
    const interval = new client.Gauge({
      name: 'temporal_monitor_schedule_interval_seconds',
      help: 'How often passes are due (from MONITOR_SCHEDULE)',
      registers: r,
    });
    if (opts.scheduleIntervalS !== undefined) interval.set(opts.scheduleIntervalS);
    this.skippedTicks = new client.Counter({
      name: 'temporal_monitor_skipped_ticks_total',
      help: 'Scheduled passes skipped because the previous one was still running (service mode)',
      registers: r,
    });
    // What the target's answers announced of its rate limit (absent until one did), by the headers that said it.
    this.rateLimitRemaining = new client.Gauge({
      name: 'temporal_monitor_rate_limit_remaining',
      help: "Requests the target's rate limit has left for this client, as its latest answer announced (X-RateLimit-* or RateLimit)",
      labelNames: ['source'],
      registers: r,
    });
    this.rateLimitLimit = new client.Gauge({
      name: 'temporal_monitor_rate_limit_limit',
      help: "Requests the target's rate limit grants this client per window (the window in the label, in seconds)",
      labelNames: ['source', 'window_seconds'],
      registers: r,
    });
    this.certificateExpiry = new client.Gauge({
      name: 'temporal_monitor_certificate_expiry_timestamp_seconds',
      help:
        "When the first certificate of the https target's served chain expires (unix seconds); days left: " +
        '(this - time()) / 86400. Absent for an http target',
      registers: r,
    });
    this.deliveries = new client.Counter({
      name: 'temporal_monitor_alert_deliveries_total',
      help: 'Alert notifications sent, by channel and result',
      labelNames: ['channel', 'result'],
      registers: r,
    });
    new client.Gauge({
      name: 'temporal_monitor_alerts_owed',
      help: 'Alert notifications decided but not delivered yet (a channel failing, or held by maintenance)',
      registers: r,
      collect() {
        try {
          if (opts.owedAlerts) this.set(opts.owedAlerts());
        } catch {
          /* the state file is closed: the monitor is stopping */
        }
      },
    });
    new client.Gauge({
      name: 'temporal_monitor_maintenance',
      help: 'In a maintenance window (MONITOR_MAINTENANCE): 1, else 0. Passes run; alerts are held',
      registers: r,
      collect() {
        this.set(opts.inMaintenance?.() ? 1 : 0);
      },
    });
  }

  /** Seeds last-success times from history (a restarted service keeps them). */
  seed(lastSuccess: Map<string, number>, tokenExpireS?: number): void {
    for (const [check, t] of lastSuccess) this.lastSuccess.set({ check }, t / 1000);
    if (tokenExpireS !== undefined) this.tokenExpireS = tokenExpireS;
  }

  record(pass: PassResult): void {
    this.passes.inc({ result: pass.status });
    this.passDuration.set(pass.durationMs / 1000);
    this.lastPass.set(pass.startedAt / 1000);
    if (pass.tokenExpireS !== undefined) this.tokenExpireS = pass.tokenExpireS;
    for (const c of pass.checks) {
      for (const s of STATUSES) this.checkStatus.set({ check: c.name, status: s }, c.status === s ? 1 : 0);
      // Skipped and throttled say nothing of the API: the check's last verdict stands.
      if (c.status !== 'skipped' && c.status !== 'throttled') this.checkUp.set({ check: c.name }, passed(c.status) ? 1 : 0);
      this.checkDuration.set({ check: c.name }, c.durationMs / 1000);
      this.checkAttempts.inc({ check: c.name }, Math.max(0, c.attempts - 1));
      if (passed(c.status)) this.lastSuccess.set({ check: c.name }, pass.startedAt / 1000);
      for (const field of c.drift ?? []) this.countDrift(c.name, field);
    }
    for (const s of pass.steps) this.stepSeconds.observe({ step: s.step }, s.ms / 1000);
    this.stepLast.reset();
    for (const s of pass.steps) this.stepLast.set({ step: s.step }, s.ms / 1000);
    if (pass.tokenLifetimeS !== undefined) this.tokenLifetime.set(pass.tokenLifetimeS);
    const rl = pass.rateLimit;
    const source = rl?.from[0] ?? '';
    if (rl?.remaining !== undefined) this.rateLimitRemaining.set({ source }, rl.remaining);
    if (rl?.limit !== undefined) {
      this.rateLimitLimit.reset();
      this.rateLimitLimit.set({ source, window_seconds: String(rl.windowS) }, rl.limit);
    }
    if (pass.certificate) this.certificateExpiry.set(pass.certificate.notAfterS);
  }

  /** One drifted field of a check: its own series while there is room, else counted under
   *  MORE_DRIFT_FIELDS (as are the fields a capped list hides, `… and N more fields`). */
  private countDrift(check: string, field: string): void {
    const hidden = driftOverflow(field);
    const key = `${check}\n${field}`;
    if (hidden === undefined && (this.driftSeries.has(key) || this.driftSeries.size < MAX_DRIFT_SERIES)) {
      this.driftSeries.add(key);
      this.driftFields.inc({ check, field });
    } else this.driftFields.inc({ check, field: MORE_DRIFT_FIELDS }, hidden ?? 1);
  }

  /** Failed passes in a row per check, after a pass was recorded. */
  recordFailures(failures: ReadonlyMap<string, number>): void {
    for (const [check, n] of failures) this.failuresInRow.set({ check }, n);
  }

  skippedTick(): void {
    this.skippedTicks.inc();
  }

  recordDelivery(channel: string, ok: boolean): void {
    this.deliveries.inc({ channel, result: ok ? 'delivered' : 'failed' });
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** One-shot runs: push this run's metrics to a Pushgateway. Logged, never thrown. */
  async push(url: string, logger?: Logger): Promise<boolean> {
    try {
      const gateway = new (loadPromClient().Pushgateway)(url, { timeout: 10_000 }, this.registry);
      const { resp } = (await gateway.pushAdd({ jobName: 'temporal_monitor', groupings: { target: this.target } })) as {
        resp: import('node:http').IncomingMessage;
      };
      // prom-client takes any status below 400 for success, and follows no redirect: one is a failure.
      const location = redirectLocation(resp.statusCode ?? 0, resp.headers?.location);
      if (location) {
        logger?.warn(
          { reason: `HTTP ${resp.statusCode}` },
          `could not push metrics to the Pushgateway: it answered with a redirect to ${redirectTarget(location, url)}, which is ` +
            'not followed (fix MONITOR_PUSHGATEWAY_URL)',
        );
        return false;
      }
      return true;
    } catch (err) {
      // prom-client quotes the gateway's whole answer: redacted (its credentials, in any form, are known
      // secrets: core/settings.ts), then cut.
      logger?.warn({ reason: excerpt(String((err as Error)?.message), 300) }, 'could not push metrics to the Pushgateway');
      return false;
    }
  }
}

export const METRIC_NAMES = [
  'temporal_monitor_check_status',
  'temporal_monitor_check_success',
  'temporal_monitor_check_duration_seconds',
  'temporal_monitor_check_last_success_timestamp_seconds',
  'temporal_monitor_step_duration_seconds',
  'temporal_monitor_token_seconds_to_expiry',
  'temporal_monitor_passes_total',
  'temporal_monitor_contract_drift_fields',
  'temporal_monitor_check_failures_in_row',
  'temporal_monitor_step_last_duration_seconds',
  'temporal_monitor_token_lifetime_seconds',
  'temporal_monitor_token_expected_lifetime_seconds',
  'temporal_monitor_schedule_interval_seconds',
  'temporal_monitor_skipped_ticks_total',
  'temporal_monitor_alerts_owed',
  'temporal_monitor_maintenance',
  'temporal_monitor_certificate_expiry_timestamp_seconds',
] as const;
