// The harness's Grafana dashboard, as code (Grafana Foundation SDK). `npm run generate` writes
// deploy/grafana/temporal-harness.json (committed; import it in Grafana or provision it); a self-test
// checks that the committed JSON is what this file makes, and the end-to-end test runs every
// panel's query against a real Prometheus fed by the monitor and k6, so no panel is dead on arrival.
import { fileURLToPath } from 'node:url';
import * as common from '@grafana/grafana-foundation-sdk/common';
import {
  AnnotationQueryBuilder,
  DashboardBuilder,
  DashboardCursorSync,
  DatasourceVariableBuilder,
  type Dashboard,
  MappingType,
  type DataSourceRef,
  QueryVariableBuilder,
  RowBuilder,
  ThresholdsConfigBuilder,
  ThresholdsMode,
  VariableRefresh,
  VariableSort,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { DataqueryBuilder } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder as StatPanel } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as StateTimelinePanel } from '@grafana/grafana-foundation-sdk/statetimeline';
import { PanelBuilder as TimeseriesPanel } from '@grafana/grafana-foundation-sdk/timeseries';
import { DASHBOARD_UID } from '../../core/links.ts';

export const DASHBOARD_FILE = fileURLToPath(new URL('./temporal-harness.json', import.meta.url));

/** The dashboard's Prometheus, chosen in Grafana with the `datasource` variable. */
// biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's variable syntax, not a template literal
export const DATASOURCE: DataSourceRef = { type: 'prometheus', uid: '${datasource}' };
const ds = DATASOURCE;
const T = 'target=~"$target"';
const K = 'testid=~"$testid"';

const query = (expr: string, legend = '__auto') => new DataqueryBuilder().expr(expr).legendFormat(legend);

/** A check's latest result as one number per series (temporal_monitor_check_status is 1 for the status
 *  it has): pass 1, degraded 2, known 3, skipped 4, fail 5, so the timeline colours each as the status
 *  page does and a known issue's expected failure is not red. An outcome added to the monitor gets its
 *  number and colour here. */
export const CHECK_STATES = [
  { status: 'pass', text: 'pass', color: 'green' },
  { status: 'degraded', text: 'degraded', color: 'yellow' },
  { status: 'known', text: 'known issue', color: 'purple' },
  { status: 'skipped', text: 'skipped', color: 'gray' },
  // The target's rate limit answered: neither a pass nor a failure of the API.
  { status: 'throttled', text: 'throttled', color: 'blue' },
  { status: 'fail', text: 'fail', color: 'red' },
] as const;
const checkStateExpr = (filter: string): string =>
  `max by (target, check) (${CHECK_STATES.map(
    (st, i) => `(temporal_monitor_check_status{${filter}, status="${st.status}"} == 1) * ${i + 1}`,
  ).join(' or ')})`;

const steps = (...colors: Array<[value: number | null, color: string]>) =>
  new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps(colors.map(([value, color]) => ({ value, color })));

