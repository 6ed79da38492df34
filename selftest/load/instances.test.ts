// LOAD_INSTANCES: one run shared by k6 processes by execution segment, as the k6-operator's runners
// share a TestRun (load/runner/instances.ts, merge.ts; load/lib/segment.ts). The segments are the
// operator's own (its unit test's vector); the setup() pool is split, not multiplied; the merged
// figures are the processes' together; and, for real, two processes send what one does (±5 %) and
// register the same pool. The real part: two 4 s credits runs, about 15 s.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseSegment, segmentShare } from '../../load/lib/segment.ts';
import { operatorSegment } from '../../load/runner/instances.ts';
import type { K6Export } from '../../load/runner/k6.ts';
import { fromK6Export } from '../../load/runner/k6.ts';
import { mergedExitCode, mergeExports } from '../../load/runner/merge.ts';
import { K6_LATENCY_ROOM, runLoad, tail } from '../support/k6.ts';

describe('the execution segments, as the k6-operator gives them', () => {
  it("runner 1 of 4 gets the operator's own flags (k6-operator pkg/segmentation's test)", () => {
    assert.deepEqual(operatorSegment(1, 4).args, ['--execution-segment=0:1/4', '--execution-segment-sequence=0,1/4,2/4,3/4,1']);
    assert.deepEqual(
      [1, 2, 3].map((i) => operatorSegment(i, 3).segment),
      ['0:1/3', '1/3:2/3', '2/3:1'],
    );
  });

  it('parses the segments k6 takes (fractions, decimals, percentages) and refuses nonsense', () => {
    assert.deepEqual(parseSegment('1/4:2/4'), { from: { num: 1, den: 4 }, to: { num: 2, den: 4 } });
    assert.deepEqual(parseSegment('0.25:50%'), { from: { num: 25, den: 100 }, to: { num: 50, den: 100 } });
    assert.deepEqual(parseSegment('1/3'), { from: { num: 0, den: 1 }, to: { num: 1, den: 3 } });
    for (const bad of ['2/4:1/4', '0:3/2', 'a:b', '0:1:2', '1/0:1']) assert.equal(parseSegment(bad), undefined, bad);
  });

  it("splits the setup() pool: N processes' shares add up to the pool (each at least one), not N pools", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 200 }), fc.integer({ min: 1, max: 16 }), (pool, n) => {
        const shares = Array.from({ length: n }, (_, i) => segmentShare(pool, operatorSegment(i + 1, n).segment));
        const sizes = shares.map((s) => s.end - s.start);
        assert.ok(
          sizes.every((x) => x >= 1),
          `${sizes}`,
        );
        if (pool >= n) {
          assert.equal(
            sizes.reduce((a, b) => a + b, 0),
            pool,
            `${n} processes of a pool of ${pool}: ${sizes}`,
          );
          // Disjoint and in order: every account is made by exactly one process.
          for (const [i, s] of shares.entries()) if (i > 0) assert.equal(s.start, shares[i - 1]!.end);
        }
      }),
    );
    assert.deepEqual(segmentShare(5, undefined), { start: 0, end: 5 }, 'unsegmented: the whole pool');
  });
});

