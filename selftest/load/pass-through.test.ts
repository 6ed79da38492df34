// `npm run load -- <script> [flags] -- <k6 flags>`: what follows `--` goes to k6 as it is (an output,
// a tag), each run is tagged with a testid, and the k6 flags that would undo the runner's guarantees
// (the safety gate, the bounds, the verdict, secrets) are refused with exit 2 before any traffic.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { runCli } from '../support/cli.ts';
import { tempDir } from '../support/temp.ts';
import { runLoad, tail } from '../support/k6.ts';

test('k6 flags after -- reach k6: --out json=<file> writes samples tagged with the run testid', async () => {
  const out = join(tempDir('hx-load-out-'), 'samples.json');
  const run = await runLoad([
    'login',
    '-e',
    'LOAD_DURATION=2s',
    '-e',
    'LOAD_RATE=2',
    '-e',
    'LOAD_POOL_SIZE=1',
    '--',
    '--out',
    `json=${out}`,
  ]);
  assert.equal(run.code, 0, tail(run));
  const testid = /"testid":"(login-smoke-\d{8}T\d{6}Z)"/.exec(run.output)?.[1];
  assert.ok(testid, `the runner logs the run's testid:\n${tail(run)}`);
  const points = readFileSync(out, 'utf8')
    .split('\n')
    .filter((l) => l.includes('"type":"Point"'))
    .map((l) => JSON.parse(l) as { metric: string; data: { tags: Record<string, string> } });
  const reqs = points.filter((p) => p.metric === 'http_reqs' && p.data.tags.name === 'login');
  assert.ok(reqs.length > 0, 'login requests were recorded by the extra output');
  assert.ok(
    reqs.every((p) => p.data.tags.testid === testid),
    'every sample carries the testid',
  );
});

test('a testid given with --tag is kept', async () => {
  const out = join(tempDir('hx-load-out-'), 'samples.json');
  const run = await runLoad([
    'login',
    '-e',
    'LOAD_DURATION=1s',
    '-e',
    'LOAD_RATE=1',
    '-e',
    'LOAD_POOL_SIZE=1',
    '--',
    '--tag',
    'testid=release-42',
    '-o',
    `json=${out}`,
  ]);
  assert.equal(run.code, 0, tail(run));
  assert.match(run.output, /"testid":"release-42"/);
  assert.match(readFileSync(out, 'utf8'), /"testid":"release-42"/);
});

test('k6 flags that would get around the gate, the bounds or the verdict are refused: exit 2, named, no traffic', async () => {
  for (const [args, named] of [
    [['-e', 'TARGET_URL=http://api.prod.test'], /k6 flag -e: not accepted after -- \(give the settings before the --/],
    [['--env=TARGET_URL=http://api.prod.test'], /k6 flag --env: not accepted/],
    [['--config', '/tmp/hosts.json'], /k6 flag --config: .*hosts/],
    [['--vus', '5000'], /k6 flag --vus: .*LOAD_MAX_VUS/],
    [['--duration', '5h'], /k6 flag --duration: .*bounded to 30m/],
    [['--no-thresholds'], /k6 flag --no-thresholds/],
    [['--http-debug=full'], /k6 flag --http-debug: .*Authorization/],
    [['--max-redirects', '10'], /k6 flag --max-redirects: .*another host/],
    [['-qe', 'X=1'], /k6 flags -qe: give short flags one by one/],
  ] as const) {
    const run = await runLoad(['credits', '--', ...args]);
    assert.equal(run.code, 2, `${args.join(' ')}: ${tail(run)}`);
    assert.match(run.output, named);
    assert.doesNotMatch(run.output, /k6 credits|setup/, 'nothing was started');
  }
});

test("k6 runs with a larger Go heap goal (GOGC=400, GOMEMLIMIT a quarter of memory) unless the user set k6's own", async () => {
  const { goRuntimeEnv } = await import('../../load/runner/k6.ts');
  const ours = goRuntimeEnv({});
  assert.equal(ours.GOGC, '400');
  assert.match(ours.GOMEMLIMIT ?? '', /^\d+MiB$/);
  assert.deepEqual(goRuntimeEnv({ GOGC: '100', GOMEMLIMIT: '512MiB' }), {}, "the user's GOGC and GOMEMLIMIT win");
});

// k6 reads its options from the environment too, and they override the scripts' own:
// K6_MAX_REDIRECTS undid maxRedirects: 0, K6_HTTP_DEBUG printed Bearer tokens and password= bodies.
test('K6_* variables that would undo the same guarantees are refused, from the environment or .env: exit 2, named', async () => {
  const { validateLoadRun } = await import('../../load/runner/settings.ts');
  const { K6_ENV_REFUSED } = await import('../../load/runner/k6-env.ts');
  const { SettingsError } = await import('../../core/settings.ts');
  for (const name of K6_ENV_REFUSED.keys())
    assert.throws(
      () => validateLoadRun(['login'], { [name]: 'full' }),
      (e: unknown) =>
        e instanceof SettingsError && new RegExp(`^  - ${name}: not accepted by npm run load \\(.+\\); unset it$`, 'm').test(e.message),
      name,
    );
  assert.doesNotThrow(() => validateLoadRun(['login'], { K6_HTTP_DEBUG: '' }), 'an empty one is not passed on, nothing to refuse');
  // For real, from a .env file in the folder it runs in: refused before anything starts.
  const dir = tempDir('hx-load-dotenv-');
  writeFileSync(join(dir, '.env'), 'K6_HTTP_DEBUG=full\nK6_MAX_REDIRECTS=10\n');
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const run = await runCli(
    join(root, 'node_modules/.bin/tsx'),
    [join(root, 'load/runner/main.ts'), 'login'],
    { REPORTS_DIR: dir },
    60_000,
    dir,
  );
  assert.equal(run.code, 2, run.output);
  assert.match(run.output, /K6_MAX_REDIRECTS: not accepted by npm run load \(the scripts follow no redirect/);
  assert.match(run.output, /K6_HTTP_DEBUG: not accepted by npm run load \(it prints every request and answer/);
  assert.doesNotMatch(run.output, /k6 login|\n\s+at /, 'something started, or a stack trace');
});

test("the heavy profiles export k6's web dashboard into the run's folder unless the user set K6_WEB_DASHBOARD_EXPORT (or another of its settings)", async () => {
  const { dashboardEnv } = await import('../../load/runner/k6.ts');
  const load = { name: 'load', durationS: 600 };
  assert.equal(dashboardEnv('/r/run', load, {}).K6_WEB_DASHBOARD_EXPORT, '/r/run/dashboard.html');
  const mine = dashboardEnv('/r/run', load, { K6_WEB_DASHBOARD_EXPORT: '/srv/dashboards/today.html' });
  assert.equal(mine.K6_WEB_DASHBOARD_EXPORT, undefined, "the user's export file is never overridden (k6 reads it from the environment)");
  assert.equal(mine.K6_WEB_DASHBOARD, 'true');
  assert.equal(dashboardEnv('/r/run', load, { K6_WEB_DASHBOARD_PORT: '5665' }).K6_WEB_DASHBOARD_PORT, undefined, 'their live dashboard');
  assert.deepEqual(dashboardEnv('/r/run', { name: 'smoke', durationS: 10 }, {}), {}, 'smoke exports nothing of its own');
});