function monitorPanels(d: DashboardBuilder): DashboardBuilder {
  return d
    .withRow(new RowBuilder('Synthetic monitor'))
    .withPanel(
      new StatPanel()
        .title('Checks failing now')
        .description("Checks whose latest result is a failure (a known issue's expected failure, skipped and degraded do not count).")
        .datasource(ds)
        .withTarget(query(`sum by (target) (temporal_monitor_check_status{${T}, status="fail"})`, '{{target}}'))
        .thresholds(steps([null, 'green'], [1, 'red']))
        .span(6)
        .height(5),
    )
    .withPanel(
      new StatPanel()
        .title('Uptime (all checks, time range)')
        .description(
          "Share of the time range in which no check failed, as the monitor saw it (as the status page counts: degraded and a known issue's expected failure are up).",
        )
        .datasource(ds)
        .withTarget(
          query(
            `avg_over_time((1 - max by (target) (temporal_monitor_check_status{${T}, status="fail"}))[$__range:$__interval])`,
            '{{target}}',
          ),
        )
        .unit('percentunit')
        .decimals(2)
        .thresholds(steps([null, 'red'], [0.99, 'orange'], [0.999, 'green']))
        .span(6)
        .height(5),
    )
    .withPanel(
      new StatPanel()
        .title('Login error budget left (30 d SLO 99 %)')
        .description('1 − (login error ratio over the range / 1 %). Below 0: the objective is missed.')
        .datasource(ds)
        .withTarget(query(`1 - avg_over_time(temporal_monitor:login_error:bool{${T}}[$__range]) / 0.01`, '{{target}}'))
        .unit('percentunit')
        .thresholds(steps([null, 'red'], [0.25, 'orange'], [0.5, 'green']))
        .span(6)
        .height(5),
    )
    .withPanel(
      new StatPanel()
        .title('Since the last pass')
        .description('Passes are due every temporal_monitor_schedule_interval_seconds; TemporalMonitorPassesLate pages at three intervals.')
        .datasource(ds)
        .withTarget(query(`time() - max by (target) (temporal_monitor_last_pass_timestamp_seconds{${T}})`, '{{target}}'))
        .unit('s')
        .thresholds(steps([null, 'green'], [900, 'red']))
        .span(6)
        .height(5),
    )
    .withPanel(
      new StateTimelinePanel()
        .title('Checks')
        .description("Each check's latest result over time, in the status page's five states: a known issue is purple, not red.")
        .datasource(ds)
        .withTarget(query(checkStateExpr(T), '{{target}} {{check}}'))
        .mappings([
          {
            type: MappingType.ValueToText,
            options: Object.fromEntries(CHECK_STATES.map((st, i) => [String(i + 1), { text: st.text, color: st.color, index: i }])),
          },
        ])
        .showValue(common.VisibilityMode.Never)
        .span(24)
        .height(8),
    )
    .withPanel(
      new TimeseriesPanel()
        .title('Failures in a row per check')
        .description('TemporalMonitorCheckFailing pages at 3.')
        .datasource(ds)
        .withTarget(query(`max by (target, check) (temporal_monitor_check_failures_in_row{${T}})`, '{{target}} {{check}}'))
        .min(0)
        .decimals(0)
        .span(12)
        .height(8),
    )
    .withPanel(
      new TimeseriesPanel()
        .title('Latency per step (latest pass)')
        .description("Each request of the monitor's latest pass; the SLO counts logins over 1 s.")
        .datasource(ds)
        .withTarget(query(`max by (target, step) (temporal_monitor_step_last_duration_seconds{${T}})`, '{{target}} {{step}}'))
        .unit('s')
        .min(0)
        .thresholds(steps([null, 'green'], [1, 'orange'], [2.5, 'red']))
        .thresholdsStyle(new common.GraphThresholdsStyleConfigBuilder().mode(common.GraphThresholdsStyleMode.Dashed))
        .span(12)
        .height(8),
    )
    .withPanel(
      new TimeseriesPanel()
        .title('Latency per step, p95 (service mode)')
        .description('From the histogram the monitor service keeps (one-shot runs push only their own pass).')
        .datasource(ds)
        .withTarget(
          query(
            `histogram_quantile(0.95, sum by (target, step, le) ` +
              `(rate(temporal_monitor_step_duration_seconds_bucket{${T}}[$__rate_interval])))`,
            '{{target}} {{step}}',
          ),
        )
        .unit('s')
        .min(0)
        .span(12)
        .height(8),
    )
    .withPanel(
      new TimeseriesPanel()
        .title('Token lifetime as issued')
        .description("expire − the server's Date header of the latest login, against the promise (24 h ± 60 s).")
        .datasource(ds)
        .withTarget(query(`max by (target) (temporal_monitor_token_lifetime_seconds{${T}})`, '{{target}} issued'))
        .withTarget(query(`max by (target) (temporal_monitor_token_expected_lifetime_seconds{${T}})`, '{{target}} promised'))
        .unit('s')
        .min(0)
        .span(12)
        .height(8),
    )
    .withPanel(
      new TimeseriesPanel()
        .title('Login burn rate (1 h and 6 h)')
        .description('Error ratio ÷ budget (1 %). The fast-burn page needs 14.4 over 1 h and 5 min, or 6 over 6 h and 30 min.')
        .datasource(ds)
        .withTarget(query(`temporal_monitor:login_error:ratio_rate1h{${T}} / 0.01`, '{{target}} availability 1h'))
        .withTarget(query(`temporal_monitor:login_error:ratio_rate6h{${T}} / 0.01`, '{{target}} availability 6h'))
        .withTarget(query(`temporal_monitor:login_slow:ratio_rate1h{${T}} / 0.01`, '{{target}} latency 1h'))
        .min(0)
        .thresholds(steps([null, 'green'], [6, 'orange'], [14.4, 'red']))
        .thresholdsStyle(new common.GraphThresholdsStyleConfigBuilder().mode(common.GraphThresholdsStyleMode.Dashed))
        .span(12)
        .height(8),
    )
    .withPanel(
      new TimeseriesPanel()
        .title('Pass duration and alerts owed')
        .description('Wall time of each pass; alerts the monitor could not deliver yet.')
        .datasource(ds)
        .withTarget(query(`max by (target) (temporal_monitor_pass_duration_seconds{${T}})`, '{{target}} pass duration (s)'))
        .withTarget(query(`max by (target) (temporal_monitor_alerts_owed{${T}})`, '{{target}} alerts owed'))
        .min(0)
        .span(12)
        .height(8),
    )
    .withPanel(
      new TimeseriesPanel()
        .title('TLS certificate: days left')
        .description(
          "Until the first certificate of an https target's served chain expires. The certificate check is degraded under 14 " +
            'days (TemporalCertificateExpiresSoon: a ticket) and fails under 3 (MONITOR_CERT_WARN_DAYS, MONITOR_CERT_FAIL_DAYS).',
        )
        .datasource(ds)
        .withTarget(query(`(min by (target) (temporal_monitor_certificate_expiry_timestamp_seconds{${T}}) - time()) / 86400`, '{{target}}'))
        .unit('d')
        .decimals(1)
        .thresholds(steps([null, 'red'], [3, 'orange'], [14, 'green']))
        .thresholdsStyle(new common.GraphThresholdsStyleConfigBuilder().mode(common.GraphThresholdsStyleMode.Dashed))
        .span(12)
        .height(8),
    );
}

