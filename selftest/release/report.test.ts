// The release report says what happened: each failed test with its scrubbed error (not only its
// title), flaky tests listed apart from the ones that passed at once, a unit per row, the trend,
// and the latest heavy k6 runs with their dashboards.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { judgeTestReport, type PwReport } from '../../release/parts.ts';
import { appendHistory, readHistory } from '../../release/history.ts';
import { writeReleaseReport } from '../../release/report.ts';
import { rowsOf } from '../../release/table.ts';
import { tempDir } from '../support/temp.ts';

const JWT = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpZCI6Imh4In0.c2lnbmF0dXJlLXNpZ25hdHVyZQ';
const ESC = String.fromCharCode(27);

const report: PwReport = {
  stats: { expected: 1, unexpected: 1, flaky: 1, skipped: 1 },
  suites: [
    {
      title: 'login.spec.ts',
      suites: [
        {
          title: 'login',
          specs: [
            {
              title: 'gives a 24 h token',
              file: 'login.spec.ts',
              tests: [
                {
                  status: 'unexpected',
                  projectName: 'flow',
                  results: [
                    {
                      status: 'failed',
                      errors: [
                        {
                          message:
                            `Error: ${ESC}[31mtoken expires in 1h 0m, expected 24h 0m ± ` +
                            `1m${ESC}[39m\n\nAuthorization: Bearer ${JWT}\n`,
                        },
                      ],
                    },
                  ],
                },
              ],
            },
            {
              title: 'refuses a wrong password',
              file: 'login.spec.ts',
              tests: [
                {
                  status: 'flaky',
                  projectName: 'flow',
                  results: [
                    { status: 'timedOut', errors: [{ message: 'Test timeout of 30000ms exceeded.' }] },
                    { status: 'passed', errors: [] },
                  ],
                },
              ],
            },
            {
              title: 'works',
              file: 'login.spec.ts',
              tests: [{ status: 'expected', projectName: 'flow', results: [{ status: 'passed' }] }],
            },
            {
              title: 'needs a key',
              file: 'login.spec.ts',
              tests: [{ status: 'skipped', projectName: 'flow', results: [{ status: 'skipped' }] }],
            },
          ],
        },
      ],
    },
  ],
};

test('a failed test carries its error, scrubbed and without colour codes; a flaky one is listed, not counted as passed', () => {
  const r = judgeTestReport(report, { name: 'playwright flow', seconds: 3, code: 1, leak: false, reportsDir: 'reports' });
  assert.deepEqual([r.total, r.passed, r.flaky, r.failed, r.skipped], [3, 1, 1, 1, 1]);
  assert.equal(r.failures.length, 1);
  assert.equal(r.failures[0]!.title, '[flow] login.spec.ts › login › gives a 24 h token');
  assert.match(r.failures[0]!.message!, /^Error: token expires in 1h 0m, expected 24h 0m ± 1m\n\nAuthorization: Bearer \[redacted\]$/);
  assert.deepEqual(r.flakes, [
    { title: '[flow] login.spec.ts › login › refuses a wrong password', message: 'Test timeout of 30000ms exceeded.' },
  ]);
  assert.deepEqual(rowsOf([r])[0], ['tests', 'playwright flow', 'tests', '3', '1', '0', '1', '1', '1', '3.0 s']);
});

test('the HTML report: the error under the test, the flaky section, the trend, the load dashboards', () => {
  const dir = tempDir('hx-release-report-');
  const tests = judgeTestReport(report, { name: 'playwright flow', seconds: 3, code: 1, leak: false, reportsDir: dir });
  writeFileSync(join(dir, 'dashboard.html'), '<html></html>');
  appendHistory(dir, { at: '2026-11-24T10:00:00.000Z', label: 'staging', go: true, seconds: 30.1, failed: 0, flaky: 0, failedParts: [] });
  const history = appendHistory(dir, {
    at: '2026-11-25T10:00:00.000Z',
    label: 'staging',
    go: false,
    seconds: 41.9,
    failed: 1,
    flaky: 1,
    failedParts: ['playwright flow'],
  });
  const file = join(dir, 'index.html');
  writeReleaseReport(file, {
    label: 'staging',
    url: 'https://api.staging.example.com',
    startedAt: new Date('2026-11-25T10:00:00Z'),
    seconds: 41.9,
    results: [tests],
    history,
    loadRuns: [
      {
        script: 'credits',
        profile: 'stress',
        startedAt: '2026-11-25T09:00:00.000Z',
        passed: true,
        summary: join(dir, 'summary.txt'),
        dashboard: join(dir, 'dashboard.html'),
      },
    ],
  });
  const html = readFileSync(file, 'utf8');
  assert.match(html, /gives a 24 h token<\/span><pre>Error: token expires in 1h 0m, expected 24h 0m ± 1m/);
  assert.doesNotMatch(html, /eyJ/);
  assert.match(html, /<div id="flaky">[\s\S]*refuses a wrong password<\/span><pre>Test timeout of 30000ms exceeded\.<\/pre>/);
  assert.match(html, /<th>counted<\/th>[\s\S]*<td>tests<\/td>/);
  assert.match(html, /<table id="trend">[\s\S]*NO-GO[\s\S]*41\.9 s[\s\S]*GO[\s\S]*30\.1 s/);
  assert.match(html, /<table id="load-runs">[\s\S]*stress[\s\S]*<a href="dashboard\.html">dashboard<\/a>/);
});

test('the history file survives a torn line and keeps only the newest checks', () => {
  const dir = tempDir('hx-release-history-');
  const rec = { at: '2026-11-25T10:00:00.000Z', label: 'local', go: true, seconds: 1, failed: 0, flaky: 0, failedParts: [] };
  appendHistory(dir, rec);
  writeFileSync(join(dir, 'release-history.jsonl'), `${readFileSync(join(dir, 'release-history.jsonl'), 'utf8')}{"at":"2026-11-25T1`);
  for (let i = 0; i < 205; i++) appendHistory(dir, { ...rec, seconds: i });
  const all = readHistory(dir);
  assert.equal(all.length, 200);
  assert.equal(all.at(-1)!.seconds, 204);
});

test('the report holds no known secret in any form a part quoted it in (issue 21)', async () => {
  const { addKnownSecret } = await import('../../core/redact.ts');
  const secret = 'rel "two  spaces" \\ é';
  addKnownSecret(secret);
  const dir = tempDir('hx-release-report-');
  const forms = [secret, JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret), Buffer.from(`u:${secret}`).toString('base64')];
  const tests = judgeTestReport(report, { name: 'playwright flow', seconds: 3, code: 1, leak: false, reportsDir: dir });
  tests.failures.push({ title: `login as ${forms[0]}`, message: forms.join('\n') });
  const file = join(dir, 'index.html');
  writeReleaseReport(file, {
    label: 'local',
    url: 'bundled',
    startedAt: new Date(),
    seconds: 1,
    results: [tests],
    history: [],
    loadRuns: [],
  });
  const html = readFileSync(file, 'utf8');
  for (const f of [...forms, 'two  spaces', 'two spaces']) assert.ok(!html.includes(f), `${f} in the report`);
  assert.match(html, /login as \[redacted\]/);
});
