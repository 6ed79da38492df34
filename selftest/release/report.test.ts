// The release report says what happened: each failed test with its scrubbed error (not only its
// title), flaky tests listed apart from the ones that passed at once, a unit per row, the trend,
// and the latest heavy k6 runs with their dashboards.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { causesText, groupCauses } from '../../release/causes.ts';
import { judgeTestReport, type PwReport } from '../../parts/tests.ts';
import type { PartResult } from '../../parts/result.ts';
import { testedText, whatIsTested } from '../../release/tested.ts';
import { appendHistory, readHistory } from '../../release/history.ts';
import { writeReleaseReport } from '../../release/report.ts';
import { rowsOf } from '../../parts/table.ts';
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

test('the report holds no known secret in any form a part quoted it in', async () => {
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

// ---- the causes at the top, what was tested, links to each failed test's report entry and
// trace, and a trend whose counts are kept apart ----

/** The fault token-1h as three parts report it (the words of a real run of `TARGET_FAULTS=token-1h npm start`). */
function token1hResults(dir: string): PartResult[] {
  const bullets = (head: string) =>
    `Error: ${head}:\n  - token expires in 1h 0m, expected 24h 0m ± 1m (expire=2026-12-06T19:32:41Z, measured from the ` +
    `server's Date header)\n  - the token's exp − orig_iat is 1h 0m, expected 24h 0m`;
  const spec = (title: string, id: string, head: string): PwReport['suites'][number]['specs'] & object => [
    {
      title,
      file: 'login.spec.ts',
      id,
      tests: [
        {
          status: 'unexpected',
          projectName: 'flow',
          results: [
            {
              status: 'failed',
              errors: [{ message: bullets(head) }],
              attachments: [{ name: 'trace', path: join(dir, 'test-results', id, 'trace.zip') }],
            },
          ],
        },
      ],
    },
  ];
  const tests = judgeTestReport(
    {
      stats: { expected: 0, unexpected: 2, flaky: 0, skipped: 0 },
      suites: [
        {
          title: 'login.spec.ts',
          specs: [
            ...spec('gives a 24 h token', 'aaa-111', 'the login token does not keep the contract'),
            ...spec('refresh keeps orig_iat', 'bbb-222', 'the refreshed token does not keep the contract'),
          ],
        },
      ],
    },
    { name: 'playwright flow', seconds: 3, code: 1, leak: false, reportsDir: dir },
  );
  tests.reports = [{ label: 'Playwright report', path: join(dir, 'html', 'index.html') }];
  const base = { known: 0, flaky: 0, skipped: 0, seconds: 1, ok: false, flakes: [], reports: [], verdicts: [] };
  return [
    tests,
    {
      ...base,
      part: 'load',
      name: 'k6 login smoke',
      unit: 'thresholds',
      total: 6,
      passed: 5,
      failed: 1,
      failures: [
        { title: 'threshold crossed: checks{name:login} rate>=0.99 (rate=83.33%)' },
        { title: 'check "login: expire is 24h ahead": 10 of 10 failed' },
      ],
    },
    {
      ...base,
      part: 'monitor',
      name: 'monitor pass',
      unit: 'checks',
      total: 6,
      passed: 4,
      failed: 2,
      failures: [
        {
          title:
            "token-lifetime: token expires in 1h 0m, expected 24h 0m ± 1m (expire=2026-12-06T19:33:30Z, measured from the server's " +
            "Date header); the token's exp − orig_iat is 1h 0m, expected 24h 0m",
        },
        { title: 'refresh: the refreshed token: token expires in 1h 0m, expected 24h 0m ± 1m (expire=2026-12-06T19:33:42Z)' },
      ],
    },
  ];
}

test('failures grouped by cause across parts: one line per cause, the parts and their counts under it', () => {
  const causes = groupCauses(token1hResults(tempDir('hx-release-causes-')));
  assert.deepEqual(
    causes.map((c) => [c.text, c.parts.map((p) => `${p.name} ${p.findings.length}`)]),
    [
      ['token expires in 1h 0m, expected 24h 0m ± 1m', ['playwright flow 2', 'monitor pass 2']],
      // The checks{} threshold is crossed because the check failed: said once, as the check.
      ['k6 check "login: expire is 24h ahead" failed', ['k6 login smoke 1']],
    ],
  );
  assert.equal(
    causesText(causes, 'Why NO-GO'),
    [
      'Why NO-GO (2 causes):',
      '✖ token expires in 1h 0m, expected 24h 0m ± 1m',
      '    playwright flow: 2 tests — [flow] login.spec.ts › gives a 24 h token; [flow] login.spec.ts › refresh keeps orig_iat',
      '    monitor pass: 2 checks — token-lifetime; refresh',
      '✖ k6 check "login: expire is 24h ahead" failed',
      '    k6 login smoke: 1 failure — check "login: expire is 24h ahead": 10 of 10 failed',
    ].join('\n'),
  );
  // Another verdict (INCONCLUSIVE, say) groups whatever findings made it, the same way.
  assert.equal(groupCauses(token1hResults(tempDir('hx-release-causes-')), (r) => r.flakes).length, 0);
});

test('the report: the causes at the top, what was tested, each failed test linked to its HTML report entry and trace; the trend keeps counts apart', () => {
  const dir = tempDir('hx-release-report-');
  const results = token1hResults(dir);
  appendHistory(dir, {
    at: '2026-11-24T10:00:00.000Z',
    label: 'staging',
    go: false,
    seconds: 30.1,
    failed: 8,
    flaky: 0,
    failedParts: ['x'],
  });
  const history = appendHistory(dir, {
    at: '2026-11-25T10:00:00.000Z',
    label: 'staging',
    go: false,
    verdict: 'NO-GO',
    seconds: 41.9,
    failures: { tests: 2, thresholds: 1, checks: 2 },
    flaky: 0,
    failedParts: ['playwright flow', 'k6 login smoke', 'monitor pass'],
    causes: ['token expires in 1h 0m, expected 24h 0m ± 1m'],
    targetVersion: '1.4.2',
    servedVersion: 'v2.4.1',
    harness: '2f83f26a1b2c',
  });
  const file = join(dir, 'index.html');
  writeReleaseReport(file, {
    label: 'staging',
    url: 'https://api.staging.example.com',
    startedAt: new Date('2026-11-25T10:00:00Z'),
    seconds: 41.9,
    results,
    history,
    loadRuns: [],
    causes: groupCauses(results),
    tested: { targetVersion: '1.4.2', served: { version: 'v2.4.1' }, harness: { commit: '2f83f26a1b2c', changed: false } },
  });
  const html = readFileSync(file, 'utf8');
  // Right under the verdict, before the table: the causes.
  assert.match(
    html,
    /id="verdict">NO-GO: something failed<\/p>\n<h2>Why NO-GO: 2 causes<\/h2>\n<ul id="causes"><li><span class="title">token expires in 1h 0m, expected 24h 0m ± 1m<\/span><ul><li>playwright flow: 2 tests<\/li><li>monitor pass: 2 checks<\/li><\/ul><\/li>/,
  );
  assert.ok(html.indexOf('id="causes"') < html.indexOf('id="summary"'));
  assert.match(
    html,
    /<p id="tested">Tested: target version 1\.4\.2 \(TARGET_VERSION\) · it answers version v2\.4\.1 \(GET \/v2\/systems\/check\) · harness 2f83f26a1b2c<\/p>/,
  );
  assert.match(
    html,
    /gives a 24 h token<\/span><div class="links"><a href="html\/index\.html#\?testId=aaa-111">HTML report<\/a> · <a href="test-results\/aaa-111\/trace\.zip">trace<\/a> \(<code>npx playwright show-trace .*aaa-111\/trace\.zip<\/code>\)<\/div>/,
  );
  // The trend: a test, a threshold and a check are not added up into one number.
  assert.match(html, /<td>2 tests, 1 threshold, 2 checks<\/td>/);
  assert.match(html, /<td>8 failed \(tests, thresholds and checks added up\)<\/td>/, 'an older record says what its number is');
  assert.match(html, /<td>1\.4\.2 · answers v2\.4\.1 · harness 2f83f26a1b2c<\/td>/);
});

test('what is tested: the version the target answers at GET /v2/systems/check, or why none; the harness commit', async () => {
  const server = createServer((req, res) => {
    if (req.url === '/v2/systems/check' && req.headers.host?.endsWith(`:${(server.address() as AddressInfo).port}`))
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end('{"code":200,"version":"v2.4.1\\u001b[31m","response":"systems online"}');
    else res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const t = await whatIsTested({ targetUrl: url, targetVersion: '1.4.2', timeoutMs: 2000, maxBodyBytes: 4096 });
    assert.deepEqual(t.served, { version: 'v2.4.1[31m' }, 'printable characters only');
    assert.match(
      testedText(t),
      /^target version 1\.4\.2 \(TARGET_VERSION\) · it answers version v2\.4\.1\[31m \(GET \/v2\/systems\/check\) · harness [0-9a-f]{12}/,
    );
    const none = await whatIsTested({ targetUrl: `${url}/other`, timeoutMs: 2000, maxBodyBytes: 4096 });
    assert.deepEqual(none.served, { none: 'GET /v2/systems/check answered 404' });
    const down = await whatIsTested({ targetUrl: 'http://127.0.0.1:1', timeoutMs: 2000, maxBodyBytes: 4096 });
    assert.match(testedText(down), /TARGET_VERSION not set · no version from the target \(GET \/v2\/systems\/check: /);
  } finally {
    server.close();
  }
});