describe('one verdict from the processes', () => {
  const part = (reqs: number, p95: number, crossed: boolean, passes: number): K6Export => ({
    metrics: {
      iterations: { count: reqs, rate: reqs / 4 },
      'http_reqs{name:credits}': { count: reqs, rate: reqs / 4, thresholds: { 'count>0': false } },
      'http_req_duration{name:credits}': {
        avg: p95 / 2,
        min: 1,
        med: p95 / 3,
        max: p95 * 2,
        'p(90)': p95 * 0.9,
        'p(95)': p95,
        'p(99)': p95 * 1.5,
        thresholds: { 'p(95)<300': crossed },
      },
      'http_req_failed{name:credits}': { passes: 1, fails: reqs - 1, value: 1 / reqs, thresholds: { 'rate<=0.01': false } },
      vus_max: { value: 10, min: 10, max: 10 },
    },
    root_group: { checks: { a: { name: 'credits: status is 200', passes, fails: 0 } }, groups: {} },
  });
  const info = {
    script: 'credits',
    profile: 'smoke',
    describe: 'x',
    target: 'local',
    startedAt: new Date(0),
    durationMs: 1,
    minChecksRate: 0.99,
  };

  it('adds counts and rates, recomputes rates, keeps the worst percentile, weights the average, fails when one process failed', () => {
    const merged = mergeExports(
      [
        { export: part(100, 40, false, 100), segment: '0:1/2', exitCode: 0 },
        { export: part(300, 400, true, 300), segment: '1/2:1', exitCode: 99 },
      ],
      'credits',
    );
    const s = fromK6Export(merged, info);
    assert.deepEqual(s.metrics['http_reqs{name:credits}'], { count: 400, rate: 100 });
    assert.equal(s.metrics['http_req_failed{name:credits}']!.rate, 2 / 400);
    assert.equal(s.metrics['http_req_duration{name:credits}']!['p(95)'], 400, "the worst process's p95");
    assert.equal(s.metrics['http_req_duration{name:credits}']!.avg, (100 * 20 + 300 * 200) / 400);
    assert.equal(s.metrics['http_req_duration{name:credits}']!.min, 1);
    assert.equal(s.metrics.vus_max!.rate ?? s.metrics.vus_max!.max, 20);
    assert.deepEqual(s.checks, [{ name: 'credits: status is 200', passes: 400, fails: 0 }]);
    assert.equal(s.passed, false);
    assert.deepEqual(
      s.thresholds.filter((t) => !t.ok).map((t) => `${t.rule} ${t.measured}`),
      ['p(95)<300 p(95)=400ms'],
    );
    assert.deepEqual(
      s.instances?.map((i) => [i.segment, i.requests, i.exitCode]),
      [
        ['0:1/2', 100, 0],
        ['1/2:1', 300, 99],
      ],
    );
    assert.equal(mergedExitCode([0, 99]), 99);
    assert.equal(mergedExitCode([99, 107, 0]), 107);
    assert.equal(mergedExitCode([0, 0]), 0);
  });
});

describe('two k6 processes run what one does', () => {
  it('same options: the merged rate equals the single process rate (±5 %), and setup() makes the pool once, not twice', async () => {
    const env = { LOAD_RATE: '60', LOAD_DURATION: '4s', LOAD_POOL_SIZE: '5', ...K6_LATENCY_ROOM };
    const one = await runLoad(['credits'], env);
    assert.equal(one.code, 0, tail(one));
    const two = await runLoad(['credits', '-e', 'LOAD_INSTANCES=2'], env);
    assert.equal(two.code, 0, tail(two));
    const [a, b] = [one.summary('credits'), two.summary('credits')];
    const count = (s: typeof a) => s.metrics['http_reqs{name:credits}']!.count!;
    assert.ok(Math.abs(count(b) - count(a)) <= 0.05 * count(a), `one process ${count(a)} requests, two ${count(b)}`);
    assert.equal(b.instances?.length, 2);
    assert.deepEqual(
      b.instances!.map((i) => i.segment),
      ['0:1/2', '1/2:1'],
    );
    // Every request that is not the scenario's is setup()'s: 5 registrations and 5 logins in both runs.
    const setupRequests = (s: typeof a) => s.metrics.http_reqs!.count! - count(s);
    assert.equal(setupRequests(a), 10, 'one process: the pool of 5 registered and logged in');
    assert.equal(setupRequests(b), setupRequests(a), 'two processes: the same pool, split between them, not made twice');
    // Each process printed its own k6 summary, under its segment, and the merged table says how it was split.
    assert.match(two.output, /── k6 process 1 of 2, execution segment 0:1\/2 \(exit 0\) ──/);
    assert.match(two.output, /2 k6 processes by execution segment, as the k6-operator's runners/);
  });
});
