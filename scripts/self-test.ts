// npm run test:self (and test:load, test:monitor): Node's test runner over the self-test files the
// script names, with the TypeScript loader. A program rather than `tsx --test` in package.json, so
// that `-- --help` answers instead of running every self-test (node --test takes it for a file name).
import { execa } from 'execa';
import { readCommandLine } from '../core/cli.ts';
import { runMain } from '../core/settings.ts';

const { values, positionals: files } = readCommandLine({
  command: 'npm run test:self',
  summary: "the harness's self-tests (selftest/*/*.test.ts) with node:test; test:load and test:monitor run one part's",
  usage: ['[-- <file>...] [--name <pattern>]'],
  options: {
    concurrency: { type: 'string', value: 'n', description: "test files run at once (default: node's, the cores less one)" },
    name: { type: 'string', value: 'pattern', description: 'only the tests whose name matches (node --test-name-pattern)' },
  },
  positionals: true,
  exits: '0 every test passed, 1 a test failed',
  examples: ['npm run test:self', 'npm run test:monitor', 'npx tsx scripts/self-test.ts selftest/core/url.test.ts --name "loopback"'],
});

await runMain(async () => {
  const r = await execa(
    process.execPath,
    [
      '--import',
      'tsx',
      '--test',
      '--test-reporter=spec',
      ...(values.concurrency ? [`--test-concurrency=${values.concurrency}`] : []),
      ...(values.name ? [`--test-name-pattern=${values.name}`] : []),
      ...files,
    ],
    { stdio: 'inherit', reject: false },
  );
  return r.exitCode ?? 1;
});
