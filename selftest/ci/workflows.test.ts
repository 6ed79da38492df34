// The GitHub Actions workflows, checked by the real actionlint (pinned; it runs shellcheck on every
// `run:` script and knows the inputs of the common actions), and the API-tests workflow keeps what the
// README promises: after-deploy and manual triggers, staging secrets, a sharded matrix whose blob
// reports are merged into one HTML report and JUnit, and the k6 smoke as a second job.
import { execa, execaSync } from 'execa';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ensureTool } from '../../core/go-tools.ts';
import { tempDir } from '../support/temp.ts';

const WORKFLOWS = '.github/workflows';
/** A GitHub Actions expression as written in a workflow: gh('secrets.X') is ${{ secrets.X }}. */
const gh = (e: string): string => `\${{ ${e} }}`;

async function actionlint(files: string[], cwd?: string) {
  const bin = await ensureTool('actionlint');
  const shellcheck = execaSync('sh', ['-c', 'command -v shellcheck'], { reject: false }).stdout.trim();
  assert.ok(shellcheck, 'shellcheck is missing (scripts/setup.sh installs it): actionlint would skip the run: scripts');
  const r = await execa(bin, ['-no-color', `-shellcheck=${shellcheck}`, ...files], { cwd, reject: false });
  return { status: r.exitCode, stdout: r.stdout, stderr: r.stderr };
}

test('actionlint finds nothing to report in any workflow', async () => {
  const files = readdirSync(WORKFLOWS)
    .filter((f) => /\.ya?ml$/.test(f))
    .map((f) => join(WORKFLOWS, f));
  assert.ok(files.includes(join(WORKFLOWS, 'api-tests.yml')) && files.length >= 2, files.join(', '));
  const r = await actionlint(files);
  assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
});

test('actionlint does fail on a broken workflow: a misspelt matrix key, an unknown action input, an unquoted shell variable', async () => {
  const dir = tempDir('hx-actionlint-');
  const broken = readFileSync(join(WORKFLOWS, 'api-tests.yml'), 'utf8')
    .replace(`${gh('matrix.shard')}/`, `${gh('matrix.shrad')}/`)
    .replace('merge-multiple: true', 'merge-multiple: true\n          merge-mulitple: true')
    .replace('run: npx playwright merge-reports --config merge.config.ts all-blob-reports', 'run: cd $RUNNER_TEMP && ls');
  writeFileSync(join(dir, 'api-tests.yml'), broken);
  copyFileSync('package.json', join(dir, 'package.json'));
  const r = await actionlint([join(dir, 'api-tests.yml')]);
  assert.equal(r.status, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /property "shrad" is not defined/);
  assert.match(r.stdout, /input "merge-mulitple" is not defined/);
  assert.match(r.stdout, /shellcheck reported issue.*SC2086/);
});

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
}
interface Job {
  needs?: string | string[];
  environment?: string;
  strategy?: { matrix?: Record<string, unknown[]> };
  env?: Record<string, string>;
  steps: Step[];
}
interface Workflow {
  on: Record<string, unknown>;
  env?: Record<string, string>;
  jobs: Record<string, Job>;
}

test('api-tests.yml: after a deploy and by hand, secrets from the staging environment, 4 shards merged, the k6 smoke beside', () => {
  const wf = parse(readFileSync(join(WORKFLOWS, 'api-tests.yml'), 'utf8')) as Workflow;
  assert.ok('workflow_dispatch' in wf.on, 'manual runs');
  assert.ok('deployment_status' in wf.on && 'repository_dispatch' in wf.on, 'after-deploy triggers');
  assert.equal(wf.env?.CI, 'true', 'CI=true: retries, the blob, JUnit and JSON reporters');

  const tests = wf.jobs.tests!;
  assert.equal(tests.environment, 'staging');
  assert.equal(tests.env?.TARGET_URL, gh('secrets.TARGET_URL'));
  assert.equal(tests.env?.SMOKE_PASSWORD, gh('secrets.SMOKE_PASSWORD'));
  assert.ok((tests.strategy?.matrix?.shard ?? []).length >= 2, 'a sharded matrix');
  const pw = tests.steps.find((s) => s.run?.includes('playwright test'))?.run ?? '';
  assert.match(pw, /--shard="\$\{\{ matrix\.shard \}\}\/\$\{\{ strategy\.job-total \}\}"/);
  const blob = tests.steps.find((s) => s.uses?.startsWith('actions/upload-artifact'));
  assert.equal(blob?.with?.path, 'reports/blob', 'each shard uploads the blob report the config writes');

  const report = wf.jobs.report!;
  assert.equal(report.needs, 'tests');
  const download = report.steps.find((s) => s.uses?.startsWith('actions/download-artifact'));
  assert.equal(download?.with?.pattern, 'blob-report-*');
  assert.ok(report.steps.some((s) => s.run === `npx playwright merge-reports --config merge.config.ts ${download?.with?.path}`));
  const uploaded = report.steps.filter((s) => s.uses?.startsWith('actions/upload-artifact')).map((s) => s.with?.path);
  assert.deepEqual(uploaded, ['reports/html', 'reports/junit.xml'], 'the merged HTML report and JUnit as artifacts');

  const load = wf.jobs['load-smoke']!;
  assert.equal(load.env?.TARGET_URL, gh('secrets.TARGET_URL'));
  assert.ok(load.env?.CONFIRM_TARGET, 'k6 refuses a non-local target without CONFIRM_TARGET');
  assert.deepEqual(
    load.steps.filter((s) => s.run?.startsWith('npm run load')).map((s) => s.run),
    ['npm run load -- login', 'npm run load -- credits'],
  );
  assert.equal(load.steps.find((s) => s.uses?.startsWith('grafana/setup-k6-action'))?.with?.['k6-version'], '1.8.1');
});
