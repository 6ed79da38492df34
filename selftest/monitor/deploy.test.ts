// The schedule files keep the properties the docs promise: runs never overlap on the state, the
// state persists between one-shot runs, secrets come from the platform's secret store.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

test('the GitHub Actions workflow: schedule + manual runs, one run per environment at a time, state restored and saved', () => {
  const wf = readFileSync('.github/workflows/monitor.yml', 'utf8');
  // Either quote style: Biome formats YAML with double quotes.
  assert.match(wf, /^\s+schedule:\n\s+- cron: (['"])[^'"]+\1/m);
  assert.match(wf, /^\s+workflow_dispatch:/m);
  assert.match(wf, /cancel-in-progress: false/);
  assert.match(
    wf,
    /actions\/cache\/restore@v4[\s\S]*path: \.state[\s\S]*npm run monitor -- --once[\s\S]*actions\/cache\/save@v4[\s\S]*if: always\(\)|if: always\(\)[\s\S]*actions\/cache\/save@v4/,
  );
  assert.equal(/MONITOR_SCHEDULE: (".*")/.exec(wf)?.[1], /- cron: (".*")/.exec(wf)?.[1], 'MONITOR_SCHEDULE is the workflow schedule');
  for (const s of ['TARGET_URL', 'MONITOR_USERNAME', 'MONITOR_PASSWORD', 'MONITOR_ALERT_WEBHOOK_URL', 'MONITOR_ALERT_PAGERDUTY_KEY'])
    assert.match(wf, new RegExp(`${s}: \\$\\{\\{ secrets\\.${s} \\}\\}`));
});

test('the Kubernetes CronJob: Forbid concurrency, the state file on a PVC, secrets from a Secret, one-shot args', () => {
  const k = readFileSync('deploy/kubernetes/monitor-cronjob.yaml', 'utf8');
  assert.match(k, /kind: CronJob/);
  assert.match(k, /concurrencyPolicy: Forbid/);
  assert.match(k, /kind: PersistentVolumeClaim/);
  assert.match(k, /claimName: temporal-monitor-state/);
  assert.match(k, /MONITOR_DB, value: \/state\/monitor\.db/);
  assert.match(k, /secretRef:\n\s+name: temporal-monitor/);
  assert.match(k, /args: \[(['"])--once\1\]/);
  // One-shot runs report how often they are due (TemporalMonitorPassesLate).
  assert.match(k, /MONITOR_SCHEDULE, value: "\*\/5 \* \* \* \*"/);
  assert.match(k, /schedule: "\*\/5 \* \* \* \*"/);
});
