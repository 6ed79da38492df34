// Alerts: a Slack-compatible webhook ({text, blocks}) when a check has failed N passes in a row,
// once, and a recovery message when it passes again. The state lives in the state DB, so counting
// survives restarts and one-shot runs. A webhook that fails is retried, logged, and owed: the next
// pass tries again. It never stops the monitor.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { redactText } from '../core/redact.ts';
import type { MonitorState } from './state.ts';
import { passed, type CheckName, type PassResult } from './types.ts';

export interface AlertOptions {
  webhookUrl?: string;
  /** Failed passes in a row before the alert fires. */
  after: number;
  retries: number;
  backoffMs?: number;
  timeoutMs?: number;
  logger?: Logger;
  /** Base URL of the status page, linked from messages when known. */
  statusUrl?: string;
}

export interface SlackMessage {
  text: string;
  blocks: Array<{ type: 'section'; text: { type: 'mrkdwn'; text: string } }>;
}

export interface AlertEvent {
  check: CheckName;
  kind: 'firing' | 'recovered';
  message: SlackMessage;
  delivered: boolean;
}

export function alertMessage(
  kind: 'firing' | 'recovered',
  label: string,
  check: CheckName,
  detail: string,
  failures: number,
  statusUrl?: string,
): SlackMessage {
  const text =
    kind === 'firing'
      ? `:red_circle: [${label}] ${check} has failed ${failures} passes in a row: ${detail}`
      : `:large_green_circle: [${label}] ${check} passes again: ${detail}`;
  const more = statusUrl ? `\n<${statusUrl}|status page>` : '';
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: text + more } }] };
}

/** POSTs the message; true when the webhook answered 2xx. Retries with back-off; never throws. */
export async function sendWebhook(
  url: string,
  message: SlackMessage,
  o: Pick<AlertOptions, 'retries' | 'backoffMs' | 'timeoutMs' | 'logger'>,
): Promise<boolean> {
  const backoff = o.backoffMs ?? 1000;
  for (let n = 1; n <= o.retries + 1; n++) {
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(message),
        signal: AbortSignal.timeout(o.timeoutMs ?? 10_000),
      });
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) return true;
      o.logger?.warn({ status: res.status, attempt: n }, 'alert webhook answered with an error status');
    } catch (err) {
      // The webhook URL is itself a secret (Slack's carries a token): log the reason only.
      o.logger?.warn(
        {
          reason: (err as Error)?.cause ? String((err as { cause: { code?: string } }).cause.code ?? 'error') : (err as Error)?.name,
          attempt: n,
        },
        'alert webhook could not be reached',
      );
    }
    if (n <= o.retries) await sleep(backoff * 2 ** (n - 1));
  }
  o.logger?.error({ attempts: o.retries + 1 }, 'alert webhook failed after all retries; the alert will be tried again after the next pass');
  return false;
}

/**
 * Updates alert state after a recorded pass and sends what is owed. A check fires after `after`
 * failures in a row and recovers on its first pass; each change is told once.
 */
export async function processAlerts(state: MonitorState, pass: PassResult, secrets: string[], o: AlertOptions): Promise<AlertEvent[]> {
  const events: AlertEvent[] = [];
  for (const check of pass.checks) {
    if (check.status === 'skipped') continue;
    const prev = state.alertState(pass.target, check.name);
    const failures = state.consecutiveFailures(pass.target, check.name);
    let next = prev;
    if (check.status === 'fail' && failures >= o.after && prev?.state !== 'firing')
      next = { state: 'firing', notified: false, sinceMs: pass.startedAt, message: redactText(check.message, secrets) };
    else if (check.status === 'fail' && prev?.state === 'ok' && !prev.notified)
      // A recovery not yet told is stale once the check fails again.
      next = { ...prev, notified: true };
    else if (passed(check.status) && prev?.state === 'firing')
      // A firing nobody was told about needs no recovery message either.
      next = { state: 'ok', notified: !prev.notified, sinceMs: pass.startedAt, message: redactText(check.message, secrets) };
    if (!next) continue;
    if (next !== prev) state.setAlertState(pass.target, check.name, next);
    if (next.notified) continue;
    const kind = next.state === 'firing' ? 'firing' : 'recovered';
    const message = alertMessage(kind, pass.targetLabel, check.name, next.message, failures, o.statusUrl);
    let delivered = false;
    if (o.webhookUrl) delivered = await sendWebhook(o.webhookUrl, message, o);
    else o.logger?.info({ check: check.name, kind }, `alert (no MONITOR_ALERT_WEBHOOK_URL set): ${message.text}`);
    if (delivered || !o.webhookUrl) state.setAlertState(pass.target, check.name, { ...next, notified: true });
    events.push({ check: check.name, kind, message, delivered });
  }
  return events;
}
