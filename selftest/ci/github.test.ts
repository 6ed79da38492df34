// GitHub Actions' pages: with GITHUB_ACTIONS=true the Playwright config reports each failure
// as an annotation (the github reporter's workflow commands), and `npx tsx release/summary.ts` turns the run's
// JSON report into the step summary: the verdict, the failures grouped by cause, the table. (The
// release check's and the monitor's own summaries: selftest/release/check.test.ts, monitor/cli.test.ts.)
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../support/cli.ts';
import { tempDir } from '../support/temp.ts';

test('GITHUB_ACTIONS=true: a failed test is an annotation on its line; release/summary.ts writes the verdict, the cause and the table', async () => {
  const dir = tempDir('hx-github-');
  const reports = join(dir, 'reports');
  const summary = join(dir, 'step-summary.md');
  const blank = {
    TARGET_URL: '',
    TARGET_GENERATION: '',
    MAIL_INBOX_URL: '',
    SMOKE_USERNAME: '',
    SMOKE_PASSWORD: '',
    GITHUB_STEP_SUMMARY: '',
  };
  // The smoke project against a bundled target whose tokens last 1 h: its token test fails.
  const run = await runCli(
    'npx',
    ['playwright', 'test', '--project=smoke', '--retries=0'],
    { ...blank, GITHUB_ACTIONS: 'true', CI: 'true', TARGET_FAULTS: 'token-1h', REPORTS_DIR: reports },
    120_000,
  );
  assert.equal(run.code, 1, run.output.slice(-2000));
  assert.match(run.stdout, /^::error file=.*tests\/smoke\/smoke\.spec\.ts,title=.*login gives a 24 h HS256 token.*,line=\d+,col=\d+::/m);
  assert.match(run.stdout, /token expires in 1h 0m, expected 24h 0m ± 1m/);
  const r = await runCli(
    process.execPath,
    ['--import', 'tsx', 'release/summary.ts', join(reports, 'results.json')],
    { GITHUB_STEP_SUMMARY: summary },
    60_000,
  );
  assert.equal(r.code, 0, r.output);
  const md = readFileSync(summary, 'utf8');
  assert.match(md, /^## ❌ API tests: failed$/m);
  assert.match(md, /^### Why failed \(1 cause\)\n\n- \*\*token expires in 1h 0m, expected 24h 0m ± 1m\*\*\n {2}- playwright: 1 test$/m);
  assert.match(md, /^\| tests \| playwright \| tests \| 5 \| 4 \| 0 \| 0 \| 1 \| 0 \|/m);
  // Without GITHUB_STEP_SUMMARY it prints the same; a file that is not a report is a bad argument.
  const bad = await runCli(process.execPath, ['--import', 'tsx', 'release/summary.ts', summary], { GITHUB_STEP_SUMMARY: '' }, 60_000);
  assert.equal(bad.code, 2, bad.output);
  assert.match(bad.stderr, /results\.json: expected the path of a Playwright JSON report/);
});
