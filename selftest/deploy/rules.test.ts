// The alert rules' links: every alert carries an absolute runbook_url, the section of
// docs/prometheus.md named after it (the anchor exists), and a dashboard_url on the Grafana dashboard;
// `npm run rules` writes them with RUNBOOK_BASE_URL and GRAFANA_URL in place of the committed
// placeholders, and promtool still takes them.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { execa } from 'execa';
import { parse } from 'yaml';
import { DASHBOARD_UID, DEFAULT_GRAFANA_URL, DEFAULT_RUNBOOK_BASE_URL } from '../../core/links.ts';
import { runCli } from '../support/cli.ts';
import { tempDir } from '../support/temp.ts';

interface Rule {
  alert?: string;
  annotations?: Record<string, string>;
}
const alerts = (dir: string) =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.yml'))
    .flatMap((f) => (parse(readFileSync(join(dir, f), 'utf8')) as { groups: { rules: Rule[] }[] }).groups.flatMap((g) => g.rules))
    .filter((r) => r.alert);

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to dashes. */
const anchors = new Set(
  [...readFileSync('docs/prometheus.md', 'utf8').matchAll(/^#{1,6} (.+)$/gm)].map((m) =>
    m[1]!
      .toLowerCase()
      .replace(/[^\w\s-]/g, '')
      .replace(/\s/g, '-'),
  ),
);

test('every alert links its runbook (an absolute URL to a section that exists) and the dashboard', () => {
  const rules = alerts('deploy/prometheus/rules');
  assert.ok(rules.length >= 12);
  for (const r of rules) {
    const runbook = r.annotations?.runbook_url ?? '';
    assert.ok(runbook.startsWith(`${DEFAULT_RUNBOOK_BASE_URL}/prometheus.md#`), `${r.alert}: runbook_url ${runbook}`);
    assert.ok(anchors.has(runbook.split('#')[1]!), `${r.alert}: no section #${runbook.split('#')[1]} in docs/prometheus.md`);
    assert.ok(r.annotations?.dashboard_url?.startsWith(`${DEFAULT_GRAFANA_URL}/d/${DASHBOARD_UID}`), `${r.alert}: dashboard_url`);
    assert.equal(r.annotations?.runbook, undefined, `${r.alert}: the relative runbook annotation is gone`);
  }
});

test('npm run rules writes them with RUNBOOK_BASE_URL and GRAFANA_URL, and promtool takes them', async () => {
  const out = tempDir('hx-rules-');
  const r = await runCli(
    'npm',
    ['run', '-s', 'rules', '--', '--out', out],
    { RUNBOOK_BASE_URL: 'https://wiki.example.com/temporal/', GRAFANA_URL: 'https://grafana.corp.test' },
    60_000,
  );
  assert.equal(r.code, 0, r.output);
  const rules = alerts(out);
  assert.equal(rules.length, alerts('deploy/prometheus/rules').length);
  for (const rule of rules) {
    assert.match(rule.annotations!.runbook_url!, /^https:\/\/wiki\.example\.com\/temporal\/prometheus\.md#[\w-]+$/);
    assert.match(rule.annotations!.dashboard_url!, /^https:\/\/grafana\.corp\.test\/d\/temporal-account-harness/);
  }
  const check = await execa('promtool', ['check', 'rules', ...readdirSync(out).map((f) => join(out, f))], { reject: false });
  assert.equal(check.exitCode, 0, check.stdout + check.stderr);
  const bad = await runCli('npm', ['run', '-s', 'rules'], {}, 60_000);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--out: expected the folder to write the rules into/);
});
