// `npm start` (the release check) as a user runs it: GO and exit 0 on a clean target, NO-GO and
// exit 1 naming what broke when the bundled target carries a fault, exit 2 naming a bad setting
// before any traffic. The monitor part alone keeps these quick; the matrix runs every part.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { monitorRunEnv, runCli } from '../support/cli.ts';
import { tempDir } from '../support/temp.ts';

const JWT = /eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+/;

function releaseCheck(env: Record<string, string>) {
  const dir = tempDir('hx-release-test-');
  // Empty values count as unset and keep a developer's .env out of the test.
  const run = runCli('npm', ['start', '-s'], {
    TARGET_URL: '',
    ...monitorRunEnv(dir),
    RELEASE_PARTS: 'monitor',
    RELEASE_TEST_PROJECTS: '',
    ...env,
  });
  return run.then((r) => ({ ...r, report: join(env.REPORTS_DIR ?? join(dir, 'reports'), 'index.html') }));
}

test('a clean bundled target: GO, exit 0, the summary table and an HTML report that says GO, no drift', async () => {
  const r = await releaseCheck({});
  assert.equal(r.code, 0, r.output);
  assert.match(r.stdout, /^part\s+what ran\s+counted\s+ran\s+passed\s+known\s+flaky\s+failed\s+skipped\s+time$/m);
  assert.match(r.stdout, /^monitor\s+monitor pass\s+checks\s+6\s+6\s+0\s+-\s+0\s+0\s/m);
  assert.match(r.stdout, /^GO: 1 of 1 parts passed/m);
  assert.match(readFileSync(r.report, 'utf8'), /GO: every check passed/);
  assert.doesNotMatch(r.stdout, /drift:/, 'no drift on a clean target');
  assert.doesNotMatch(readFileSync(r.report, 'utf8'), /id="drift"/);
});

