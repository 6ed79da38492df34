// The Grafana dashboard is code (deploy/grafana/dashboard.ts, Grafana Foundation SDK); the committed
// JSON must be what the code makes (regenerate with `npm run generate`), and every panel must query
// the dashboard's Prometheus variable. Whether each query returns data is the end-to-end test's job
// (stack.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  annotationQueries,
  buildDashboard,
  CHECK_STATES,
  DASHBOARD_FILE,
  DATASOURCE,
  dashboardJson,
  panelQueries,
} from '../../deploy/grafana/dashboard.ts';

test('the committed dashboard JSON is what deploy/grafana/dashboard.ts generates', () => {
  const committed = readFileSync(DASHBOARD_FILE, 'utf8');
  assert.ok(committed === dashboardJson(), 'deploy/grafana/temporal-harness.json is stale: run `npm run generate` and commit it');
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

test("the checks timeline shows the monitor's five states (a known issue purple, not red); k6 runs and firing alerts are annotations", () => {
  const d = buildDashboard();
  const timeline = (d.panels ?? []).find((p) => p.title === 'Checks') as {
    targets?: Array<{ expr?: string }>;
    fieldConfig?: { defaults?: { mappings?: Array<{ options: Record<string, { text: string; color: string }> }> } };
  };
  const expr = timeline.targets?.[0]?.expr ?? '';
  for (const s of ['pass', 'degraded', 'known', 'skipped', 'fail'])
    assert.match(expr, new RegExp(`temporal_monitor_check_status\\{[^}]*status="${s}"\\}`));
  assert.doesNotMatch(expr, /check_success/, 'not 0/1');
  const mapping = timeline.fieldConfig?.defaults?.mappings?.[0]?.options ?? {};
  assert.deepEqual(
    Object.entries(mapping).map(([v, m]) => `${v} ${m.text} ${m.color}`),
    CHECK_STATES.map((st, i) => `${i + 1} ${st.text} ${st.color}`),
  );
  assert.equal(mapping['3']?.color, 'purple');
  assert.deepEqual(
    annotationQueries(d).map((a) => a.name),
    ['k6 runs', 'Alerts firing'],
  );
  for (const a of annotationQueries(d)) assert.match(a.expr, /\$target|\$testid/, `${a.name} follows the dashboard's variables`);
});
