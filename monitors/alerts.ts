// Alerts: when a check has failed N passes in a row it fires, once; while it keeps failing a reminder
// goes out every MONITOR_ALERT_REPEAT; on its first pass after that it recovers, once. Each change is
// queued in the state file for every channel (a Slack-compatible webhook, PagerDuty Events v2) and
// delivered apart from the pass, within its own time limit (MONITOR_ALERT_TIMEOUT_MS): a webhook that
// hangs costs a one-shot run at most that long and never holds up the service's schedule. What is not
// delivered stays owed and is tried again after the next pass, also across restarts and one-shot
// runs. Inside a maintenance window alerts are decided as usual but held, and sent when it ends if
// still true (a firing that recovered within the window is never told).
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { humanDuration } from '../core/durations.ts';
import { deadline as timeLimit, redirectLocation, redirectTarget, TransportError } from '../core/http.ts';
import { redactText, redactThenCut } from '../core/redact.ts';
import { dashboardUrl, runbookUrl } from '../core/links.ts';
import { type AlertmanagerOptions, alertmanagerAlert, alertmanagerRequest } from './alertmanager.ts';
import { type ActiveWindow, describeWindow } from './maintenance.ts';
import type { AlertChannel, AlertKind, MonitorState, OwedAlert } from './state.ts';
import { passed, type CheckName, type PassResult } from './types.ts';

export interface SlackMessage {
  text: string;
  blocks: Array<{ type: 'section'; text: { type: 'mrkdwn'; text: string } }>;
}

/** A PagerDuty Events API v2 event, without its routing key (added when it is sent, never stored). */
export interface PagerDutyEvent {
  event_action: 'trigger' | 'resolve';
  dedup_key: string;
  payload?: {
    summary: string;
    source: string;
    severity: 'critical' | 'error' | 'warning' | 'info';
    component: string;
    group: string;
    class: string;
    timestamp: string;
    custom_details: Record<string, unknown>;
  };
  links?: Array<{ href: string; text: string }>;
}

export interface AlertOptions {
  /** The timeline whose owed alerts this monitor delivers (a state file may hold others). */
  timeline: string;
  webhookUrl?: string;
  pagerDuty?: { key: string; url: string };
  /** Alertmanager's API (monitors/alertmanager.ts): the alert posted while it fires, resolved on recovery. */
  alertmanager?: AlertmanagerOptions;
  /** RUNBOOK_BASE_URL and GRAFANA_URL: every channel's alert links the runbook and the dashboard. */
  runbookBase?: string;
  grafanaUrl?: string;
  /** Failed passes in a row before the alert fires. */
  after: number;
  /** Remind while still failing, every this many seconds (0 = never). */
  repeatS?: number;
  /** Retries of one notification within a delivery round. */
  retries: number;
  backoffMs?: number;
  /** Time limit of one request (HTTP_TIMEOUT_MS). */
  requestTimeoutMs?: number;
  /** Time limit of one delivery round, every notification and retry included (MONITOR_ALERT_TIMEOUT_MS). */
  timeoutMs?: number;
  logger?: Logger;
  /** Base URL of the status page, linked from messages when known. */
  statusUrl?: () => string | undefined;
  /** The maintenance window now falls in, if any. */
  maintenance?: (nowMs: number) => ActiveWindow | undefined;
  /** Told of each notification's outcome (metrics). */
  onDelivery?: (channel: AlertChannel, ok: boolean) => void;
}

export interface AlertEvent {
  check: CheckName;
  kind: AlertKind;
  /** The message as people read it (Slack's text). */
  text: string;
  /** Where it was queued; empty when no channel is set (it was logged). */
  channels: AlertChannel[];
}

export interface DeliveryReport {
  delivered: number;
  failed: number;
  /** Notifications still owed after this round. */
  owed: number;
  /** The round stopped at MONITOR_ALERT_TIMEOUT_MS. */
  timedOut: boolean;
  /** Delivery was held by this maintenance window. */
  held?: ActiveWindow;
}

const GROUP = 'temporal-account-api';
const CHANNEL_NAME: Record<AlertChannel, string> = { webhook: 'alert webhook', pagerduty: 'PagerDuty', alertmanager: 'Alertmanager' };

