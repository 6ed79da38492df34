// k6's conventions kept: plain `k6 run` on a fresh clone prints k6's own summary and writes nothing
// that could fail; `npm run load` keeps every run in a folder of its own with a `latest` link, and the
// heavy profiles get k6's web dashboard export (time series). Threshold values shown as k6 shows them.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { fromK6Export, humanizeMs, latestRunDir, listRuns, measuredValue } from '../../load/runner/k6.ts';
import type { RunningTarget } from '../../reference/server.ts';
import { startTarget } from '../support/target.ts';
import { tempDir } from '../support/temp.ts';
import { runK6Direct, runLoad, tail } from '../support/k6.ts';

describe('threshold values as k6 shows them', () => {
  it('durations, rates and counts', () => {
    assert.equal(humanizeMs(148), '148ms');
    assert.equal(humanizeMs(2.6904), '2.69ms');
    assert.equal(humanizeMs(0.6525), '652.5µs');
    assert.equal(humanizeMs(1520), '1.52s');
    assert.equal(humanizeMs(61_500), '1m1.5s');
    const d = { 'p(95)': 148.004, 'p(99)': 1520 };
    assert.equal(measuredValue('http_req_duration{name:login}', 'p(95)<1000', d), 'p(95)=148ms');
    assert.equal(measuredValue('http_req_duration{name:login}', 'p(99)<2000', d), 'p(99)=1.52s');
    assert.equal(measuredValue('http_req_failed{name:login}', 'rate<=0.01', { rate: 0.012345 }), 'rate=1.23%');
    assert.equal(measuredValue('checks{name:login}', 'rate>=0.99', { value: 1 }), 'rate=100.00%');
    assert.equal(measuredValue('login_checked', 'count>0', { count: 31, rate: 3.1 }), 'count=31');
  });

  it("k6's export: a crossed threshold is not ok, carries its value, and setup()'s data is dropped", () => {
    const s = fromK6Export(
      {
        metrics: {
          'http_req_duration{name:login}': { 'p(95)': 1520, med: 800, thresholds: { 'p(95)<1000': true } },
          'http_req_failed{name:login}': { value: 0, passes: 0, fails: 30, thresholds: { 'rate<=0.01': false } },
        },
        root_group: { groups: {}, checks: { 'login: status is 200': { name: 'login: status is 200', passes: 30, fails: 0 } } },
        setup_data: { tokens: ['eyJhbGciOiJIUzI1NiJ9.eyJpZCI6ImEifQ.sig'] },
      } as Parameters<typeof fromK6Export>[0],
      {
        script: 'login',
        profile: 'smoke',
        describe: 'login smoke',
        target: 'local',
        startedAt: new Date(0),
        durationMs: 1000,
        minChecksRate: 0.99,
      },
    );
    assert.equal(s.passed, false);
    assert.deepEqual(
      s.thresholds.map((t) => [t.rule, t.ok, t.measured]),
      [
        ['p(95)<1000', false, 'p(95)=1.52s'],
        ['rate<=0.01', true, 'rate=0.00%'],
      ],
    );
    assert.equal(s.metrics['http_req_failed{name:login}']?.rate, 0);
    assert.doesNotMatch(JSON.stringify(s), /eyJ|setup_data|tokens/);
  });
});

describe('k6 runs for real', () => {
  let target: RunningTarget;
  before(async () => {
    target = await startTarget({ port: 0 });
  });
  after(() => target.close());

  it("plain `k6 run load/credits.ts` in a folder without reports/: exit 0, k6's own summary, no summary error, no file", async () => {
    const fresh = tempDir('hx-fresh-clone-');
    const run = await runK6Direct(
      'credits.ts',
      { TARGET_URL: target.url, LOAD_DURATION: '2s', LOAD_RATE: '5', LOAD_POOL_SIZE: '1' },
      [],
      fresh,
    );
    assert.equal(run.code, 0, tail(run));
    assert.doesNotMatch(run.output, /failed to handle the end-of-test summary/);
    assert.match(run.output, /█ THRESHOLDS[\s\S]*http_req_duration\{name:credits\}\s+✓ 'p\(95\)<300' p\(95\)=[\d.]+(µs|ms)/);
    assert.match(run.output, /█ TOTAL RESULTS/);
    assert.deepEqual(readdirSync(fresh), []);
  });

  it('npm run load: a folder per run (time, script, profile), `latest` on the newest, the load profile has a dashboard', async () => {
    const first = await runLoad(
      ['credits', '-e', 'LOAD_PROFILE=load', '-e', 'LOAD_DURATION=4s', '-e', 'LOAD_RATE=20', '-e', 'LOAD_POOL_SIZE=2'],
      {
        TARGET_URL: target.url,
      },
    );
    assert.equal(first.code, 0, tail(first));
    const second = await runLoad(['credits', '-e', 'LOAD_PROFILE=smoke', '-e', 'LOAD_DURATION=2s', '-e', 'LOAD_POOL_SIZE=1'], {
      TARGET_URL: target.url,
      REPORTS_DIR: first.reportsDir,
    });
    assert.equal(second.code, 0, tail(second));

    const runs = listRuns(first.reportsDir);
    assert.deepEqual(
      runs.map((r) => r.summary.profile),
      ['smoke', 'load'],
      'both runs kept, newest first',
    );
    assert.match(runs[1]!.dir, /\/load\/\d{8}-\d{6}-credits-load$/);
    assert.equal(readlinkSync(latestRunDir(first.reportsDir)), runs[0]!.dir.split('/').pop());
    assert.equal(runs[0]!.summary.dashboard, undefined, 'smoke has no dashboard');

    const dashboard = join(runs[1]!.dir, 'dashboard.html');
    assert.ok(existsSync(dashboard), 'the load profile exports the web dashboard');
    assert.equal(runs[1]!.summary.dashboard, 'dashboard.html');
    // The export embeds k6's events (gzip + base64, one JSON per line); a snapshot is one time-series point.
    const data = /<script id="data" type="application\/json; charset=utf-8; gzip; base64">([^<]+)<\/script>/.exec(
      readFileSync(dashboard, 'utf8'),
    )?.[1];
    assert.ok(data, 'the dashboard holds its data');
    const events = gunzipSync(Buffer.from(data.trim(), 'base64'))
      .toString()
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { event: string }).event);
    assert.ok(events.filter((e) => e === 'snapshot').length >= 2, `a time series, got events ${events.join(',')}`);
    assert.match(first.output, /reports: .*\/load\/\d{8}-\d{6}-credits-load/);
  });
});
