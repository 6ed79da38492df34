// The capacity search's logic without k6 (load/capacity/search.ts, step.ts's judgement and VUs,
// caveats.ts): a fake step runner whose knee is known exactly. Milliseconds; the one real-k6 run
// against a fake target is selftest/load/capacity.test.ts.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { caveats } from '../../load/capacity/caveats.ts';
import { limitAtCpu } from '../../load/capacity/limit.ts';
import type { CapacityReport } from '../../load/capacity/report.ts';
import { answerLine, lastCapacityLine } from '../../load/capacity/report.ts';
import { findKnee, type Limit, type StepVerdict } from '../../load/capacity/search.ts';
import { judge, type StepFigures, stepVUs } from '../../load/capacity/step.ts';
import { tempDir } from '../support/temp.ts';

/** A target that holds every rate up to `knee` and breaks every rate past it. */
const fakeTarget = (knee: number, limit: Limit = 'p95') => {
  const asked: number[] = [];
  return {
    asked,
    step: async (rate: number): Promise<StepVerdict> => {
      asked.push(rate);
      return { rate, broke: rate <= knee ? [] : [limit] };
    },
  };
};
const never = () => undefined;
/** The precision's promise, written out here (not the search's own function): the interval is that narrow, or 1/s. */
const narrowEnough = (held: number, broke: number, precision: number) => broke - held <= Math.max(1, precision * held);

describe('the knee search, against a fake step runner whose knee is known exactly', () => {
  it('grows from the start rate, then bisects to the precision asked: the knee lies between the rate that held and the one that broke', async () => {
    const t = fakeTarget(70);
    const r = await findKnee({ startRate: 5, maxRate: 20_000, precision: 0.05 }, t.step, never);
    assert.equal(r.outcome, 'found');
    assert.deepEqual(t.asked.slice(0, 6), [5, 10, 20, 40, 80, 60], 'doubling until 80 broke, then halfway back');
    assert.ok(r.held! <= 70 && r.broke! > 70, `held ${r.held}, broke ${r.broke}`);
    assert.ok(narrowEnough(r.held!, r.broke!, 0.05), `${r.held}..${r.broke} is wider than 5 %`);
    assert.deepEqual(r.limits, ['p95']);
  });

  it('finds any knee from any start, within the precision, in a logarithmic number of steps', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 19_999 }),
        fc.integer({ min: 1, max: 20_000 }),
        fc.double({ min: 0.01, max: 0.5, noNaN: true }),
        async (knee, start, precision) => {
          const t = fakeTarget(knee);
          const r = await findKnee({ startRate: start, maxRate: 20_000, precision }, t.step, never);
          assert.equal(r.outcome, 'found');
          assert.ok(r.held! <= knee && knee < r.broke!, `knee ${knee}: held ${r.held}, broke ${r.broke}`);
          assert.ok(narrowEnough(r.held!, r.broke!, precision));
          // Growing or walking down: log2(20000) steps at most; bisecting: log2(the interval / the precision).
          assert.ok(t.asked.length <= 2 * Math.ceil(Math.log2(20_000)) + 2, `${t.asked.length} steps: ${t.asked.join(', ')}`);
          assert.equal(new Set(t.asked).size, t.asked.length, `a rate tried twice: ${t.asked.join(', ')}`);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('walks down when the start rate already breaks, and says so when even 1/s breaks', async () => {
    const low = await findKnee({ startRate: 500, maxRate: 20_000, precision: 0.05 }, fakeTarget(30).step, never);
    assert.equal(low.outcome, 'found');
    assert.ok(low.held! <= 30 && low.broke! > 30);
    const none = await findKnee({ startRate: 8, maxRate: 20_000, precision: 0.05 }, fakeTarget(0, 'errors').step, never);
    assert.equal(none.outcome, 'below-min');
    assert.equal(none.held, undefined);
    assert.equal(none.broke, 1);
    assert.deepEqual(none.limits, ['errors']);
  });

  it('stops at the most a step may ask when nothing breaks', async () => {
    const t = fakeTarget(1e9);
    const r = await findKnee({ startRate: 1000, maxRate: 20_000, precision: 0.05 }, t.step, never);
    assert.equal(r.outcome, 'above-max');
    assert.equal(r.held, 20_000);
    assert.deepEqual(t.asked, [1000, 2000, 4000, 8000, 16000, 20000]);
  });

  it('stops when told (the budget, Ctrl-C) with what it knows, and does not judge a step that was stopped', async () => {
    const t = fakeTarget(70);
    let calls = 0;
    const r = await findKnee({ startRate: 5, maxRate: 20_000, precision: 0.05 }, t.step, () =>
      ++calls > 5 ? 'budget of 180s spent' : undefined,
    );
    assert.equal(r.outcome, 'stopped');
    assert.equal(r.stoppedBy, 'budget of 180s spent');
    assert.deepEqual([r.held, r.broke], [40, 80]);
    const interrupted = await findKnee(
      { startRate: 5, maxRate: 20_000, precision: 0.05 },
      async (rate) => ({ rate, broke: rate > 10 ? ['p95' as const] : [], stopped: rate === 20 }),
      never,
    );
    assert.equal(interrupted.outcome, 'stopped');
    assert.deepEqual([interrupted.held, interrupted.broke], [10, undefined], 'the stopped step at 20/s is not counted as broken');
  });
});

