// The monitoring stack end to end, with the real programs on loopback: Prometheus scrapes the monitor
// service (against the bundled reference target, over TLS) and the Pushgateway, evaluates the committed rules
// (their `for:` shortened) and sends to Alertmanager, which routes to a webhook receiver. A fault is
// switched on: the alert must fire in Prometheus, reach Alertmanager and the receiver, and resolve
// when the fault is off. A one-shot `--once` run pushes to the Pushgateway and is scraped. A k6 smoke
// run writes its series by remote write, tagged with its testid, and (failing on purpose) fires the
// load alert. Every query of every Grafana panel must return data from this Prometheus.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { createLogger } from '../../core/logger.ts';
import { annotationQueries, buildDashboard, panelQueries } from '../../deploy/grafana/dashboard.ts';
import { Monitor } from '../../monitors/monitor.ts';
import { startService } from '../../monitors/service.ts';
import { startTarget } from '../support/target.ts';
import { openTargetCa } from '../../reference/tls.ts';
import { trustCaFiles } from '../../core/trust.ts';
import { monitorRunEnv, runCli } from '../support/cli.ts';
import { tempDir } from '../support/temp.ts';
import { testSettings, webhookReceiver } from '../support/monitor.ts';
import { type Program, promQuery, startAlertmanager, startPrometheus, startPushgateway, until } from '../support/stack.ts';

interface AmWebhook {
  status: 'firing' | 'resolved';
  receiver: string;
  alerts: Array<{ status: string; labels: Record<string, string> }>;
}
interface PromAlert {
  labels: Record<string, string>;
  state: string;
}

const LABEL = 'e2e';
const IN_MAINTENANCE = 'e2e-maintenance';

