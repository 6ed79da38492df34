// A test run never changes tracked files: the matrix writes its table under REPORTS_DIR,
// and the committed docs/detection-matrix.md is regenerated only with --write-docs, from text that
// holds nothing tied to one run (ports, timings, dates), so regenerating it is stable.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { matrixMarkdown, stableCell } from '../../proof/matrix-doc.ts';
import { runCli } from '../support/cli.ts';

test('the committed matrix table holds no ports, timings, dates or temp folders', () => {
  const row = (port: number, ms: number, when: string) => [
    'drop',
    '✔ caught (1 failed)',
    `monitor: login: POST http://127.0.0.1:${port}/v2/auth/register: no answer within the time limit (${ms} ms), at ${when} ` +
      `in /tmp/hx-matrix-${port}/x`,
  ];
  const a = matrixMarkdown(['fault', 'monitor', 'first failure seen'], [row(40123, 4000, '2026-11-25T10:00:00.123Z')], '');
  const b = matrixMarkdown(['fault', 'monitor', 'first failure seen'], [row(51999, 3999, '2026-12-01T11:11:11Z')], '');
  assert.equal(a, b);
  assert.match(a, /127\.0\.0\.1:<port>/);
  assert.equal(stableCell('took 1.5 s and 250 ms'), 'took <t> s and <t> ms');
  // k6's measured values in a crossed threshold: a p(95) is a timing, a rate a share of this run.
  assert.equal(
    stableCell('threshold crossed: checks{name:login} rate>=0.99 (rate=83.33%)'),
    'threshold crossed: checks{name:login} rate>=0.99 (rate=<n>%)',
  );
  assert.equal(stableCell('p(95)<1000 (p(95)=3.06s)'), 'p(95)<1000 (p(95)=<t> s)');
  assert.doesNotMatch(a, /\d{4}-\d\d-\d\d/);
});

test('--write-docs takes a full run only: with --faults it is refused (exit 2) before anything runs', async () => {
  const r = await runCli(process.execPath, ['--import', 'tsx', 'proof/matrix.ts', '--faults', 'drop', '--write-docs'], {}, 60_000);
  assert.equal(r.code, 2, r.output);
  assert.match(r.stderr, /--write-docs: regenerates the committed table, so it takes a full run/);
});
