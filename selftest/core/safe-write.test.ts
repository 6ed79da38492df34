// No file the harness writes is written through a symbolic link (REPORTS_DIR/index.html as a
// link had the release report written through it). Each writer is given its path as a link to a
// "victim" file: the victim must keep its bytes and mode, and the path must hold the harness's file.
import assert from 'node:assert/strict';
import { chmodSync, lstatSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { isSymlink, writeFileReplacing } from '../../core/safe-write.ts';
import { findingsPath, writeFindings, type FindingsFile } from '../../explore/report.ts';
import { type JsonSummary, writeRunReports } from '../../load/runner/k6.ts';
import { writeStatusPage } from '../../monitors/status-page.ts';
import { appendHistory, HISTORY_FILE, readHistory } from '../../release/history.ts';
import { writeReleaseReport } from '../../release/report.ts';
import { runCli } from '../support/cli.ts';
import { tempDir } from '../support/temp.ts';

const VICTIM_TEXT = 'root:x:0:0:root:/root:/bin/bash\n';

/** A link at `path` to a fresh victim file; returns a check that the victim is untouched and the path is a plain file now. */
function plantLink(path: string): () => void {
  const victim = join(tempDir('hx-victim-'), 'passwd-copy');
  writeFileSync(victim, VICTIM_TEXT);
  chmodSync(victim, 0o644);
  mkdirSync(join(path, '..'), { recursive: true });
  symlinkSync(victim, path);
  return () => {
    assert.equal(readFileSync(victim, 'utf8'), VICTIM_TEXT, `written through the link at ${path}`);
    assert.equal(statSync(victim).mode & 0o777, 0o644, `chmod-ed through the link at ${path}`);
    assert.ok(lstatSync(path).isFile(), `${path} is still a link`);
  };
}

const rec = { at: '2026-12-01T10:00:00.000Z', label: 'local', go: true, seconds: 1, failed: 0, flaky: 0, failedParts: [] };

test('each writer replaces a link at its path, never writes through it', () => {
  const reports = tempDir('hx-safe-write-');
  const checks: (() => void)[] = [];

  checks.push(plantLink(join(reports, 'index.html')));
  checks.push(plantLink(join(reports, HISTORY_FILE)));
  const history = appendHistory(reports, rec);
  assert.deepEqual(history, [rec], 'a link is not read as history');
  assert.deepEqual(readHistory(reports), [rec]);
  writeReleaseReport(join(reports, 'index.html'), {
    label: 'local',
    url: 'bundled',
    startedAt: new Date(),
    seconds: 1,
    results: [],
    history,
    loadRuns: [],
  });
  assert.match(readFileSync(join(reports, 'index.html'), 'utf8'), /<h1>Release check: local<\/h1>/);

  const page = join(reports, 'monitor', 'status.html');
  checks.push(plantLink(page));
  writeStatusPage(page, '<html>status</html>');
  assert.equal(readFileSync(page, 'utf8'), '<html>status</html>');

  const run = join(reports, 'load', 'run-1');
  for (const f of ['summary.json', 'junit.xml', 'summary.txt']) checks.push(plantLink(join(run, f)));
  const summary: JsonSummary = {
    script: 'login',
    profile: 'smoke',
    describe: 'login smoke',
    target: 'local',
    startedAt: new Date().toISOString(),
    durationMs: 1000,
    passed: true,
    minChecksRate: 0.99,
    thresholds: [],
    checks: [],
    metrics: {},
  };
  writeRunReports(run, summary);

  checks.push(plantLink(findingsPath(reports)));
  writeFindings(reports, { findings: [] } as unknown as FindingsFile);

  for (const check of checks) check();
});

test('the temporary file cannot be a planted link either, and a folder in the way is an error, not a write elsewhere', () => {
  const dir = tempDir('hx-safe-write-');
  const path = join(dir, 'out.txt');
  writeFileReplacing(path, 'one');
  writeFileReplacing(path, 'two');
  assert.equal(readFileSync(path, 'utf8'), 'two');
  mkdirSync(join(dir, 'a-folder'));
  assert.throws(() => writeFileReplacing(join(dir, 'a-folder'), 'x'));
  assert.equal(isSymlink(join(dir, 'nothing')), false);
});

test("Playwright's report files: a link where a reporter will write is removed before the run", async () => {
  const reports = tempDir('hx-safe-write-pw-');
  const victim = join(tempDir('hx-victim-'), 'passwd-copy');
  writeFileSync(victim, VICTIM_TEXT);
  for (const f of ['junit.xml', 'results.json']) symlinkSync(victim, join(reports, f));
  // Listing the tests loads the configuration in the runner, which is where the links are removed.
  const r = await runCli('npx', ['playwright', 'test', '--list', '--project=smoke'], { REPORTS_DIR: reports, TARGET_URL: '' }, 60_000);
  assert.equal(r.code, 0, r.output);
  for (const f of ['junit.xml', 'results.json']) assert.ok(!isSymlink(join(reports, f)), `${f} is still a link`);
  assert.equal(readFileSync(victim, 'utf8'), VICTIM_TEXT);
});