export function alertText(kind: AlertKind, label: string, check: CheckName, detail: string, failures: number, sinceMs?: number): string {
  if (kind === 'firing') return `:red_circle: [${label}] ${check} has failed ${failures} passes in a row: ${detail}`;
  if (kind === 'reminder')
    return (
      `:repeat: [${label}] ${check} is still failing (${failures} passes in a ` +
      `row${sinceMs ? `, for ${humanDuration((Date.now() - sinceMs) / 1000)}` : ''}): ${detail}`
    );
  return `:large_green_circle: [${label}] ${check} passes again: ${detail}`;
}

export function slackMessage(text: string, statusUrl?: string, links: Array<{ href: string; text: string }> = []): SlackMessage {
  const all = [...(statusUrl ? [{ href: statusUrl, text: 'status page' }] : []), ...links];
  const more = all.length ? `\n${all.map((l) => `<${l.href}|${l.text}>`).join(' · ')}` : '';
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: text + more } }] };
}

/** One incident per timeline and check: the trigger and the resolve share this key. */
export const dedupKey = (timeline: string, check: CheckName): string => `temporal-monitor/${timeline}/${check}`;

export function pagerDutyEvent(
  kind: 'firing' | 'recovered',
  pass: PassResult,
  check: CheckName,
  detail: string,
  failures: number,
  statusUrl?: string,
  links: Array<{ href: string; text: string }> = [],
): PagerDutyEvent {
  const dedup_key = dedupKey(pass.target, check);
  if (kind === 'recovered') return { event_action: 'resolve', dedup_key };
  return {
    event_action: 'trigger',
    dedup_key,
    payload: {
      // PagerDuty cuts summaries at 1024 characters: redacted, then cut here, so a cut never
      // leaves a piece of a secret the patterns no longer recognise.
      summary: redactThenCut(`[${pass.targetLabel}] ${check} has failed ${failures} passes in a row: ${detail}`, 1023),
      source: pass.targetLabel,
      severity: 'critical',
      component: check,
      group: GROUP,
      class: 'synthetic check',
      timestamp: new Date(pass.startedAt).toISOString(),
      custom_details: { check, failures, message: detail, timeline: pass.target },
    },
    ...(statusUrl || links.length ? { links: [...(statusUrl ? [{ href: statusUrl, text: 'status page' }] : []), ...links] } : {}),
  };
}

/** Why a request failed, in the transport's words (core/http.ts), never with its URL: a Slack
 *  webhook's URL is itself a secret, so the request is named by its channel only. */
const reasonOf = (err: unknown, channel: string, timeoutMs: number): string => {
  const e = TransportError.from(err, { method: 'POST', url: channel, headers: {}, timeoutMs });
  return TransportError.words[e.kind];
};

export class Alerting {
  private running?: Promise<DeliveryReport>;
  private again = false;
  private readonly inFlight = new Set<number>();
  private readonly stopping = new AbortController();
  /** The maintenance window delivery was last held for (said once per window, not every pass). */
  private heldFor?: string;

  constructor(
    private readonly state: MonitorState,
    private readonly o: AlertOptions,
  ) {}

  get channels(): AlertChannel[] {
    return [
      ...(this.o.webhookUrl ? (['webhook'] as const) : []),
      ...(this.o.pagerDuty ? (['pagerduty'] as const) : []),
      ...(this.o.alertmanager ? (['alertmanager'] as const) : []),
    ];
  }

  /** The runbook and the dashboard, for the webhook's and PagerDuty's messages. */
  private links(targetLabel: string): Array<{ href: string; text: string }> {
    return [
      ...(this.o.runbookBase ? [{ href: runbookUrl(this.o.runbookBase, 'temporalmonitorcheckfailing'), text: 'runbook' }] : []),
      ...(this.o.grafanaUrl ? [{ href: dashboardUrl(this.o.grafanaUrl, targetLabel), text: 'dashboard' }] : []),
    ];
  }

