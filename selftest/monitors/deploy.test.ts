// The schedule files keep the properties the docs promise: runs never overlap on the state, the
// state persists between one-shot runs, secrets come from the platform's secret store. Read as YAML
// (their validity is checked by actionlint and kubeconform in selftest/ci/).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse, parseAllDocuments } from 'yaml';

interface Step {
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
}

test('the GitHub Actions workflow: schedule + manual runs, one run per environment at a time, state restored and saved', () => {
  const wf = parse(readFileSync('.github/workflows/monitor.yml', 'utf8')) as {
    on: { schedule?: { cron: string }[]; workflow_dispatch?: unknown };
    jobs: { monitor: { concurrency: { 'cancel-in-progress': boolean }; env: Record<string, string>; steps: Step[] } };
  };
  assert.ok(wf.on.schedule?.[0]?.cron, 'a schedule');
  assert.ok('workflow_dispatch' in wf.on);
  const job = wf.jobs.monitor;
  assert.equal(job.concurrency['cancel-in-progress'], false);
  const at = (f: (s: Step) => boolean) => job.steps.findIndex(f);
  const restore = at((s) => s.uses?.startsWith('actions/cache/restore') === true);
  const pass = at((s) => s.run?.includes('npm run monitor -- --once') === true);
  const save = at((s) => s.uses?.startsWith('actions/cache/save') === true);
  assert.ok(restore >= 0 && restore < pass && pass < save, 'state restored, the pass, state saved');
  assert.equal(job.steps[restore]!.with?.path, '.state');
  assert.equal(job.steps[save]!.if, 'always()', 'saved even when the pass failed');
  // A throttled pass (exit 3, the target's rate limit) is a warning, not a failed run.
  assert.match(job.steps[pass]!.run!, /"\$code" -eq 3 .*::warning::.*exit 0/);
  for (const s of ['TARGET_URL', 'MONITOR_USERNAME', 'MONITOR_PASSWORD', 'MONITOR_ALERT_WEBHOOK_URL', 'MONITOR_ALERT_PAGERDUTY_KEY'])
    assert.equal(job.env[s], `\${{ secrets.${s} }}`);
  // Pushed metrics say how often passes are due (TemporalMonitorPassesLate).
  assert.equal(job.env.MONITOR_SCHEDULE, wf.on.schedule?.[0]?.cron, 'MONITOR_SCHEDULE is the workflow schedule');
});

test('the Kubernetes CronJob: Forbid concurrency, the state file on a PVC, secrets from a Secret, one-shot args', () => {
  const docs = parseAllDocuments(readFileSync('deploy/kubernetes/monitor-cronjob.yaml', 'utf8')).map((d) => d.toJS());
  const pvc = docs.find((d) => d.kind === 'PersistentVolumeClaim');
  const cron = docs.find((d) => d.kind === 'CronJob');
  assert.ok(pvc && cron);
  assert.equal(cron.spec.concurrencyPolicy, 'Forbid');
  const pod = cron.spec.jobTemplate.spec.template.spec;
  assert.equal(pod.volumes.find((v: { name: string }) => v.name === 'state').persistentVolumeClaim.claimName, pvc.metadata.name);
  const c = pod.containers[0];
  // One shot; a throttled pass (exit 3) is no failed Job.
  assert.match(c.command.join(' '), /monitors\/main\.ts --once; code=\$\?; \[ "\$code" -eq 3 \] && exit 0; exit \$code$/);
  assert.equal(c.env.find((e: { name: string }) => e.name === 'MONITOR_DB').value, '/state/monitor.db');
  assert.equal(c.envFrom[0].secretRef.name, 'temporal-monitor');
  // One-shot runs report how often they are due (TemporalMonitorPassesLate).
  assert.equal(c.env.find((e: { name: string }) => e.name === 'MONITOR_SCHEDULE').value, cron.spec.schedule);
});
