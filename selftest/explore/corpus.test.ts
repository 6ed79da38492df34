// The explorer's first seconds: whatever the seed, it tries its corpus before the random search, every
// kind of text it knows in every text field, so a target broken for one kind is found within
// EXPLORE_SECONDS=20 (an entity round trip went unfound for 40 s with seed 7). One fault of the
// reference target's catalog per kind of text; the first finding's counterexample must carry that kind.
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { after, before, test } from 'node:test';
import { explore, parseCounterexample, SCENARIOS } from '../../explore/explorer.ts';
import { CATEGORIES, type Category } from '../../explore/text.ts';
import { World } from '../../explore/world.ts';
import type { FaultName } from '../../reference/faults.ts';
import { FAULT_FOR_TEXT } from '../../reference/text-faults.ts';
import type { RunningTarget } from '../../reference/server.ts';
import { startTarget } from '../support/target.ts';

/** The fault that breaks each kind of text (bench/explore.ts measures the same). */
const BROKEN_FOR: Record<Category, FaultName> = FAULT_FOR_TEXT;
const SECONDS = 20;

let runs = 0;
const worldFor = (t: RunningTarget) =>
  new World({
    baseUrl: t.url,
    generation: 'documented',
    upgradeAllowed: true,
    strict: false,
    timeoutMs: 15_000,
    mailWaitMs: 1000,
    runId: `corpus${++runs}`,
    minGapMs: 0,
  });

test('the corpus holds every kind of text in every text field the scenarios generate (username, password, e-mail)', () => {
  const w = worldFor({ url: 'http://127.0.0.1:9' } as RunningTarget);
  const covered = new Set(SCENARIOS.flatMap((s) => (s.corpus?.(w) ?? []).flatMap((input) => s.classes(input))));
  for (const field of ['username', 'password', 'email'])
    for (const kind of CATEGORIES.filter((k) => field !== 'email' || k !== 'long'))
      assert.ok(covered.has(`${field}:${kind}`), `${field}:${kind} is in no corpus (${[...covered].join(', ')})`);
});

for (const kind of CATEGORIES) {
  const fault = BROKEN_FOR[kind];
  let target: RunningTarget;
  before(async () => {
    target = await startTarget({ faults: fault });
  });
  after(() => target.close());

  test(`${kind}: a target with ${fault} is found within EXPLORE_SECONDS=${SECONDS}, whatever the seed, by an input with ${kind} in it`, async () => {
    const seed = randomInt(2 ** 31);
    const r = await explore(worldFor(target), { seed, runs: 100, seconds: SECONDS, knownIssues: [], first: true });
    const f = r.findings[0];
    assert.ok(f, `seed ${seed}: nothing found in ${SECONDS} s`);
    const { scenario, input } = parseCounterexample(f.counterexample);
    const kinds = scenario.classes(input);
    assert.ok(
      kinds.some((k) => k.endsWith(`:${kind}`)),
      `seed ${seed}: the first finding (${f.property}: ${f.where}: ${f.symptom}) came from ${f.counterexample}, kinds ${kinds.join(', ')}`,
    );
    assert.ok(f.atS !== undefined && f.atS <= SECONDS, `seed ${seed}: found after ${f.atS} s`);
    assert.ok(r.corpus.inputs > 0, 'the corpus ran first');
  });
}
