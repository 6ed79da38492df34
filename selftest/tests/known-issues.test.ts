// Known issues in the Playwright tests: a test a known issue in force names is expected to fail
// (test.fail, a `known-issue` annotation) and counts as known, not failed; if the bug does not
// happen, the test fails and the run says the entry must go. The committed list names real tests,
// and the bundled latest target, which models those bugs, gives the verdicts the real server gives.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { readKnownIssues, testsOf } from '../../core/known-issues.ts';
import { judgeTestReport, type PwReport } from '../../parts/tests.ts';
import { runCli } from '../support/cli.ts';
import { tempDir } from '../support/temp.ts';

/** Runs some spec files against the bundled target; the part's verdict from the JSON report, and the output. */
async function run(files: string[], env: Record<string, string>) {
  const dir = tempDir();
  const json = join(dir, 'results.json');
  const r = await runCli(
    'npx',
    [
      'playwright',
      'test',
      ...files,
      '--project=flow',
      '--reporter=json,list',
      '--retries=0',
      '--trace=off',
      `--output=${join(dir, 'out')}`,
    ],
    { REPORTS_DIR: dir, PLAYWRIGHT_JSON_OUTPUT_FILE: json, FORCE_COLOR: '0', CI: 'false', TARGET_URL: '', ...env },
    180_000,
  );
  const report = JSON.parse(readFileSync(json, 'utf8')) as PwReport;
  return {
    code: r.code,
    output: r.output,
    part: judgeTestReport(report, { name: 'flow', seconds: r.seconds, code: r.code, leak: false, reportsDir: dir }),
  };
}

test('every test title the committed list names is a test of the suite', async () => {
  // Its reports in a folder of its own: a test run writes nothing into the repository.
  const r = await runCli('npx', ['playwright', 'test', '--list'], { TARGET_URL: '', FORCE_COLOR: '0', REPORTS_DIR: tempDir() });
  assert.equal(r.code, 0, r.output);
  for (const k of readKnownIssues())
    for (const title of testsOf(k)) assert.ok(r.stdout.includes(` › ${title}\n`), `${k.id}: no test is titled '${title}'`);
});

test('a known issue that happens is expected (known, not failed); one that no longer happens fails the run and says so', async () => {
  const dir = tempDir();
  const file = join(dir, 'known-issues.json');
  const title = 'credits require a token: 401 without one';
  writeFileSync(
    file,
    JSON.stringify({
      issues: [
        {
          id: 'credits-open',
          where: { generation: 'documented' },
          test: title,
          reason: 'credits answer without a token',
          since: '2026-11-25',
        },
      ],
    }),
  );
  // The bug happens (the credits route mounted outside the auth group): the test fails as expected.
  const happens = await run(['tests/flow/credits.spec.ts'], { KNOWN_ISSUES_FILE: file, TARGET_FAULTS: 'credits-no-auth' });
  assert.equal(happens.code, 0, happens.output);
  assert.equal(happens.part.ok, true);
  assert.deepEqual([happens.part.known, happens.part.failed, happens.part.passed], [1, 0, 1]);
  assert.match(happens.part.knowns![0]!.message!, /^credits-open: credits answer without a token \(known since 2026-11-25\)$/);
  // Fixed: the test passes, so the run fails until the entry is removed, and says why.
  const fixed = await run(['tests/flow/credits.spec.ts'], { KNOWN_ISSUES_FILE: file });
  assert.equal(fixed.code, 1);
  assert.equal(fixed.part.ok, false);
  assert.deepEqual([fixed.part.known, fixed.part.failed], [0, 1]);
  assert.match(fixed.part.failures[0]!.message!, /known issue credits-open no longer happens \(the test passed\)/);
  assert.match(fixed.output, /known issue credits-open no longer happens \(it passed\): the bug looks fixed, so remove its entry/);
});

test("the bundled latest target shows the committed list's bugs as the real server does: each named test fails as expected", async () => {
  // Those of the generation, not those listed for the real server's URL alone.
  const listed = readKnownIssues()
    .filter((k) => k.where.generation === 'latest' && k.where.url === undefined)
    .flatMap(testsOf);
  const r = await run(
    ['tests/flow/login.spec.ts', 'tests/flow/refresh.spec.ts', 'tests/flow/tokens.spec.ts', 'tests/flow/round-trip.spec.ts'],
    { TARGET_GENERATION: 'latest' },
  );
  assert.equal(r.code, 0, r.output);
  assert.equal(r.part.failed, 0);
  assert.equal(r.part.known, listed.length);
  for (const title of listed)
    assert.ok(
      r.part.knowns!.some((f) => f.title.endsWith(` › ${title}`)),
      `'${title}' did not fail as expected`,
    );
});
