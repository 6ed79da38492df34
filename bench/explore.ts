// npm run bench -- explore — how soon the explorer finds a target broken for one kind of text, per kind,
// with its corpus (every kind tried first, whatever the seed) and without it (the random search alone,
// as before the corpus existed), side by side. For each kind, the reference target with the fault that breaks it
// (reference/text-faults.ts, as selftest/explore/corpus.test.ts), the whole explorer (every scenario), EXPLORE_SECONDS=20,
// stopping at its first finding (as the matrix's --first), over BENCH_SEEDS seeds (1 … n): the median
// time to the first finding that carries that kind, and how many seeds found it at all within 20 s.
// Each run has its own target, in-process; runs one at a time.
import { explore, parseCounterexample } from '../explore/explorer.ts';
import { CATEGORIES, type Category } from '../explore/text.ts';
import { World } from '../explore/world.ts';
import { readCommandLine } from '../core/cli.ts';
import { loadSettings, setting } from '../core/settings.ts';
import { textTable } from '../core/text-table.ts';
import { startTarget } from '../reference/server.ts';
import { FAULT_FOR_TEXT as BROKEN_FOR } from '../reference/text-faults.ts';
import { median } from './support.ts';

const settingsShape = {
  BENCH_SEEDS: setting.int(1, 100).default(10),
  /** Skip the runs without the corpus (they take up to 20 s each when they find nothing). */
  BENCH_CORPUS_ONLY: setting.bool().default(false),
};
readCommandLine({
  command: 'npm run bench -- explore',
  summary:
    "the explorer's time to its first finding per kind of typed text, with its corpus and by random search alone, side by side " +
    '(medians over BENCH_SEEDS seeds)',
  usage: [''],
  settings: settingsShape,
  examples: ['npm run bench -- explore', 'BENCH_SEEDS=3 BENCH_CORPUS_ONLY=true npm run bench -- explore'],
  notes: ['A benchmark: figures printed side by side, nothing asserted (selftest/explore/corpus.test.ts holds the bound).'],
});
const { BENCH_SEEDS: SEEDS, BENCH_CORPUS_ONLY: CORPUS_ONLY } = loadSettings(settingsShape);
const SECONDS = 20;

/** Seconds to the first finding carrying `kind`, or undefined when none came within the budget. */
async function timeToFind(kind: Category, seed: number, corpus: boolean): Promise<number | undefined> {
  const target = await startTarget({ faults: BROKEN_FOR[kind] });
  try {
    const w = new World({
      baseUrl: target.url,
      generation: 'documented',
      upgradeAllowed: true,
      strict: false,
      timeoutMs: 15_000,
      mailWaitMs: 1000,
      runId: `bench${seed}`,
      minGapMs: 0,
    });
    const r = await explore(w, { seed, runs: 100, seconds: SECONDS, knownIssues: [], first: true, corpus });
    const f = r.findings[0];
    if (!f) return undefined;
    const { scenario, input } = parseCounterexample(f.counterexample);
    return scenario.classes(input).some((k) => k.endsWith(`:${kind}`)) ? f.atS : undefined;
  } finally {
    await target.close();
  }
}

const cell = (xs: (number | undefined)[]): string => {
  const found = xs.filter((x): x is number => x !== undefined);
  return `${found.length ? `${median(found).toFixed(1)} s` : '—'} (${found.length}/${xs.length})`;
};

process.stdout.write(
  `Explorer, time to the first finding per kind of text: median over ${SEEDS} seeds (1…${SEEDS}), EXPLORE_SECONDS=${SECONDS}, ` +
    `--first, every scenario; (n/${SEEDS}) = seeds that found it within ${SECONDS} s\n`,
);
const rows: string[][] = [];
for (const kind of CATEGORIES) {
  const withCorpus: (number | undefined)[] = [];
  const without: (number | undefined)[] = [];
  for (let seed = 1; seed <= SEEDS; seed++) {
    withCorpus.push(await timeToFind(kind, seed, true));
    if (!CORPUS_ONLY) without.push(await timeToFind(kind, seed, false));
  }
  const row = [kind, BROKEN_FOR[kind], cell(withCorpus), CORPUS_ONLY ? '(not run)' : cell(without)];
  rows.push(row);
  process.stdout.write(`  ${row.join('  ')}\n`);
}
process.stdout.write(`\n${textTable(['kind of text', 'fault', 'with the corpus', 'random search alone'], rows, { rightFrom: 2 })}\n`);