test('a bundled target with TARGET_FAULTS=token-1h: NO-GO, exit 1, the broken promise in words, no token anywhere', async () => {
  // Under GitHub Actions, the run's page gets the verdict, the causes and the table.
  const summary = join(tempDir('hx-release-summary-'), 'step-summary.md');
  const r = await releaseCheck({ TARGET_FAULTS: 'token-1h', GITHUB_STEP_SUMMARY: summary });
  assert.equal(r.code, 1, r.output);
  assert.match(r.stdout, /faults: token-1h/);
  // Once per cause, the parts and what failed under it.
  assert.match(
    r.stdout,
    /^Why NO-GO \(1 cause\):\n✖ token expires in 1h 0m, expected 24h 0m ± 1m\n {4}monitor pass: 2 checks — token-lifetime; refresh$/m,
  );
  assert.match(
    r.stdout,
    /^Testing: TARGET_VERSION not set · the bundled reference target, as of the harness below · harness [0-9a-f]{12}/m,
  );
  assert.match(r.stdout, /^NO-GO: 0 of 1 parts passed/m);
  const html = readFileSync(r.report, 'utf8');
  assert.match(html, /NO-GO: something failed/);
  assert.doesNotMatch(r.output, JWT);
  assert.doesNotMatch(html, JWT);
  const md = readFileSync(summary, 'utf8');
  assert.match(md, /^## ❌ Release check: local: NO-GO$/m);
  assert.match(md, /^### Why NO-GO \(1 cause\)\n\n- \*\*token expires in 1h 0m, expected 24h 0m ± 1m\*\*\n {2}- monitor pass: 2 checks$/m);
  assert.match(md, /^\| part \| what ran \| counted \|.*\n\|---\|/m);
  assert.match(md, /^\| monitor \| monitor pass \| checks \| 6 \| 4 \|/m);
  assert.doesNotMatch(md, JWT);
});

test('a harmless added field (TARGET_FAULTS=field-added): GO, and one drift line per part in the terminal and the report', async () => {
  const r = await releaseCheck({ TARGET_FAULTS: 'field-added', RELEASE_PARTS: 'tests,monitor', RELEASE_TEST_PROJECTS: 'smoke' });
  assert.equal(r.code, 0, r.output);
  assert.match(r.stdout, /^GO: 2 of 2 parts passed/m);
  // The tests' drift comes from the annotations in Playwright's JSON report, the monitor's from --json.
  assert.match(r.stdout, /^playwright smoke: drift: RequestID \(creditsAvailable\), .*response\.Region \(usage\)$/m);
  assert.match(
    r.stdout,
    /^monitor pass: drift: RequestID \(creditsAvailable\), .*response\.Region \(register\), response\.Region \(usage\)$/m,
  );
  const html = readFileSync(r.report, 'utf8');
  assert.match(html, /<ul id="drift"><li>playwright smoke: drift: RequestID \(creditsAvailable\)/);
  assert.match(html, /<li>monitor pass: drift: /);
});

test('a bad setting stops it before any traffic: exit 2, the setting named, no part started, no report', async () => {
  const r = await releaseCheck({ RELEASE_PARTS: 'tests,lode' });
  assert.equal(r.code, 2, r.output);
  assert.match(r.output, /RELEASE_PARTS: expected a comma-separated list of tests, load, monitor/);
  assert.doesNotMatch(r.output, /▶/);
  assert.equal(existsSync(r.report), false);
});

test('an unknown fault name stops it too, whichever parts run: exit 2 naming TARGET_FAULTS', async () => {
  const r = await releaseCheck({ TARGET_FAULTS: 'token-2h' });
  assert.equal(r.code, 2, r.output);
  assert.match(r.output, /TARGET_FAULTS: unknown fault 'token-2h'/);
  assert.doesNotMatch(r.output, /▶/);
});

// `script` gives the command a pseudo-terminal, as when a person runs `npm start`.
const inTerminal = (env: Record<string, string>) => {
  const dir = tempDir('hx-release-tty-');
  return runCli('script', ['-qec', 'npm start -s', '/dev/null'], {
    TARGET_URL: '',
    TARGET_FAULTS: '',
    RELEASE_PARTS: 'monitor',
    LOG_FORMAT: '',
    MONITOR_DB: join(dir, 'monitor.db'),
    REPORTS_DIR: join(dir, 'reports'),
    ...env,
  });
};
const JSON_LOG_LINE = /│ \{"level":\d+/;

test('at a terminal the parts log pretty lines, not raw JSON; in CI, JSON lines', async () => {
  const human = await inTerminal({ CI: '' });
  assert.equal(human.code, 0, human.output);
  assert.match(human.output, /monitor │ .*INFO.*monitor pass: pass/);
  assert.doesNotMatch(human.output, JSON_LOG_LINE);
  const ci = await inTerminal({ CI: 'true' });
  assert.equal(ci.code, 0, ci.output);
  assert.match(ci.output, JSON_LOG_LINE);
});

test('the trend: each check is appended to the history file and shown with the earlier ones', async () => {
  const dir = tempDir('hx-release-trend-');
  const env = { REPORTS_DIR: join(dir, 'reports'), MONITOR_DB: join(dir, 'monitor.db') };
  const first = await releaseCheck({ ...env, TARGET_FAULTS: 'token-1h' });
  assert.equal(first.code, 1, first.output);
  const second = await releaseCheck(env);
  assert.equal(second.code, 0, second.output);
  assert.match(second.stdout, /^Earlier checks \(newest first\): NO-GO [\d.]+ s, 2 checks failed \(monitor pass\)$/m);
  const lines = readFileSync(join(dir, 'reports', 'release-history.jsonl'), 'utf8')
    .trim()
    .split('\n');
  assert.deepEqual(
    lines.map((l) => (JSON.parse(l) as { go: boolean }).go),
    [false, true],
  );
  const html = readFileSync(join(dir, 'reports', 'index.html'), 'utf8');
  const trend = /<table id="trend">[\s\S]*?<\/table>/.exec(html)?.[0] ?? '';
  assert.deepEqual(
    [...trend.matchAll(/<td class="(go|nogo)">/g)].map((m) => m[1]),
    ['go', 'nogo'],
    'newest first',
  );
});