function loadPanels(d: DashboardBuilder): DashboardBuilder {
  const notSetup = 'name!~"setup:.*"';
  return d
    .withRow(new RowBuilder('k6 load runs (remote write)'))
    .withPanel(
      new TimeseriesPanel()
        .title('Requests per second by endpoint')
        .datasource(ds)
        .withTarget(query(`sum by (testid, name) (rate(k6_http_reqs_total{${K}, ${notSetup}}[$__rate_interval]))`, '{{testid}} {{name}}'))
        .unit('reqps')
        .min(0)
        .span(12)
        .height(8),
    )
    .withPanel(
      new TimeseriesPanel()
        .title('Latency p99 by endpoint')
        .description("k6's p99 so far in the run (K6_PROMETHEUS_RW_TREND_STATS adds others).")
        .datasource(ds)
        .withTarget(query(`max by (testid, name) (k6_http_req_duration_p99{${K}, ${notSetup}})`, '{{testid}} {{name}}'))
        .unit('s')
        .min(0)
        .span(12)
        .height(8),
    )
    .withPanel(
      new TimeseriesPanel()
        .title('Errors by endpoint')
        .description('Share of failed requests so far in the run; the smoke threshold is 1 %.')
        .datasource(ds)
        .withTarget(query(`max by (testid, name) (k6_http_req_failed_rate{${K}, ${notSetup}})`, '{{testid}} {{name}}'))
        .unit('percentunit')
        .min(0)
        .thresholds(steps([null, 'green'], [0.01, 'red']))
        .thresholdsStyle(new common.GraphThresholdsStyleConfigBuilder().mode(common.GraphThresholdsStyleMode.Dashed))
        .span(8)
        .height(8),
    )
    .withPanel(
      new TimeseriesPanel()
        .title('Checks passing by endpoint')
        .description('Share of passing checks so far in the run; the smoke threshold is 99 %.')
        .datasource(ds)
        .withTarget(query(`min by (testid, name) (k6_checks_rate{${K}, ${notSetup}})`, '{{testid}} {{name}}'))
        .unit('percentunit')
        .span(8)
        .height(8),
    )
    .withPanel(
      new TimeseriesPanel()
        .title('Virtual users')
        .datasource(ds)
        .withTarget(query(`sum by (testid) (k6_vus{${K}})`, '{{testid}}'))
        .min(0)
        .span(8)
        .height(8),
    );
}

