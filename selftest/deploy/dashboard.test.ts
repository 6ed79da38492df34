// The Grafana dashboard is code (deploy/grafana/dashboard.ts, Grafana Foundation SDK); the committed
// JSON must be what the code makes (regenerate with `npm run dashboard`), and every panel must query
// the dashboard's Prometheus variable. Whether each query returns data is the end-to-end test's job
// (stack.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { buildDashboard, DASHBOARD_FILE, DATASOURCE, dashboardJson, panelQueries } from '../../deploy/grafana/dashboard.ts';

test('the committed dashboard JSON is what deploy/grafana/dashboard.ts generates', () => {
  const committed = readFileSync(DASHBOARD_FILE, 'utf8');
  assert.ok(committed === dashboardJson(), 'deploy/grafana/temporal-harness.json is stale: run `npm run dashboard` and commit it');
});

test('every panel queries the Prometheus variable, filters by its target or testid, and has a title', () => {
  const d = buildDashboard();
  const panels = (d.panels ?? []).filter((p) => p.type !== 'row');
  assert.ok(panels.length >= 15);
  for (const p of panels) {
    assert.ok(p.title, 'a title');
    assert.deepEqual((p as { datasource?: unknown }).datasource, DATASOURCE, p.title);
  }
  for (const { panel, expr } of panelQueries(d)) assert.match(expr, /\$target|\$testid/, `${panel} follows the dashboard's variables`);
  assert.deepEqual(
    (d.templating?.list ?? []).map((v) => v.name),
    ['datasource', 'target', 'testid'],
  );
});