test('Prometheus, Alertmanager and the Pushgateway with the monitor and k6, end to end', { timeout: 240_000 }, async (t) => {
  const started = Date.now();
  const dir = tempDir('hx-stack-');
  const programs: Program[] = [];
  // The monitored target serves TLS, with a CA of its own that the monitor trusts (TARGET_CA_FILE in
  // the one-shot run): its certificate check and certificate metric are in the stack too.
  const ca = openTargetCa();
  await trustCaFiles([ca.caFile]);
  const target = await startTarget({ tls: ca });
  // The one-shot pass has a target of its own: the first subtest switches faults on `target` while that
  // pass may still be running (a loaded CI machine starts it late).
  const onceTarget = await startTarget({ tls: ca });
  const receiver = await webhookReceiver();
  const monitor = new Monitor({
    settings: testSettings(dir, { MONITOR_SCHEDULE: '* * * * * *', MONITOR_EXPECTED_TOKEN_LIFETIME_S: '86400' }),
    url: target.url,
    targetKey: target.url,
    timeline: LABEL,
    targetLabel: LABEL,
    logger: createLogger({ level: 'silent' }),
    processMetrics: true,
  });
  const service = await startService({
    monitor,
    schedule: '* * * * * *',
    host: '127.0.0.1',
    port: 0,
    logger: createLogger({ level: 'silent' }),
  });
  // A second monitor inside a maintenance window that is always on; its target goes down during it.
  const downTarget = await startTarget();
  const maintained = new Monitor({
    settings: testSettings(tempDir('hx-stack-'), { MONITOR_SCHEDULE: '* * * * * *', MONITOR_MAINTENANCE: '* * * * * 1d' }),
    url: downTarget.url,
    targetKey: downTarget.url,
    timeline: IN_MAINTENANCE,
    targetLabel: IN_MAINTENANCE,
    logger: createLogger({ level: 'silent' }),
  });
  const maintainedService = await startService({
    monitor: maintained,
    schedule: '* * * * * *',
    host: '127.0.0.1',
    port: 0,
    logger: createLogger({ level: 'silent' }),
  });
  const hooks = () => receiver.bodies as AmWebhook[];
  const alertsIn = (status: 'firing' | 'resolved') =>
    hooks()
      .filter((h) => h.status === status || h.alerts.some((a) => a.status === status))
      .flatMap((h) =>
        h.alerts.filter((a) => a.status === status).map((a): Record<string, string> => ({ receiver: h.receiver, ...a.labels })),
      );
  try {
    const [pushgateway, alertmanager] = await Promise.all([
      startPushgateway(),
      startAlertmanager({ dir, receiver: receiver.url.replace(/\/hooks.*/, '') }),
    ]);
    programs.push(pushgateway, alertmanager);
    const prometheus = await startPrometheus({
      dir,
      monitors: [service.url, maintainedService.url],
      pushgateway: pushgateway.url,
      alertmanager: alertmanager.url,
      interval: '1s',
    });
    programs.push(prometheus);
    const q = (expr: string) => promQuery(prometheus.url, expr);
    const firingIn = async (name: string, labels: Record<string, string>) =>
      ((await (await fetch(`${prometheus.url}/api/v1/alerts`)).json()) as { data: { alerts: PromAlert[] } }).data.alerts.find(
        (a) => a.labels.alertname === name && a.state === 'firing' && Object.entries(labels).every(([k, v]) => a.labels[k] === v),
      );
    console.log(`stack up in ${((Date.now() - started) / 1000).toFixed(1)} s`);

    // A k6 smoke run into Prometheus by remote write, against its own bundled target answering 5xx
    // half the time: its series arrive, tagged with its testid, and fire the load alert.
    const k6 = runCli(
      process.execPath,
      [
        '--import',
        'tsx',
        'load/runner/main.ts',
        'login',
        '-e',
        'LOAD_DURATION=3s',
        '-e',
        'LOAD_RATE=3',
        '-e',
        'LOAD_POOL_SIZE=1',
        '--',
        '--out',
        'experimental-prometheus-rw',
      ],
      {
        TARGET_URL: '',
        TARGET_FAULTS: 'errors-5xx:0.5',
        CONFIRM_TARGET: '',
        LOAD_PROFILE: 'smoke',
        LOG_FORMAT: 'json',
        REPORTS_DIR: join(dir, 'reports'),
        K6_PROMETHEUS_RW_SERVER_URL: `${prometheus.url}/api/v1/write`,
        K6_PROMETHEUS_RW_PUSH_INTERVAL: '1s',
      },
      120_000,
    );
    // A one-shot pass pushing to the Pushgateway, as a CronJob would, with the room of every monitor run
    // in a test (its latency limits above a loaded 2-core CI machine's slow login): the pass's verdict is
    // not what this test is about, its push is.
    const once = runCli(
      process.execPath,
      ['--import', 'tsx', 'monitors/main.ts', '--once'],
      {
        ...monitorRunEnv(dir),
        TARGET_URL: onceTarget.url,
        TARGET_CA_FILE: ca.caFile,
        TARGET_ENV: 'e2e-once',
        MONITOR_ALERT_PAGERDUTY_KEY: '',
        MONITOR_MAINTENANCE: '',
        MONITOR_DB: join(dir, 'once.db'),
        MONITOR_PUSHGATEWAY_URL: pushgateway.url,
      },
      150_000,
    );

    await t.test('the monitor service is scraped and a fault fires its alert through Alertmanager to the receiver', async () => {
      await until(
        'the monitor scraped, passing',
        async () => (await q(`temporal_monitor_check_success{target="${LABEL}", check="login"} == 1`)).length > 0,
      );
      target.setFaults('token-1h');
      const fired = Date.now();
      const alert = await until('TemporalMonitorCheckFailing firing in Prometheus', () =>
        firingIn('TemporalMonitorCheckFailing', { target: LABEL, check: 'token-lifetime' }),
      );
      assert.equal(alert.labels.severity, 'page');
      await until('the alert in Alertmanager', async () => {
        const am = (await (
          await fetch(`${alertmanager.url}/api/v2/alerts?filter=alertname="TemporalMonitorCheckFailing"`)
        ).json()) as Array<{
          labels: Record<string, string>;
          status: { state: string };
        }>;
        return am.some((a) => a.labels.check === 'token-lifetime' && a.status.state === 'active') || undefined;
      });
      const got = await until('the receiver paged', async () =>
        alertsIn('firing').find((a) => a.alertname === 'TemporalMonitorCheckFailing' && a.check === 'token-lifetime'),
      );
      assert.equal(got.receiver, 'pager', 'severity page is routed to the pager receiver');
      assert.equal(got.target, LABEL);
      // The token lifetime rule sees the 1 h tokens too.
      await until('TemporalMonitorTokenLifetime firing', () => firingIn('TemporalMonitorTokenLifetime', { target: LABEL }));
      console.log(`fault to page: ${((Date.now() - fired) / 1000).toFixed(1)} s`);
      target.setFaults('');
      await until(
        'the resolved notification',
        async () => alertsIn('resolved').find((a) => a.alertname === 'TemporalMonitorCheckFailing' && a.check === 'token-lifetime'),
        30_000,
      );
    });

    await t.test("a maintenance window of the monitor holds its target's pages in Alertmanager (inhibition)", async () => {
      await until('the maintenance window known to Alertmanager', async () => {
        const am = (await (
          await fetch(`${alertmanager.url}/api/v2/alerts?filter=alertname="TemporalMonitorMaintenance"`)
        ).json()) as Array<{
          labels: Record<string, string>;
        }>;
        return am.some((a) => a.labels.target === IN_MAINTENANCE) || undefined;
      });
      downTarget.setFaults('outage');
      await until('TemporalMonitorCheckFailing firing for the target in maintenance', () =>
        firingIn('TemporalMonitorCheckFailing', { target: IN_MAINTENANCE, check: 'login' }),
      );
      assert.ok(await firingIn('TemporalMonitorMaintenance', { target: IN_MAINTENANCE }));
      const suppressed = await until('the page suppressed in Alertmanager', async () => {
        const am = (await (await fetch(`${alertmanager.url}/api/v2/alerts?filter=target="${IN_MAINTENANCE}"`)).json()) as Array<{
          labels: Record<string, string>;
          status: { state: string; inhibitedBy: string[] };
        }>;
        return am.find((a) => a.labels.alertname === 'TemporalMonitorCheckFailing' && a.status.state === 'suppressed');
      });
      assert.ok(suppressed.status.inhibitedBy.length > 0);
      assert.deepEqual(
        alertsIn('firing').filter((a) => a.target === IN_MAINTENANCE),
        [],
        `nothing reached the receiver for the target in maintenance: ` +
          `${JSON.stringify(alertsIn('firing').filter((a) => a.target === IN_MAINTENANCE))}`,
      );
    });

    await t.test('a one-shot --once run lands in the Pushgateway and is scraped', async () => {
      const r = await once;
      assert.equal(r.code, 0, `the one-shot pass failed: ${r.output.slice(-3000)}`);
      const pushed = await (await fetch(`${pushgateway.url}/metrics`)).text();
      assert.match(pushed, /temporal_monitor_check_success\{check="login",instance="",job="temporal_monitor",target="e2e-once"\} 1/);
      assert.match(pushed, /temporal_monitor_check_success\{check="certificate",instance="",job="temporal_monitor",target="e2e-once"\} 1/);
      assert.match(
        pushed,
        /temporal_monitor_certificate_expiry_timestamp_seconds\{instance="",job="temporal_monitor",target="e2e-once"\} \d\.\d+e\+09\n/,
      );
      const series = await until('the pushed series in Prometheus', async () => {
        const s = await q('temporal_monitor_check_success{job="temporal_monitor", target="e2e-once", check="token-lifetime"}');
        return s.length ? s : undefined;
      });
      assert.equal(series[0]!.value![1], '1');
      assert.equal((await q('temporal_monitor_schedule_interval_seconds{target="e2e-once"}'))[0]?.value?.[1], '300');
    });

    let testid = '';
    await t.test('k6 series arrive by remote write, tagged with the run testid, and the failing smoke fires its alert', async () => {
      const r = await k6;
      assert.equal(r.code, 99, `the smoke run fails its thresholds under errors-5xx: ${r.output.slice(-1500)}`);
      testid = /"testid":"(login-smoke-\d{8}T\d{6}Z)"/.exec(r.output)?.[1] ?? '';
      assert.ok(testid, 'the runner logs the testid');
      const reqs = await q(`k6_http_reqs_total{testid="${testid}", name="login"}`);
      assert.ok(reqs.length > 0, `k6 series with testid=${testid}`);
      const p99 = await q(`max(k6_http_req_duration_p99{testid="${testid}", name="login"})`);
      assert.ok(Number(p99[0]?.value?.[1]) > 0 && Number(p99[0]?.value?.[1]) < 10, `p99 in seconds: ${p99[0]?.value?.[1]}`);
      await until('TemporalLoadSmokeFailing firing', () => firingIn('TemporalLoadSmokeFailing', { testid, name: 'login' }));
    });

    await t.test('every Grafana panel and annotation query returns data from this Prometheus', async () => {
      const end = Date.now() / 1000;
      const start = started / 1000;
      const vars: Record<string, string> = {
        $__rate_interval: '5s',
        $__interval: '1s',
        $__range: `${Math.ceil(end - start)}s`,
        $target: LABEL,
        $testid: testid,
      };
      // The annotations' queries too: the k6 run and the alerts that fired are marked on every panel.
      const queries = [
        ...panelQueries(buildDashboard()),
        ...annotationQueries(buildDashboard()).map((a) => ({ panel: `annotation ${a.name}`, expr: a.expr })),
      ];
      assert.ok(queries.length >= 17);
      const dead: string[] = [];
      for (const { panel, expr } of queries) {
        const concrete = expr.replace(/\$__rate_interval|\$__interval|\$__range|\$target|\$testid/g, (v) => vars[v]!);
        const result = await promQuery(prometheus.url, concrete, { start, end, step: 1 });
        if (!result.some((s) => s.values?.length)) dead.push(`${panel}: ${concrete}`);
      }
      assert.deepEqual(dead, [], 'panels without data');
      // The dashboard's variables (Grafana's label_values) find the monitor's target and the k6 run.
      const values = async (label: string, metric: string) =>
        ((await (await fetch(`${prometheus.url}/api/v1/label/${label}/values?match[]=${metric}`)).json()) as { data: string[] }).data;
      assert.ok((await values('target', 'temporal_monitor_last_pass_timestamp_seconds')).includes(LABEL));
      assert.ok((await values('testid', 'k6_http_reqs_total')).includes(testid));
    });
  } finally {
    await service.stop();
    await maintainedService.stop();
    await downTarget.close();
    await Promise.all(programs.map((p) => p.stop()));
    await receiver.close();
    await target.close();
    await onceTarget.close();
    ca.close();
    console.log(`end-to-end stack test: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
});