describe('a step is judged on the SLO of npm run load', () => {
  const base = {
    rate: 100,
    requests: 800,
    asked: 800,
    errorRate: 0,
    checksRate: 1,
    dropped: 0,
    p95Ms: 50,
    p95LimitMs: 300,
    maxVUs: 30,
    exitCode: 0,
    seconds: 12,
  };
  const slo = { maxErrorRate: 0.01, minChecksRate: 0.99 };
  it('names every limit broken, in order: p95, errors, checks, dropped', () => {
    assert.deepEqual(judge(base, slo, 8), []);
    assert.deepEqual(judge({ ...base, p95Ms: 300 }, slo, 8), ['p95'], 'the threshold is p(95)<300: 300 breaks it');
    assert.deepEqual(judge({ ...base, errorRate: 0.02, checksRate: 0.98 }, slo, 8), ['errors', 'checks']);
    assert.deepEqual(judge({ ...base, dropped: 8 }, slo, 8), [], 'a dropped iteration in a hundred is within LOAD_MAX_ERROR_RATE');
    assert.deepEqual(judge({ ...base, dropped: 9 }, slo, 8), ['dropped']);
    assert.deepEqual(judge({ ...base, requests: 0, p95Ms: undefined }, slo, 8), ['p95', 'errors'], 'nothing answered breaks the SLO');
  });

  it('gives each step VUs for three times the SLO of requests in flight, within LOAD_MAX_VUS, all started before it', () => {
    assert.deepEqual(stepVUs(16, 1000, 500), { pre: 48, max: 48 });
    assert.deepEqual(stepVUs(8000, 300, 500), { pre: 500, max: 500 });
    assert.deepEqual(stepVUs(8000, 300, 100), { pre: 100, max: 100 });
    assert.deepEqual(stepVUs(1, 100, 500), { pre: 20, max: 20 });
  });
});

