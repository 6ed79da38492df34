// npm run rules -- --out <folder>: the Prometheus rules of deploy/prometheus/rules/, written with your
// runbooks and your Grafana in their links (RUNBOOK_BASE_URL, GRAFANA_URL) in place of the committed
// placeholders, for your Prometheus to load (rule_files). The committed files keep the placeholders:
// their promtool tests (npm run test:rules) expect them.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readCommandLine } from '../core/cli.ts';
import { DASHBOARD_UID, DEFAULT_GRAFANA_URL, DEFAULT_RUNBOOK_BASE_URL } from '../core/links.ts';
import { loadSettings, runMain, SettingsError } from '../core/settings.ts';
import { monitorSettings } from '../monitors/settings.ts';

const RULES = fileURLToPath(new URL('../deploy/prometheus/rules/', import.meta.url));
const settingsShape = { RUNBOOK_BASE_URL: monitorSettings.RUNBOOK_BASE_URL, GRAFANA_URL: monitorSettings.GRAFANA_URL };

const { values } = readCommandLine({
  command: 'npm run rules',
  summary: "writes the Prometheus rules with your runbooks' and your Grafana's addresses in their links",
  usage: ['-- --out <folder>'],
  options: { out: { type: 'string', value: 'folder', description: 'where the rule files go (not deploy/prometheus/rules itself)' } },
  settings: settingsShape,
  exits: '0 written, 2 bad settings or no --out',
  examples: [
    'RUNBOOK_BASE_URL=https://wiki.example.com/temporal GRAFANA_URL=https://grafana.example.com npm run rules -- --out /etc/prometheus/rules',
  ],
  notes: ['runbook_url = RUNBOOK_BASE_URL/prometheus.md#<alert>; dashboard_url = GRAFANA_URL/d/temporal-account-harness?var-target=…'],
});

/** A committed rule file with the given bases in its links. */
function withLinks(text: string, runbookBase: string, grafana: string | undefined): string {
  return text
    .replaceAll(`${DEFAULT_RUNBOOK_BASE_URL}/`, `${runbookBase.replace(/\/+$/, '')}/`)
    .replaceAll(`${DEFAULT_GRAFANA_URL}/d/${DASHBOARD_UID}`, `${(grafana ?? DEFAULT_GRAFANA_URL).replace(/\/+$/, '')}/d/${DASHBOARD_UID}`);
}

await runMain(async () => {
  const s = loadSettings(settingsShape);
  if (!values.out) throw new SettingsError(['--out: expected the folder to write the rules into'], 'Bad command line');
  const out = resolve(values.out);
  if (out === resolve(RULES))
    throw new SettingsError(['--out: not deploy/prometheus/rules (its tests expect the placeholders)'], 'Bad command line');
  mkdirSync(out, { recursive: true });
  const files = readdirSync(RULES).filter((f) => f.endsWith('.yml'));
  for (const f of files) writeFileSync(join(out, f), withLinks(readFileSync(join(RULES, f), 'utf8'), s.RUNBOOK_BASE_URL, s.GRAFANA_URL));
  process.stdout.write(
    `wrote ${files.length} rule files to ${out} (runbooks ${s.RUNBOOK_BASE_URL}, Grafana ${s.GRAFANA_URL ?? DEFAULT_GRAFANA_URL})\n`,
  );
  return 0;
});
