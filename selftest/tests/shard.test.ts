// Sharding as the README and the workflow do it: two shards with CI=true (each writes its blob
// report), the blobs gathered in one folder, `npx playwright merge-reports --config merge.config.ts`,
// and the merged report holds every test of the run exactly once. Kept quick: the smoke and upgrade
// projects (9 tests, both shards at once, one worker each) against the bundled target; the whole suite
// runs in the matrix's clean column.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../support/cli.ts';
import { tempDir } from '../support/temp.ts';

const PROJECTS = ['--project=smoke', '--project=upgrade'];
// A developer's .env must not point the run elsewhere (empty counts as unset).
const CLEAN = { TARGET_URL: '', TARGET_FAULTS: '', SMOKE_USERNAME: '', SMOKE_PASSWORD: '', TEST_WORKERS: '', FORCE_COLOR: '0' };

interface JsonReport {
  suites: Suite[];
}
interface Suite {
  specs?: {
    title: string;
    file: string;
    tests: { projectName: string; status: string; results: { errors?: { message?: string }[] }[] }[];
  }[];
  suites?: Suite[];
}
interface Ran {
  title: string;
  status: string;
  errors: string[];
}
const testsOf = (suites: Suite[]): Ran[] =>
  suites.flatMap((s) => [
    ...(s.specs ?? []).flatMap((sp) =>
      sp.tests.map((t) => ({
        title: `[${t.projectName}] ${sp.file} › ${sp.title}`,
        status: t.status,
        errors: t.results.flatMap((r) => (r.errors ?? []).map((e) => e.message ?? '')),
      })),
    ),
    ...testsOf(s.suites ?? []),
  ]);

test('--shard=1/2 and 2/2, then merge-reports: one HTML report, JUnit and JSON with every test once', async (t) => {
  const dir = tempDir('hx-shard-');
  const listed = await runCli('npx', ['playwright', 'test', '--list', ...PROJECTS], CLEAN);
  const total = Number(/Total: (\d+) tests?/.exec(listed.stdout)?.[1]);
  assert.ok(total >= 5, listed.output);

  const shards = await Promise.all(
    [1, 2].map((i) =>
      // Each shard its own output folder, as on its own machine (two runs sharing test-results/ trip over each other's traces).
      runCli(
        'npx',
        ['playwright', 'test', ...PROJECTS, `--shard=${i}/2`, '--workers=1', `--output=${join(dir, `shard-${i}`, 'test-results')}`],
        {
          ...CLEAN,
          CI: 'true',
          REPORTS_DIR: join(dir, `shard-${i}`),
        },
      ),
    ),
  );
  shards.forEach((r, i) => {
    assert.equal(r.code, 0, `shard ${i + 1}/2:\n${r.output}`);
  });

  // What CI's download step does: every shard's blob files in one folder.
  const all = join(dir, 'all-blob-reports');
  mkdirSync(all);
  for (const i of [1, 2])
    for (const f of readdirSync(join(dir, `shard-${i}`, 'blob'))) copyFileSync(join(dir, `shard-${i}`, 'blob', f), join(all, f));
  assert.equal(readdirSync(all).filter((f) => f.endsWith('.zip')).length, 2, 'one blob per shard');

  const merged = join(dir, 'merged');
  const m = await runCli('npx', ['playwright', 'merge-reports', '--config', 'merge.config.ts', all], { ...CLEAN, REPORTS_DIR: merged });
  assert.equal(m.code, 0, m.output);
  const tests = testsOf((JSON.parse(readFileSync(join(merged, 'results.json'), 'utf8')) as JsonReport).suites);
  const titles = tests.map((x) => `${x.title} (${x.status})`);
  assert.equal(tests.length, total, titles.join('\n'));
  assert.equal(new Set(tests.map((x) => x.title)).size, total, 'a test appears twice');
  // CI=true retries once: a test that passed on its retry is flaky, still found (and said here).
  assert.ok(
    tests.every((x) => x.status === 'expected' || x.status === 'flaky'),
    titles.join('\n'),
  );
  for (const x of tests.filter((y) => y.status === 'flaky')) t.diagnostic(`flaky: ${x.title}: ${x.errors.join(' | ').slice(0, 600)}`);
  // Each shard ran only part of it.
  for (const i of [1, 2]) {
    const own = testsOf((JSON.parse(readFileSync(join(dir, `shard-${i}`, 'results.json'), 'utf8')) as JsonReport).suites);
    assert.ok(own.length > 0 && own.length < total, `shard ${i} ran ${own.length} of ${total}`);
  }
  assert.ok(existsSync(join(merged, 'html', 'index.html')), 'the merged HTML report');
  assert.match(readFileSync(join(merged, 'junit.xml'), 'utf8'), new RegExp(`<testsuites [^>]*tests="${total}"`));
});
