// npm run test:self: Node's test runner over the self-tests, with the TypeScript loader. Every file
// (selftest/*/*.test.ts) by default; a folder's name (`load`, `monitors`) runs that folder's, a path
// runs that file. A program rather than `tsx --test` in package.json, so that `-- --help` answers
// instead of running every self-test (node --test takes it for a file name).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { readCommandLine } from '../core/cli.ts';
import { parseSettings, runMain, SettingsError, setting } from '../core/settings.ts';
import { PROOF_BCRYPT_COST } from '../reference/settings.ts';

const SELFTEST = 'selftest';
/** The folders holding self-tests (support/ holds their helpers). */
const FOLDERS = readdirSync(SELFTEST).filter((d) => d !== 'support' && statSync(join(SELFTEST, d)).isDirectory());
const testsIn = (dir: string): string[] =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.test.ts'))
    .sort()
    .map((f) => join(dir, f));

const { values, positionals } = readCommandLine({
  command: 'npm run test:self',
  summary: "the harness's self-tests (selftest/) with node:test, three files at a time: all, one folder's, or some files",
  usage: ['[-- <folder|file>...] [--name <pattern>] [--concurrency <n>]'],
  options: {
    concurrency: { type: 'string', value: 'n', description: 'test files run at once (default 3)' },
    name: { type: 'string', value: 'pattern', description: 'only the tests whose name matches (node --test-name-pattern)' },
  },
  positionals: true,
  exits: '0 every test passed, 1 a test failed, 2 no such folder or file',
  examples: ['npm run test:self', 'npm run test:self -- load monitors', 'npm run test:self -- selftest/core/url.test.ts --name "loopback"'],
  notes: [`folders: ${FOLDERS.join(', ')}`],
});

await runMain(async () => {
  const { '--concurrency': concurrency } = parseSettings(
    { '--concurrency': setting.int(1, 16).default(3) },
    { '--concurrency': values.concurrency },
  );
  const unknown = positionals.filter((p) => !FOLDERS.includes(p) && !existsSync(p));
  if (unknown.length)
    throw new SettingsError(
      unknown.map((p) => `${p}: neither a self-test file nor a folder of selftest/ (${FOLDERS.join(', ')})`),
      'Bad command line',
    );
  const files = positionals.length
    ? positionals.flatMap((p) => (FOLDERS.includes(p) ? testsIn(join(SELFTEST, p)) : statSync(p).isDirectory() ? testsIn(p) : [p]))
    : FOLDERS.flatMap((d) => testsIn(join(SELFTEST, d)));
  const r = await execa(
    process.execPath,
    [
      '--import',
      'tsx',
      '--test',
      '--test-reporter=spec',
      `--test-concurrency=${concurrency}`,
      ...(values.name ? [`--test-name-pattern=${values.name}`] : []),
      ...files,
    ],
    // The bundled targets the self-tests start (npm start's, Playwright's) hash at bcrypt's least cost.
    { stdio: 'inherit', reject: false, env: { TARGET_BCRYPT_COST: String(PROOF_BCRYPT_COST) } },
  );
  return r.exitCode ?? 1;
});
