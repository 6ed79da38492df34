// `npm run testrun -- <login|credits> -e TARGET_URL=… -e CONFIRM_TARGET=… [-e KEY=VALUE]...` writes
// deploy/k6/testrun.yaml, the k6-operator's TestRun for that run, from the settings `npm run load`
// takes (checked by the same code, load/runner/settings.ts), so that what runs in a cluster is what
// `npm run load -- <script> -e LOAD_INSTANCES=N …` runs on one machine: the same archive arguments
// (load/runner/instances.ts archiveArgs), `parallelism` = LOAD_INSTANCES, each runner given its
// execution segment by the operator as the local processes are given theirs. Only the command line's
// settings are read (not the environment or .env): the file names the command that wrote it, and a
// self-test (selftest/deploy/testrun.test.ts) runs that command again and compares.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readCommandLine } from '../../core/cli.ts';
import { isLoopbackUrl } from '../../core/loopback.ts';
import { runMain, SettingsError } from '../../core/settings.ts';
import { GO_TOOLS } from '../../core/go-tools.ts';
import { archiveArgs } from '../../load/runner/instances.ts';
import { LOAD_PROGRAM, validateLoadRun } from '../../load/runner/settings.ts';

export const TESTRUN_FILE = fileURLToPath(new URL('./testrun.yaml', import.meta.url));
const COMMAND = 'npm run testrun --';

