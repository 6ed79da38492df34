// The k6-operator's TestRun (deploy/k6/testrun.yaml) is written from the settings of `npm run load` by
// deploy/k6/testrun.ts: the committed file must be what its recorded command writes now, and the
// archive it tells users to build must carry the run `npm run load -e LOAD_INSTANCES=N` makes here
// (the same archive arguments, load/runner/instances.ts). kubeconform cannot check a TestRun (its
// schema ships with the operator): selftest/deploy/manifests.test.ts skips it; its fields are checked here.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { execa } from 'execa';
import { parse } from 'yaml';
import { parseDurationS } from '../../core/durations.ts';
import { ensureTool, GO_TOOLS } from '../../core/go-tools.ts';
import { SettingsError } from '../../core/settings.ts';
import { recordedArgv, TESTRUN_FILE, testRunYaml } from '../../deploy/k6/testrun.ts';
import { buildProfile } from '../../load/lib/settings.ts';
import { tempDir } from '../support/temp.ts';

const committed = readFileSync(TESTRUN_FILE, 'utf8');
const argv = recordedArgv(committed);

test('the committed TestRun is what its recorded command writes (npm run testrun)', () => {
  assert.ok(argv, 'deploy/k6/testrun.yaml does not name the command that wrote it');
  assert.ok(committed === testRunYaml(argv), `deploy/k6/testrun.yaml is stale: run \`npm run testrun -- ${argv.join(' ')}\` and commit it`);
  // And it does depend on the settings: another LOAD_INSTANCES is another parallelism.
  const other = parse(testRunYaml(argv.map((a) => (a.startsWith('LOAD_INSTANCES=') ? 'LOAD_INSTANCES=3' : a))));
  assert.equal(other.spec.parallelism, 3);
});

test('the TestRun runs the archive of the pinned k6 with parallelism = LOAD_INSTANCES, and the archive holds the run asked', async () => {
  const doc = parse(committed);
  const instances = Number(argv!.find((a) => a.startsWith('LOAD_INSTANCES='))!.split('=')[1]);
  assert.equal(doc.kind, 'TestRun');
  assert.equal(doc.apiVersion, 'k6.io/v1alpha1');
  assert.equal(doc.spec.parallelism, instances);
  assert.equal(doc.spec.runner.image, `grafana/k6:${GO_TOOLS.k6.version.replace(/^v/, '')}`);
  assert.equal(doc.spec.script.configMap.file, 'credits.tar');
  assert.doesNotMatch(doc.spec.arguments, /-e /, 'the settings are in the archive: a -e at run time would not change its scenario');

  // The archive command the manifest gives, run for real (k6 archive sends no request): its recorded
  // options are the scenario the same settings make for npm run load.
  const line = /#\s+k6 archive (.*?) -O credits\.tar$/ms.exec(committed.replace(/ \\\n#\s+/g, ' '))?.[1];
  assert.ok(line, 'no k6 archive command in the manifest');
  const dir = tempDir('hx-testrun-');
  const words = line.split(/\s+/);
  const r = await execa(await ensureTool('k6'), ['archive', ...words, '-O', join(dir, 'credits.tar')], { reject: false });
  assert.equal(r.exitCode, 0, r.stderr);
  await execa('tar', ['xf', join(dir, 'credits.tar'), '-C', dir, 'metadata.json']);
  const meta = JSON.parse(readFileSync(join(dir, 'metadata.json'), 'utf8'));
  const env = Object.fromEntries(words.flatMap((w, i) => (words[i - 1] === '-e' ? [w.split(/=(.*)/s).slice(0, 2)] : [])));
  const profile = buildProfile('credits', env);
  const scenario = meta.options.scenarios.credits;
  assert.deepEqual(
    [scenario.executor, scenario.rate, parseDurationS(scenario.duration), scenario.preAllocatedVUs, scenario.maxVUs],
    ['constant-arrival-rate', profile.rate, profile.durationS, profile.preVUs, profile.maxVUs],
  );
  assert.equal(meta.env.TARGET_URL, 'https://api.staging.example.com');
});

test('a TestRun needs a target a cluster can reach, and takes accounts from a Secret, not a file here', () => {
  const refused = (args: string[]) => {
    try {
      testRunYaml(args);
      return 'accepted';
    } catch (err) {
      assert.ok(err instanceof SettingsError, String(err));
      return err.problems.join('\n');
    }
  };
  assert.match(refused(['credits']), /^TARGET_URL: not set/);
  assert.match(
    refused(['credits', '-e', 'TARGET_URL=http://127.0.0.1:8080']),
    /^TARGET_URL: a cluster's runners cannot reach this machine's loopback/,
  );
  assert.match(
    refused(['credits', '-e', 'TARGET_URL=https://api.staging.example.com']),
    /^CONFIRM_TARGET: refusing to load api\.staging\.example\.com/,
  );
  assert.match(
    refused([
      'credits',
      '-e',
      'TARGET_URL=https://api.staging.example.com',
      '-e',
      'CONFIRM_TARGET=api.staging.example.com',
      '-e',
      `LOAD_ACCOUNTS_FILE=${TESTRUN_FILE}`,
    ]),
    /^LOAD_ACCOUNTS_FILE: a cluster's runners take pre-provisioned accounts from a Secret/,
  );
});