  /**
   * Alertmanager holds the alert's state itself: after every pass, each check that fires is posted
   * again (endsAt pushed ahead), and one that recovered is posted with endsAt at its recovery. Only the
   * newest post of a check is worth delivering: older ones owed are replaced, the kind `firing` kept
   * while Alertmanager has not had the first one (so a recovery it never saw fire is not sent either).
   * `firingSinceMs`: when the run of failures began (undefined: the check is not firing).
   */
  private queueAlertmanager(
    pass: PassResult,
    check: CheckName,
    detail: string,
    failures: number,
    kind: AlertKind | undefined,
    firingSinceMs: number | undefined,
    nowMs: number,
  ): boolean {
    const am = this.o.alertmanager;
    if (!am || firingSinceMs === undefined) return false;
    const stale = this.state
      .owedAlerts(pass.target)
      .filter((a) => a.check === check && a.channel === 'alertmanager' && !this.inFlight.has(a.id));
    const neverTold = stale.some((a) => a.kind === 'firing');
    for (const a of stale) this.state.deleteOwed(a.id);
    if (kind === 'recovered' && neverTold) return false;
    const alert = alertmanagerAlert({
      pass,
      check,
      detail,
      failures,
      sinceMs: firingSinceMs,
      ...(kind === 'recovered' ? { resolvedAtMs: pass.startedAt } : {}),
      nowMs,
      validForS: am.validForS,
      runbookBase: this.o.runbookBase ?? '',
      grafanaUrl: this.o.grafanaUrl,
      statusUrl: this.o.statusUrl?.(),
    });
    this.state.enqueueAlert(pass.target, {
      check,
      channel: 'alertmanager',
      kind: kind === 'recovered' ? 'recovered' : kind === 'firing' || neverTold ? 'firing' : 'reminder',
      payload: [alert],
      createdMs: nowMs,
    });
    return kind === 'firing' || kind === 'recovered';
  }

  /**
   * After a recorded pass: updates each check's alert state and queues what is owed. Synchronous,
   * so the pass never waits for a channel. `failures` = failed passes in a row per check.
   */
  decide(pass: PassResult, secrets: readonly string[], failures: ReadonlyMap<CheckName, number>, nowMs = Date.now()): AlertEvent[] {
    const events: AlertEvent[] = [];
    const channels = this.channels;
    const statusUrl = this.o.statusUrl?.();
    const window = this.o.maintenance?.(nowMs);
    const owed = this.state.owedAlerts(pass.target);
    const owedOf = (check: CheckName, channel: AlertChannel) =>
      owed.filter((a) => a.check === check && a.channel === channel && !this.inFlight.has(a.id));
    for (const check of pass.checks) {
      // Skipped and throttled say nothing of the API: no alert fires, none resolves.
      if (check.status === 'skipped' || check.status === 'throttled') continue;
      const prev = this.state.alertState(pass.target, check.name);
      const n = failures.get(check.name) ?? 0;
      const detail = redactText(check.message, secrets);
      let kind: AlertKind | undefined;
      if (check.status === 'fail' && n >= this.o.after && prev?.state !== 'firing') {
        kind = 'firing';
        this.state.setAlertState(pass.target, check.name, {
          state: 'firing',
          sinceMs: pass.startedAt,
          message: detail,
          remindedAtMs: nowMs,
        });
        // A recovery or reminder not yet told is stale now.
        for (const ch of channels) for (const a of owedOf(check.name, ch)) this.state.deleteOwed(a.id);
      } else if ((passed(check.status) || check.status === 'known') && prev?.state === 'firing') {
        // Passing again, or its failure accepted as a known issue: the incident is over either way.
        kind = 'recovered';
        this.state.setAlertState(pass.target, check.name, { state: 'ok', sinceMs: pass.startedAt, message: detail });
      } else if (
        check.status === 'fail' &&
        prev?.state === 'firing' &&
        (this.o.repeatS ?? 0) > 0 &&
        !window &&
        nowMs - (prev.remindedAtMs ?? prev.sinceMs) >= (this.o.repeatS ?? 0) * 1000
      ) {
        kind = 'reminder';
        this.state.setAlertState(pass.target, check.name, { ...prev, message: detail, remindedAtMs: nowMs });
      }
      // Alertmanager: every pass while it fires, and its recovery (the others: on changes only).
      const firingSince =
        kind === 'recovered'
          ? prev?.sinceMs
          : this.state.alertState(pass.target, check.name)?.state === 'firing'
            ? this.state.alertState(pass.target, check.name)?.sinceMs
            : undefined;
      const toAlertmanager = this.queueAlertmanager(pass, check.name, detail, n, kind, firingSince, nowMs);
      if (!kind) continue;
      const text = alertText(kind, pass.targetLabel, check.name, detail, n, prev?.sinceMs);
      const queued: AlertChannel[] = toAlertmanager ? ['alertmanager'] : [];
      for (const ch of channels.filter((c) => c !== 'alertmanager')) {
        const stale = owedOf(check.name, ch);
        if (kind === 'recovered' && stale.some((a) => a.kind === 'firing')) {
          // Nobody was told it fired: no recovery either.
          for (const a of stale) this.state.deleteOwed(a.id);
          continue;
        }
        if (kind === 'recovered') for (const a of stale) this.state.deleteOwed(a.id);
        // PagerDuty re-notifies by its own escalation policy: reminders go to the webhook only.
        if (kind === 'reminder' && (ch === 'pagerduty' || stale.length)) continue;
        const links = this.links(pass.targetLabel);
        const payload =
          ch === 'webhook'
            ? slackMessage(text, statusUrl, links)
            : pagerDutyEvent(kind === 'recovered' ? 'recovered' : 'firing', pass, check.name, detail, n, statusUrl, links);
        this.state.enqueueAlert(pass.target, { check: check.name, channel: ch, kind, payload, createdMs: nowMs });
        queued.push(ch);
      }
      if (!channels.length)
        this.o.logger?.info(
          { check: check.name, kind },
          `alert (no MONITOR_ALERT_WEBHOOK_URL, MONITOR_ALERT_PAGERDUTY_KEY or MONITOR_ALERTMANAGER_URL ` +
            `set${window ? `; ${describeWindow(window, nowMs)}` : ''}): ${text}`,
        );
      events.push({ check: check.name, kind, text, channels: queued });
    }
    return events;
  }

