// `npm run capacity` for real (k6 steps, the reports) against a fake target whose knee is known
// exactly (selftest/support/knee-target.ts: answers slowly past 70 credits/s): the knee found lies
// between the rate that held and the one that broke, and a Ctrl-C stops the search at once with what
// it knows. Short steps (1 s warm-up, 2 s measured) and a coarse precision: about 15 s together. The
// search's logic in full is selftest/load/capacity-search.test.ts.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { execa } from 'execa';
import type { CapacityReport } from '../../load/capacity/report.ts';
import { capacitySettingsShape } from '../../load/capacity/settings.ts';
import { type KneeTarget, startKneeTarget } from '../support/knee-target.ts';
import { tempDir } from '../support/temp.ts';

const KNEE = 70;
// Past its knee the fake target answers a second late, four times the SLO: a rate over the knee breaks
// it for sure, and one under it holds though the machine is busy with other tests (npm test runs the
// matrix beside the self-tests: a p95 of 113 ms at 50/s was seen against an SLO of 100 ms).
const SLOW_MS = 1000;
const SLO_P95_MS = 250;
const BLANK = Object.fromEntries(Object.keys(capacitySettingsShape).map((k) => [k, '']));

let fast: KneeTarget;
let slow: KneeTarget;
before(async () => {
  [fast, slow] = await Promise.all([startKneeTarget(KNEE, SLOW_MS), startKneeTarget(KNEE, 300)]);
});
after(async () => {
  await fast.close();
  await slow.close();
});

/** `npm run capacity -- credits` as one node process (a signal reaches the runner itself). */
function capacity(url: string, env: Record<string, string>) {
  const reportsDir = tempDir('hx-capacity-test-');
  const child = execa(process.execPath, ['--import', 'tsx', 'load/capacity/main.ts', 'credits'], {
    env: {
      ...BLANK,
      TARGET_URL: url,
      REPORTS_DIR: reportsDir,
      LOG_LEVEL: 'warn',
      LOAD_P95_MS: String(SLO_P95_MS),
      CAPACITY_WARMUP: '1s',
      CAPACITY_STEP: '2s',
      ...env,
    },
    reject: false,
    all: true,
    timeout: 90_000,
  });
  const report = (): CapacityReport => JSON.parse(readFileSync(join(reportsDir, 'capacity', 'latest', 'capacity.json'), 'utf8'));
  return { child, reportsDir, report };
}

describe('npm run capacity against a target whose knee is known', { concurrency: 2 }, () => {
  it(`finds the knee (${KNEE}/s) between the rate that held and the one that broke, and writes the answer, the table, the chart and the JSON`, async () => {
    const run = capacity(fast.url, { CAPACITY_START_RATE: '50', CAPACITY_PRECISION: '0.5' });
    const r = await run.child;
    assert.equal(r.exitCode, 0, r.all);
    const rep = run.report();
    assert.equal(rep.outcome, 'found', r.all);
    assert.ok(rep.knee! <= KNEE && KNEE < rep.firstBroken!, `knee ${rep.knee}, broke at ${rep.firstBroken}:\n${r.all}`);
    assert.ok(rep.firstBroken! - rep.knee! <= 0.5 * rep.knee!, 'within the precision asked');
    assert.deepEqual(
      rep.steps.map((s) => s.rate),
      [50, 100, 75],
    );
    assert.ok(rep.limits.includes('p95'), `the fake target answers slowly past its knee: ${rep.limits}`);
    assert.equal(rep.slo.p95Ms, SLO_P95_MS, "the SLO is the script's p95 threshold, LOAD_P95_MS");
    assert.equal(rep.physicalLimit, null, 'a physical limit is known only for the bundled target');
    // The answer in one line, then the table, as printed.
    assert.match(r.all, /credits on local: knee 50\/s \(held at 50\/s, broke at 75\/s: p95 over the SLO/);
    assert.match(r.all, /#\s+rate\/s\s+answered\s+p50 ms\s+p95 ms\s+p99 ms\s+errors\s+dropped/);
    const chart = readFileSync(join(run.reportsDir, 'capacity', 'latest', 'chart.html'), 'utf8');
    assert.match(chart, /uPlot/);
    assert.match(chart, /"rate":\[50,75,100\]/, 'the chart plots the steps by offered rate');
    assert.ok(existsSync(join(run.reportsDir, 'capacity', 'latest', 'summary.txt')));
    assert.doesNotMatch(
      readFileSync(join(run.reportsDir, 'capacity', 'latest', 'capacity.json'), 'utf8'),
      /eyJ[A-Za-z0-9_-]{8,}\./,
      'a token in the JSON',
    );
  });

  it('stops at once on Ctrl-C, with what it knows so far (exit 130)', async () => {
    const run = capacity(slow.url, { CAPACITY_START_RATE: '20', CAPACITY_STEP: '30s' });
    // The first step runs 30 s; interrupt it once k6 is sending.
    const t0 = Date.now();
    while (slow.credits() < 20 && Date.now() - t0 < 30_000) await new Promise((res) => setTimeout(res, 100));
    const signalled = Date.now();
    run.child.kill('SIGINT');
    const r = await run.child;
    const took = Date.now() - signalled;
    assert.equal(r.exitCode, 130, r.all);
    assert.ok(took < 10_000, `stopped ${took} ms after Ctrl-C`);
    const rep = run.report();
    assert.equal(rep.outcome, 'stopped');
    assert.equal(rep.stoppedBy, 'Ctrl-C');
    assert.equal(rep.steps.length, 1);
    assert.equal(rep.steps[0]!.stopped, true);
    assert.match(r.all, /credits on local: stopped \(Ctrl-C\) after 1 step: no rate held yet/);
  });
});
