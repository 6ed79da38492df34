// The monitor's alerts in Alertmanager's API (MONITOR_ALERTMANAGER_URL): `POST /api/v2/alerts`, as
// Prometheus sends them, so the team's silences, inhibition and routing apply. The alert is the one the
// rules make (deploy/prometheus/rules/temporal-monitor.yml TemporalMonitorCheckFailing: the same
// alertname, severity, target and check labels, so one from each source is one alert in Alertmanager),
// re-posted every pass while it fires with endsAt a few schedule intervals ahead (a monitor that stops
// lets it expire), and posted with endsAt = the recovery when it recovers, which resolves it.
import { dashboardUrl, runbookUrl } from '../core/links.ts';
import type { CheckName, PassResult } from './types.ts';

export interface AlertmanagerAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL?: string;
}

export interface AlertmanagerOptions {
  /** MONITOR_ALERTMANAGER_URL: Alertmanager's base URL (user:password@ sent as Basic auth). */
  url: string;
  /** How long a firing alert stays valid without a new post (a few schedule intervals). */
  validForS: number;
}

export const ALERTNAME = 'TemporalMonitorCheckFailing';

export function alertmanagerAlert(o: {
  pass: PassResult;
  check: CheckName;
  detail: string;
  failures: number;
  sinceMs: number;
  /** Set when it recovered: the alert ends then (resolved). */
  resolvedAtMs?: number;
  nowMs: number;
  validForS: number;
  runbookBase: string;
  grafanaUrl?: string;
  statusUrl?: string;
}): AlertmanagerAlert {
  const target = o.pass.targetLabel;
  return {
    labels: { alertname: ALERTNAME, severity: 'page', target, check: o.check },
    annotations: {
      summary: `[${target}] ${o.check} has failed ${o.failures} passes in a row`,
      description: o.detail,
      runbook_url: runbookUrl(o.runbookBase, ALERTNAME.toLowerCase()),
      ...(o.grafanaUrl ? { dashboard_url: dashboardUrl(o.grafanaUrl, target) } : {}),
      ...(o.statusUrl ? { status_url: o.statusUrl } : {}),
    },
    startsAt: new Date(o.sinceMs).toISOString(),
    endsAt: new Date(o.resolvedAtMs ?? o.nowMs + o.validForS * 1000).toISOString(),
    ...(o.statusUrl ? { generatorURL: o.statusUrl } : {}),
  };
}

/** Where to post and how: the API path under the base URL, credentials moved to a Basic header (fetch
 *  refuses them in a URL). */
export function alertmanagerRequest(base: string): { url: string; headers: Record<string, string> } {
  const u = new URL(base);
  const auth: Record<string, string> =
    u.username || u.password
      ? { authorization: `Basic ${Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString('base64')}` }
      : {};
  u.username = '';
  u.password = '';
  u.pathname = `${u.pathname.replace(/\/+$/, '')}/api/v2/alerts`;
  return { url: u.toString(), headers: auth };
}
