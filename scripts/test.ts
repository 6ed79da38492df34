// npm test: the harness's own test suite, what CI runs (.ci/run): set-up checked (scripts/setup.sh
// --strict: every program the tests drive is here), then each step in order, stopping after the first
// that fails, with its exit code (steps side by side all run to their end: one run reports each one's
// failures). A program, not a chain of `&&` in package.json, so that
// `npm test -- --help` answers instead of starting the suite (npm appends arguments to the last
// command of a chain), and each step's time is printed at the end.
import { execa } from 'execa';
import { readCommandLine } from '../core/cli.ts';
import { runMain } from '../core/settings.ts';

/** The steps, in order: the quick ones first, so a lint error costs seconds, not a matrix. A step
 *  `beside` another starts with it and is waited for after it: its output is kept and printed whole
 *  when both are done, so neither interleaves with the other. */
const STEPS: Array<{ name: string; command: string[]; what: string; beside?: string }> = [
  { name: 'set-up', command: ['bash', 'scripts/setup.sh', '--strict'], what: 'every program the tests drive is installed' },
  { name: 'lint', command: ['npm', 'run', '-s', 'lint'], what: 'biome ci' },
  { name: 'typecheck', command: ['npm', 'run', '-s', 'typecheck'], what: 'tsc over the Node side and the k6 scripts' },
  { name: 'test:rules', command: ['npm', 'run', '-s', 'test:rules'], what: 'promtool and amtool over deploy/' },
  // The real-server step mostly waits (on the server, its rate limit, its mail).
  {
    name: 'test:real-server',
    command: ['npm', 'run', '-s', 'test:real-server'],
    what: 'every part against the real server, when its kit is here',
    beside: 'test:self',
  },
  { name: 'test:self', command: ['npm', 'run', '-s', 'test:self'], what: 'the self-tests in selftest/, three files at a time' },
  // The matrix beside them too: alone, the self-tests left half of the two cores idle (timers, mail,
  // servers starting), and the matrix a third (each run waits on its target and its workers' start).
  {
    name: 'matrix',
    command: ['npm', 'run', '-s', 'matrix'],
    what: 'the detection matrix, whose clean column is the whole API suite',
    beside: 'test:self',
  },
];

readCommandLine({
  command: 'npm test',
  summary: "the harness's own test suite (what CI runs): each step in order, some side by side, stopping after the first that fails",
  usage: [''],
  exits: "0 every step passed; otherwise the failed step's exit code (3: a program the tests need is missing)",
  notes: [
    'steps:',
    ...STEPS.map((s) => `  ${s.name.padEnd(17)}${s.command.join(' ')}  (${s.what}${s.beside ? `; beside ${s.beside}` : ''})`),
    'One step alone: npm run <step> (npm run test:self -- --help, npm run matrix -- --help).',
  ],
});

await runMain(async () => {
  const times: string[] = [];
  const timed = async (step: (typeof STEPS)[number], kept: boolean) => {
    const t0 = performance.now();
    const r = await execa(step.command[0]!, step.command.slice(1), {
      ...(kept ? { all: true, stdin: 'ignore' as const } : { stdio: 'inherit' as const }),
      reject: false,
      // Colours as if it wrote to this terminal, though its output is kept for later.
      env: kept && process.stdout.isTTY ? { FORCE_COLOR: '1' } : {},
    });
    times.push(`${step.name} ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    return r;
  };
  for (const step of STEPS) {
    if (step.beside) continue; // started with the step it goes beside
    const besides = STEPS.filter((b) => b.beside === step.name).map((b) => ({ b, run: timed(b, true) }));
    const results = [{ name: step.name, r: await timed(step, false) }];
    for (const { b, run } of besides) {
      const r = await run;
      process.stdout.write(`\n── ${b.name} (ran beside ${step.name}) ──\n${r.all ?? ''}\n`);
      results.push({ name: b.name, r });
    }
    const failed = results.filter(({ r }) => r.exitCode !== 0);
    if (failed.length) {
      const which = failed.map(({ name, r }) => `${name} failed (exit ${r.exitCode ?? r.signal})`).join(', ');
      process.stderr.write(`npm test: ${which}; steps run: ${times.join(', ')}\n`);
      return failed[0]!.r.exitCode || 1;
    }
  }
  process.stdout.write(`npm test: every step passed: ${times.join(', ')}\n`);
  return 0;
});