/** A word as a shell reads it back. */
const shellWord = (w: string): string => (/^[\w@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`);

/** Lines of a long command, continued with `\`, for a YAML comment. */
function commandLines(words: string[], indent: string): string[] {
  const lines: string[] = [];
  let line = '';
  // `-e KEY=VALUE` stays on one line.
  const units: string[] = [];
  for (const w of words.map(shellWord)) {
    if (units.at(-1) === '-e') units[units.length - 1] = `-e ${w}`;
    else units.push(w);
  }
  for (const w of units) {
    if (line && line.length + w.length > 100) {
      lines.push(`${line} \\`);
      line = '  ';
    }
    line += line.trim() ? ` ${w}` : w;
  }
  return [...lines, line].map((l) => `${indent}${l}`);
}

/** The TestRun for the run these arguments describe (those of `npm run load`, -e only). */
export function testRunYaml(argv: readonly string[]): string {
  const run = validateLoadRun(argv, {});
  const s = run.settings;
  if (!s.TARGET_URL || isLoopbackUrl(s.TARGET_URL))
    throw new SettingsError([
      `TARGET_URL: ${s.TARGET_URL ? "a cluster's runners cannot reach this machine's loopback" : 'not set'}; give the deployed target the TestRun loads (and CONFIRM_TARGET)`,
    ]);
  if (s.LOAD_ACCOUNTS_FILE || s.LOAD_USERNAME)
    throw new SettingsError([
      `${s.LOAD_ACCOUNTS_FILE ? 'LOAD_ACCOUNTS_FILE' : 'LOAD_USERNAME'}: a cluster's runners take pre-provisioned accounts from a Secret ` +
        '(LOAD_ACCOUNTS_JSON, in the manifest), not from a file on this machine',
    ]);
  const name = `temporal-load-${run.script}`;
  const tar = `${run.script}.tar`;
  const archive = archiveArgs(`load/${run.script}.ts`, { ...run.k6Env, TARGET_URL: s.TARGET_URL }, tar);
  const k6Version = GO_TOOLS.k6.version.replace(/^v/, '');
  return `${[
    `# Written by \`${[COMMAND, ...argv.map(shellWord)].join(' ')}\``,
    '# (deploy/k6/testrun.ts): do not edit by hand; change the settings and run it again (a self-test compares).',
    '#',
    `# A distributed run of load/${run.script}.ts with the k6-operator (https://github.com/grafana/k6-operator), for when`,
    '# one load generator is not enough; the same run as, on one machine,',
    ...commandLines(['npm', 'run', 'load', '--', ...argv], '#   '),
    '# (LOAD_INSTANCES k6 processes of the same archive, each given its execution segment as the operator gives',
    '# each runner its own). Full steps: docs/load.md ("Beyond one machine").',
    '#',
    '# 1. Bundle the script, its imports and its settings into an archive. k6 records the settings and the',
    '#    options they make (rate, duration, VUs) in it: a -e given later changes __ENV, not the scenario.',
    '#    Never put a password in it (accounts come from a Secret, step 2).',
    ...commandLines(['k6', ...archive], '#      '),
    `#      kubectl create configmap ${name} --from-file=${tar}`,
    '# 2. Optional, for targets where registering accounts is not wanted: pre-provisioned accounts,',
    '#      kubectl create secret generic temporal-load-accounts --from-file=accounts.json',
    '#    (a JSON array of {"username", "password"}), given to the runners as LOAD_ACCOUNTS_JSON (below). An archive',
    '#    run can only open() files that are in the archive, so the accounts come in through the environment.',
    `# 3. kubectl apply -f deploy/k6/testrun.yaml ; kubectl get testrun ${name} -w`,
    '#',
    `# Each runner runs its execution segment of the run: ${s.LOAD_INSTANCES > 1 ? `1/${s.LOAD_INSTANCES}` : 'all'} of the rate and VUs, and its share of the`,
    "# setup() pool (load/lib/accounts.ts), so the runners together make the run's rate and register its pool",
    '# once. Each judges the thresholds on its own share and exits 99 when one is crossed; a failed runner fails',
    "# the TestRun. Each prints k6's own end-of-test summary (its logs); the whole run's metrics go where the",
    "# runners' outputs send them (add e.g. --out experimental-prometheus-rw to the arguments).",
    'apiVersion: k6.io/v1alpha1',
    'kind: TestRun',
    'metadata:',
    `  name: ${name}`,
    'spec:',
    `  parallelism: ${s.LOAD_INSTANCES}`,
    '  script:',
    '    configMap:',
    `      name: ${name}`,
    `      file: ${tar}`,
    '  # The settings are in the archive (step 1); the testid tag names the series of this run.',
    `  arguments: --no-usage-report --tag testid=${name}`,
    '  # Remove the runner pods when the run is over.',
    '  cleanup: post',
    '  runner:',
    '    # The version the scripts are pinned to (core/go-tools.ts).',
    `    image: grafana/k6:${k6Version}`,
    '    resources:',
    '      requests: { cpu: "1", memory: 512Mi }',
    '      limits: { cpu: "2", memory: 1Gi }',
    '    env:',
    '      - name: K6_NO_USAGE_REPORT',
    '        value: "true"',
    '      # Uncomment to use pre-provisioned accounts (step 2) instead of registering a pool in setup():',
    '      # - name: LOAD_ACCOUNTS_JSON',
    '      #   valueFrom:',
    '      #     secretKeyRef:',
    '      #       name: temporal-load-accounts',
    '      #       key: accounts.json',
  ].join('\n')}\n`;
}

/** The command line recorded in a manifest's first line (what the self-test runs again). */
export function recordedArgv(yaml: string): string[] | undefined {
  const line = /^# Written by `npm run testrun -- (.*)`$/m.exec(yaml)?.[1];
  if (line === undefined) return undefined;
  return [...line.matchAll(/'((?:[^']|'\\'')*)'|(\S+)/g)].map((m) => (m[1] !== undefined ? m[1].replace(/'\\''/g, "'") : m[2]!));
}

if (process.argv[1] === fileURLToPath(import.meta.url))
  await runMain(async () => {
    // `--help` answers before anything is written; the rest is npm run load's command line (validateLoadRun).
    readCommandLine({
      ...LOAD_PROGRAM,
      command: 'npm run testrun',
      summary:
        "writes deploy/k6/testrun.yaml, the k6-operator's TestRun for the run npm run load would make of the same command line " +
        '(parallelism = LOAD_INSTANCES), and records that command line in its first line',
      usage: ['-- <login|credits> [-e KEY=VALUE]...'],
      exits: '0 written, 2 bad settings or command line',
      examples: [
        'npm run testrun -- credits -e LOAD_PROFILE=load -e LOAD_RATE=800 -e LOAD_INSTANCES=4 -e TARGET_URL=… -e CONFIRM_TARGET=…',
      ],
      notes: ['The committed manifest is held equal to what its recorded command writes (selftest/deploy/testrun.test.ts).'],
    });
    writeFileSync(TESTRUN_FILE, testRunYaml(process.argv.slice(2)));
    process.stdout.write(`wrote ${TESTRUN_FILE}\n`);
    return 0;
  });
