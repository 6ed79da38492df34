// npm run bench -- <name> [its options]: one benchmark of bench/<name>.ts, run in this process (Node with
// --expose-gc, which the monitor's memory figures need). Benchmarks print figures side by side and
// assert nothing; each answers `npm run bench -- <name> --help`. The list is the folder's own files,
// so a benchmark added there is one name more here.
import { fileURLToPath } from 'node:url';
import { editDistance, readCommandLine } from '../core/cli.ts';
import { runMain, SettingsError } from '../core/settings.ts';

import { benchmarks } from './support.ts';

const BENCHMARKS = benchmarks();

const [name, ...rest] = process.argv.slice(2);

if (name && BENCHMARKS.includes(name)) {
  // The benchmark reads its own command line (its options, --help) as if it had been started alone.
  process.argv = [process.argv[0]!, fileURLToPath(new URL(`./${name}.ts`, import.meta.url)), ...rest];
  await import(`./${name}.ts`);
} else {
  readCommandLine({
    command: 'npm run bench',
    summary: 'the benchmarks (bench/): figures printed side by side in one run, nothing asserted',
    usage: ['-- <name> [its options]', '-- <name> --help'],
    positionals: true,
    exits: "the benchmark's own (0 it ran; 2 a bad setting or name)",
    examples: ['npm run bench -- load', 'npm run bench -- monitor --help'],
    notes: [`benchmarks: ${BENCHMARKS.join(', ')}`, 'Each takes minutes of both cores: run one at a time, on a quiet machine.'],
  });
  await runMain(async () => {
    const nearest = [...BENCHMARKS].sort((a, b) => editDistance(a, name ?? '') - editDistance(b, name ?? ''))[0];
    throw new SettingsError(
      [
        name
          ? `${name}: no such benchmark; did you mean ${nearest}? (${BENCHMARKS.join(', ')})`
          : `npm run bench: which benchmark? npm run bench -- <name> (${BENCHMARKS.join(', ')})`,
      ],
      'Bad command line',
    );
  });
}