  /** Delivers what is owed, one round at a time (a call during a round gets that round, which then
   *  runs once more). Never throws; bounded by MONITOR_ALERT_TIMEOUT_MS per round. */
  deliver(): Promise<DeliveryReport> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      let report: DeliveryReport;
      do {
        this.again = false;
        report = await this.round().catch((err: unknown) => {
          this.o.logger?.error({ reason: (err as Error)?.message }, 'alert delivery failed; the alerts stay owed');
          return { delivered: 0, failed: 0, owed: -1, timedOut: false };
        });
      } while (this.again && !this.stopping.signal.aborted);
      return report;
    })().finally(() => (this.running = undefined));
    return this.running;
  }

  /** Ends any delivery in progress (its alerts stay owed) and waits for it. */
  async stop(): Promise<void> {
    this.stopping.abort();
    await this.running;
  }

  private async round(): Promise<DeliveryReport> {
    const log = this.o.logger;
    const owed = this.state.owedAlerts(this.o.timeline);
    const report: DeliveryReport = { delivered: 0, failed: 0, owed: owed.length, timedOut: false };
    if (!owed.length || this.stopping.signal.aborted) return report;
    const window = this.o.maintenance?.(Date.now());
    if (window) {
      if (this.heldFor !== `${window.spec}@${window.startMs}`)
        log?.info({ owed: owed.length }, `alerts held: ${describeWindow(window)}; they are sent when it ends if still true`);
      this.heldFor = `${window.spec}@${window.startMs}`;
      return { ...report, held: window };
    }
    const limitMs = this.o.timeoutMs ?? 10_000;
    const deadline = Date.now() + limitMs;
    // A notification that failed holds back the later ones of its check and channel (order matters:
    // a resolve must not overtake its trigger).
    const blocked = new Set<string>();
    for (const a of owed) {
      const key = `${a.target}\n${a.check}\n${a.channel}`;
      if (blocked.has(key)) continue;
      if (!this.channels.includes(a.channel)) {
        log?.warn(
          { check: a.check, kind: a.kind, channel: a.channel },
          `dropped an owed alert: ${CHANNEL_NAME[a.channel]} is no longer set`,
        );
        this.state.deleteOwed(a.id);
        continue;
      }
      if (Date.now() >= deadline || this.stopping.signal.aborted) {
        report.timedOut = !this.stopping.signal.aborted;
        break;
      }
      this.inFlight.add(a.id);
      let ok = false;
      try {
        ok = await this.send(a, deadline);
      } finally {
        this.inFlight.delete(a.id);
      }
      this.o.onDelivery?.(a.channel, ok);
      if (ok) {
        this.state.deleteOwed(a.id);
        report.delivered++;
      } else {
        this.state.countAttempt(a.id);
        blocked.add(key);
        report.failed++;
        if (Date.now() >= deadline && !this.stopping.signal.aborted) {
          report.timedOut = true;
          break;
        }
      }
    }
    report.owed = this.state.owedCount(this.o.timeline);
    if (report.timedOut)
      log?.warn(
        { limitMs, owed: report.owed },
        `alert delivery stopped at its time limit (MONITOR_ALERT_TIMEOUT_MS=${limitMs}); ${report.owed} alert(s) still owed, ` +
          `tried again after the next pass`,
      );
    else if (report.failed)
      log?.error(
        { owed: report.owed },
        `${report.failed} alert(s) could not be delivered after all retries; they stay owed and are tried again after the next pass`,
      );
    return report;
  }

  /** One notification, retried with back-off, within the round's deadline. */
  private async send(a: OwedAlert, deadline: number): Promise<boolean> {
    const name = CHANNEL_NAME[a.channel];
    const retries = this.o.retries;
    const backoff = this.o.backoffMs ?? 1000;
    for (let n = 1; n <= retries + 1; n++) {
      const left = deadline - Date.now();
      if (left <= 0 || this.stopping.signal.aborted) return false;
      // A real timer (core/http.ts deadline): an AbortSignal.timeout inside AbortSignal.any may be
      // collected and never fire, and a hanging webhook would then hold the round for minutes.
      const limit = timeLimit(Math.min(this.o.requestTimeoutMs ?? 10_000, left), this.stopping.signal);
      try {
        const am = a.channel === 'alertmanager' ? alertmanagerRequest(this.o.alertmanager!.url) : undefined;
        const [url, body] =
          a.channel === 'webhook'
            ? [this.o.webhookUrl!, a.payload]
            : am
              ? [am.url, a.payload]
              : [this.o.pagerDuty!.url, { routing_key: this.o.pagerDuty!.key, ...(a.payload as PagerDutyEvent) }];
        // The URL is the canonical one the settings' URL rules gave (core/url.ts). A redirect is not
        // followed: it would carry the routing key or the alert to a host nobody configured.
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...am?.headers },
          body: JSON.stringify(body),
          signal: limit.signal,
          redirect: 'manual',
        });
        // The answer's body is not needed: do not read what a broken receiver might send forever.
        await res.body?.cancel().catch(() => undefined);
        if (res.ok) return true;
        const location = redirectLocation(res.status, res.headers.get('location'));
        if (location)
          this.o.logger?.warn(
            { status: res.status, attempt: n, check: a.check, kind: a.kind },
            `${name} answered ${res.status}, a redirect to ${redirectTarget(location, url)}, which is not followed: the alert is not ` +
              'delivered (fix the URL)',
          );
        else this.o.logger?.warn({ status: res.status, attempt: n, check: a.check, kind: a.kind }, `${name} answered with an error status`);
      } catch (err) {
        const reason = reasonOf(err, name, this.o.requestTimeoutMs ?? 10_000);
        this.o.logger?.warn({ reason, attempt: n, check: a.check, kind: a.kind }, `${name} could not be reached: ${reason}`);
      } finally {
        limit.clear();
      }
      if (n <= retries) {
        const wait = Math.min(backoff * 2 ** (n - 1), deadline - Date.now());
        if (wait > 0) await sleep(wait, undefined, { signal: this.stopping.signal }).catch(() => undefined);
      }
    }
    this.o.logger?.warn({ attempts: retries + 1, check: a.check, kind: a.kind }, `${name} failed after all retries`);
    return false;
  }
}