/** The annotations' queries: a k6 run is on while its series come in (k6_vus_max: the VUs it has
 *  allocated, sent every push interval; k6_vus can be 0 between arrivals); an alert while Prometheus fires it. */
export const K6_RUNS_EXPR = `max by (testid) (k6_vus_max{${K}})`;
export const ALERTS_EXPR = `ALERTS{alertstate="firing", alertname=~"Temporal.*", target=~"$target"}`;

export function buildDashboard(): Dashboard {
  const base = new DashboardBuilder('Temporal account API — monitor and load')
    .uid(DASHBOARD_UID)
    .description('The synthetic monitor (service and one-shot runs) and k6 load runs of the Temporal account API harness.')
    .tags(['temporal', 'synthetic-monitoring', 'k6'])
    .editable()
    .tooltip(DashboardCursorSync.Crosshair)
    .refresh('1m')
    .time({ from: 'now-24h', to: 'now' })
    .timezone('utc')
    // On every time panel: when a k6 run was on (its testid), and when an alert fired for the target.
    .annotation(
      new AnnotationQueryBuilder()
        .name('k6 runs')
        .datasource(ds)
        .enable(true)
        .iconColor('#8ab8ff')
        .expr(K6_RUNS_EXPR)
        .titleFormat('k6 run {{testid}}')
        .tagKeys('testid')
        .step('10s'),
    )
    .annotation(
      new AnnotationQueryBuilder()
        .name('Alerts firing')
        .datasource(ds)
        .enable(true)
        .iconColor('#f2495c')
        .expr(ALERTS_EXPR)
        .titleFormat('{{alertname}}')
        .textFormat('{{target}} {{check}} ({{severity}})')
        .tagKeys('alertname,severity')
        .step('30s'),
    )
    .withVariable(new DatasourceVariableBuilder('datasource').label('Prometheus').type('prometheus'))
    .withVariable(
      new QueryVariableBuilder('target')
        .label('Target (TARGET_ENV)')
        .datasource(ds)
        .query('label_values(temporal_monitor_last_pass_timestamp_seconds, target)')
        .refresh(VariableRefresh.OnTimeRangeChanged)
        .sort(VariableSort.AlphabeticalAsc)
        .multi(true)
        .includeAll(true)
        .allValue('.*'),
    )
    .withVariable(
      new QueryVariableBuilder('testid')
        .label('k6 run (testid)')
        .datasource(ds)
        .query('label_values(k6_http_reqs_total, testid)')
        .refresh(VariableRefresh.OnTimeRangeChanged)
        .sort(VariableSort.AlphabeticalDesc)
        .multi(true)
        .includeAll(true)
        .allValue('.*'),
    );
  return loadPanels(monitorPanels(base)).build();
}

/** The dashboard as committed: 2-space JSON with a final newline. */
export const dashboardJson = (): string => `${JSON.stringify(buildDashboard(), null, 2)}\n`;

/** Every annotation's query, with its name. */
export function annotationQueries(d: Dashboard): Array<{ name: string; expr: string }> {
  return (d.annotations?.list ?? []).flatMap((a) => (a.expr ? [{ name: a.name, expr: a.expr }] : []));
}

/** Every query of every panel, with its panel's title. */
export function panelQueries(d: Dashboard): Array<{ panel: string; expr: string }> {
  return (d.panels ?? []).flatMap((p) =>
    'targets' in p && p.targets ? p.targets.map((t) => ({ panel: p.title ?? '?', expr: (t as { expr?: string }).expr ?? '' })) : [],
  );
}