describe('what a search cannot vouch for is said with its figures', () => {
  const step = (rate: number, broke: Limit[], cpu: StepFigures['cpu'], dropped = 0): StepFigures => ({
    rate,
    broke,
    requests: rate * 8,
    asked: rate * 8,
    errorRate: 0,
    dropped,
    maxVUs: 100,
    exitCode: 0,
    seconds: 12,
    p95Ms: 10,
    p95LimitMs: 300,
    cpu,
  });
  const report = (steps: StepFigures[], o: Partial<CapacityReport> = {}): CapacityReport => ({
    script: 'credits',
    target: 'local',
    startedAt: '2026-12-06T18:00:00.000Z',
    seconds: 60,
    knee: 4000,
    firstBroken: 8000,
    limits: ['dropped'],
    outcome: 'found',
    precision: 0.05,
    physicalLimit: null,
    ratio: null,
    slo: { p95Ms: 300, maxErrorRate: 0.01, minChecksRate: 0.99 },
    step: { warmupS: 3, measureS: 8 },
    loadAverage: [0.1, 0.2, 0.3],
    caveats: [],
    steps,
    ...o,
  });
  const ctx = { bundled: true, pinned: true, canPin: true, k6Cores: 1, vuCap: 500, machineCores: 2, loopbackTarget: false };

  it("k6 at its core's ceiling at the first rate that broke: the knee is the load generator's", () => {
    const c = caveats(
      report([
        step(4000, [], { k6: 0.6, target: 0.5, others: 0, seconds: 8 }),
        step(8000, ['dropped'], { k6: 0.97, target: 0.7, others: 0, seconds: 8 }, 900),
      ]),
      ctx,
    );
    assert.match(c[0]!, /^k6 itself was saturated at 8000\/s \(97% of its 1 core\): this knee is the load generator's on this machine/);
  });

  it('iterations dropped with every VU busy on a busy target: the VUs cannot carry the rate at that latency', () => {
    const c = caveats(report([{ ...step(2000, ['dropped'], { k6: 0.3, target: 0.95, others: 0, seconds: 8 }, 299), maxVUs: 500 }]), ctx);
    assert.match(
      c[0]!,
      /^k6 dropped 299 iterations at 2000\/s with all its 500 VUs \(LOAD_MAX_VUS, at most 500 per run\) busy: at a mean latency over 250 ms they cannot carry 2000\/s; more VUs/,
    );
  });

  it('iterations dropped while the target had CPU to spare: the load generator is the limit; with the machine full, the target was starved', () => {
    const spare = caveats(report([step(7250, ['dropped'], { k6: 0.74, target: 0.5, others: 0.34, seconds: 8 }, 2624)]), ctx);
    assert.ok(
      spare.includes(
        'k6 dropped 2624 iterations at 7250/s while the target used only 50% of a core and k6 74% of its 1, with CPU to spare: ' +
          "the load generator, not the target, set this limit; more k6 (LOAD_INSTANCES, the k6-operator) would find the target's",
      ),
      spare.join('\n'),
    );
    const full = caveats(report([step(8000, ['dropped'], { k6: 0.5, target: 0.2, others: 1.2, seconds: 8 }, 900)]), ctx);
    assert.ok(
      full.includes(
        'k6 dropped 900 iterations at 8000/s while the target used 20% of a core and other processes 120%: the machine was full, the target short of CPU',
      ),
      full.join('\n'),
    );
    assert.ok(
      full.some((x) => /^other processes took 120% of a core on average/.test(x)),
      full.join('\n'),
    );
  });

  it('unpinned, another target, no physical limit, a knee past the limit, a machine whose speed changed', () => {
    const c = caveats(
      report([step(16, [], { k6: 0.01, target: 0.9, others: 0, seconds: 8 })], {
        script: 'login',
        knee: 18,
        physicalLimit: 16,
        ratio: 18 / 16,
        physical: { perSecond: 16, hashMs: 62.5, parallel: 1, cores: 1, hashMsBefore: 50, hashMsAfter: 75 },
      }),
      { ...ctx, pinned: false },
    );
    assert.match(c.join('\n'), /k6 and the target shared the machine's cores \(CAPACITY_PIN=false\)/);
    assert.match(c.join('\n'), /the knee is above the physical limit/);
    assert.match(c.join('\n'), /one bcrypt hash took 50.0 ms of CPU before and 75.0 ms after/);
    assert.match(caveats(report([]), { ...ctx, bundled: false }).join('\n'), /the target's CPU is not measured/);
    assert.match(caveats(report([]), ctx).join('\n'), /no physical limit from first principles for credits/);
  });

  it('a target starved of CPU by other processes: the limit at the CPU it got, and the knee against it', () => {
    const physical = { perSecond: 20, hashMs: 50, parallel: 1, cores: 1 };
    const c = caveats(
      report(
        [
          step(8, [], { k6: 0.01, target: 0.4, others: 1.5, seconds: 8 }),
          step(12, ['p95'], { k6: 0.01, target: 0.5, others: 1.5, seconds: 8 }),
        ],
        {
          script: 'login',
          knee: 8,
          firstBroken: 12,
          physicalLimit: 20,
          ratio: 0.4,
          physical,
          atTargetCpu: { rate: 12, targetCpu: 0.5, perSecond: limitAtCpu(physical, 0.5), ratio: 8 / 10 },
        },
      ),
      ctx,
    );
    assert.ok(
      c.includes(
        'the target got at most 50% of its 1 core in a step that broke (at 12/s; other processes took the rest): the limit at that much ' +
          'CPU is 10.0/s, and the knee 0.80 × it',
      ),
      c.join('\n'),
    );
  });

  it("the release check's line: the last knee of each script for its target, from the reports, newest first", () => {
    const dir = tempDir('hx-capacity-last-');
    const write = (name: string, r: CapacityReport) => {
      mkdirSync(join(dir, 'capacity', name), { recursive: true });
      writeFileSync(join(dir, 'capacity', name, 'capacity.json'), JSON.stringify(r));
    };
    write('20261201-100000-login', report([], { script: 'login', knee: 12, ratio: 0.8, startedAt: '2026-12-01T10:00:00.000Z' }));
    write('20261202-100000-login', report([], { script: 'login', knee: 15, ratio: 0.94, startedAt: '2026-12-02T10:00:00.000Z' }));
    write('20261202-110000-credits', report([], { knee: 20_000, outcome: 'above-max', startedAt: '2026-12-02T11:00:00.000Z' }));
    write('20261203-100000-credits', report([], { target: 'staging', knee: 900 }));
    mkdirSync(join(dir, 'capacity', '20261204-100000-login'));
    assert.equal(
      lastCapacityLine(dir, 'local'),
      'Capacity (last npm run capacity, not run now): credits ≥ 20 000/s on 2026-12-02; login 15/s (0.94 × physical limit) on 2026-12-02',
    );
    assert.equal(lastCapacityLine(dir, 'production'), undefined);
  });

  it('the answer in one line: the knee, what broke there, the precision and the share of the physical limit', () => {
    const line = answerLine(
      report([], {
        script: 'login',
        knee: 15,
        firstBroken: 16,
        limits: ['p95'],
        physicalLimit: 16,
        ratio: 15 / 16,
        physical: { perSecond: 16, hashMs: 62.5, parallel: 1, cores: 1 },
      }),
    );
    assert.equal(
      line,
      'login on local: knee 15/s (held at 15/s, broke at 16/s: p95 over the SLO; precision ±5 %); 0.94 × the physical limit of 16.0/s ' +
        '(1 hash at once ÷ 62.5 ms of CPU per bcrypt hash at cost 10)',
    );
  });
});
