// The reference target is a test double: with TARGET_URL set, the parts' production paths
// never load it. Each runs as its CLI with a module-load recorder (support/loaded-files.mjs), and
// no file under reference/ may be among the files it loaded. The recorder is shown to see them: the
// monitor with TARGET_URL unset (the bundled target) loads reference/.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { execaSync } from 'execa';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { RunningTarget } from '../../reference/server.ts';
import { startTarget } from '../support/target.ts';
import { type CliRun, runCli } from '../support/cli.ts';
import { tempDir } from '../support/temp.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const RECORDER = pathToFileURL(join(ROOT, 'selftest/support/loaded-files.mjs')).href;
const REFERENCE = pathToFileURL(join(ROOT, 'reference')).href;

// Blank = unset: a developer's .env stays out of the runs.
const BLANK = { TARGET_FAULTS: '', TARGET_GENERATION: '', MAIL_INBOX_URL: '', MONITOR_PUSHGATEWAY_URL: '', LOG_LEVEL: 'warn' };

/** Runs a CLI with the recorder; returns its run and the project files it loaded (relative paths). */
async function recorded(cmd: string, args: string[], env: Record<string, string>): Promise<{ run: CliRun; files: string[] }> {
  const dir = tempDir();
  const out = join(dir, 'loaded.txt');
  const run = await runCli(cmd, args, {
    ...BLANK,
    REPORTS_DIR: join(dir, 'reports'),
    MONITOR_DB: join(dir, 'monitor.db'),
    ...env,
    LOADED_FILES_OUT: out,
    NODE_OPTIONS: `--import ${RECORDER}`,
  });
  let text = '';
  try {
    text = readFileSync(out, 'utf8');
  } catch {}
  const files = [...new Set(text.split('\n').filter((u) => u.startsWith(`${pathToFileURL(ROOT).href}/`)))]
    .filter((u) => !u.includes('/node_modules/'))
    .map((u) => u.slice(pathToFileURL(ROOT).href.length + 1));
  return { run, files };
}

const underReference = (files: string[]) => files.filter((f) => `${pathToFileURL(join(ROOT, f)).href}`.startsWith(`${REFERENCE}/`));

// The programs whose job is the reference target itself: the detection matrix runs the parts against
// it with faults (and plans those runs from its fault catalog), conformance compares it with the real
// server, the benchmarks measure against it, npm run costs counts each part's requests with it, the
// docs generator writes the fault catalog's page from it, and the self-test runner starts the targets
// of the self-tests at the proofs' bcrypt cost.
const USERS_OF_THE_DOUBLE =
  /^(proof\/(matrix|matrix-plan|conformance|measure-costs)\.ts|bench\/.+\.ts|scripts\/(docs-pages|self-test)\.ts)$/;

describe('production paths do not load the reference target', () => {
  it('only the programs that exist to run it import reference/ statically (the parts import it lazily)', () => {
    const files = execaSync('git', ['ls-files', '*.ts'], { cwd: ROOT }).stdout.split('\n');
    const importers = files.filter(
      (f) => !/^(reference|selftest)\//.test(f) && /from '(\.\.?\/)+reference\//.test(readFileSync(join(ROOT, f), 'utf8')),
    );
    assert.ok(importers.includes('proof/matrix.ts'), `the scan found: ${importers.join(' ')}`);
    assert.deepEqual(
      importers.filter((f) => !USERS_OF_THE_DOUBLE.test(f)),
      [],
    );
  });

  let target: RunningTarget;
  before(async () => {
    target = await startTarget({ port: 0 });
  });
  after(() => target.close());

  it('the monitor, one pass against TARGET_URL', async () => {
    const { run, files } = await recorded(process.execPath, ['--import', 'tsx', 'monitors/main.ts', '--once'], { TARGET_URL: target.url });
    assert.equal(run.code, 0, run.output);
    assert.ok(files.includes('monitors/main.ts') && files.includes('core/target.ts'), `the recorder saw: ${files.join(' ')}`);
    assert.deepEqual(underReference(files), []);
  });

  it('(the recorder sees it: the monitor without TARGET_URL loads the bundled target)', async () => {
    const { run, files } = await recorded(process.execPath, ['--import', 'tsx', 'monitors/main.ts', '--once'], { TARGET_URL: '' });
    assert.equal(run.code, 0, run.output);
    assert.ok(underReference(files).includes('reference/bundled.ts'), `the recorder saw: ${files.join(' ')}`);
  });

  it('the Playwright config and the specs, against TARGET_URL', async () => {
    const { run, files } = await recorded('npx', ['playwright', 'test', '--list'], { TARGET_URL: target.url });
    assert.equal(run.code, 0, run.output);
    assert.ok(files.includes('playwright.config.ts') && files.includes('fixtures/test.ts'), `the recorder saw: ${files.join(' ')}`);
    assert.deepEqual(underReference(files), []);
  });

  it('the explorer against TARGET_URL (a short run of one scenario)', async () => {
    const { run, files } = await recorded(process.execPath, ['--import', 'tsx', 'explore/main.ts', '--only', 'tokens'], {
      TARGET_URL: target.url,
      EXPLORE_SECONDS: '5',
      EXPLORE_RUNS: '10',
    });
    assert.equal(run.code, 0, run.output);
    assert.ok(files.includes('explore/main.ts') && files.includes('core/target.ts'), `the recorder saw: ${files.join(' ')}`);
    assert.deepEqual(underReference(files), []);
  });

  it('the release check (npm start) against TARGET_URL, its monitor pass included', async () => {
    // The parts it starts inherit the recorder (NODE_OPTIONS): their files are recorded too.
    const { run, files } = await recorded(process.execPath, ['--import', 'tsx', 'release/check.ts'], {
      TARGET_URL: target.url,
      RELEASE_PARTS: 'monitor',
    });
    assert.equal(run.code, 0, run.output);
    assert.ok(
      ['release/check.ts', 'release/settings.ts', 'monitors/main.ts'].every((f) => files.includes(f)),
      `the recorder saw: ${files.join(' ')}`,
    );
    assert.deepEqual(underReference(files), []);
  });

  it('the load runner against TARGET_URL (up to where it needs k6)', async () => {
    const { run, files } = await recorded(process.execPath, ['--import', 'tsx', 'load/runner/main.ts', 'login'], {
      TARGET_URL: target.url,
      K6_BIN: join(tempDir(), 'no-k6-here'),
    });
    assert.ok(run.code === 2 || run.code === 3, run.output);
    assert.ok(files.includes('load/runner/main.ts'), `the recorder saw: ${files.join(' ')}`);
    assert.deepEqual(underReference(files), []);
  });
});
