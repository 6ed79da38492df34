// Every npm script (and every benchmark of npm run bench) answers `--help` and does nothing else: run as a user types it
// (`npm run <script> -- --help`), each in a scratch checkout of its own (the tracked files, node_modules
// linked) with a private HOME and TMPDIR, every Node process of it under a guard
// (selftest/support/no-work.mjs) that refuses and records any TCP listen or connection. It must exit
// 0 with its help on stdout, within HELP_LIMIT_MS, having written no file (checkout, HOME, TMPDIR)
// and opened no port or connection. The guard and the file check are shown to see work (a command
// run without --help). Beside it: unknown flags get the nearest option or setting, never a stack;
// colour follows NO_COLOR / FORCE_COLOR / the terminal. The helps' first lines are the summaries of
// docs/npm-scripts.md's generated table: it must be what they say now (npm run generate writes it).
import assert from 'node:assert/strict';
import { cpSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, it, test } from 'node:test';
import { execa, execaSync } from 'execa';
import { benchmarks } from '../../bench/support.ts';
import { generatedPart } from '../../core/markdown.ts';
import { colourWanted } from '../../core/logger.ts';
import { scriptsMarkdown, summaryOf } from '../../scripts/docs-pages.ts';
import { monitorSettings } from '../../monitors/settings.ts';
import { isInternal } from '../../core/settings.ts';
import { tempDir } from '../support/temp.ts';

const ROOT = resolve('.');
const GUARD = resolve('selftest/support/no-work.mjs');
/** "More than a moment": a help is Node and tsx starting (about 1 s here), on a machine shared by a few. */
// A backstop against a help that waits for something (the recorder proves it does no work): each run
// has a fresh TMPDIR, so tsx compiles its program cold, which took up to 26 s in fresh-clone CI runs
// beside the matrix (a program compiling Playwright before its --help), so the backstop is at 45 s.
const HELP_LIMIT_MS = 45_000;
const SCRIPTS = Object.keys((JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts);
const TRACKED = execaSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'])
  .stdout.split('\0')
  .filter((f) => f && existsSync(f));

function scratchCheckout(): string {
  const dir = tempDir('hx-help-');
  for (const f of TRACKED) {
    mkdirSync(dirname(join(dir, f)), { recursive: true });
    cpSync(f, join(dir, f));
  }
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

/** Every file under `dir` with its size and mtime (node_modules and tsx's compile cache left out). */
function snapshot(dir: string, out = new Map<string, string>()): Map<string, string> {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (name === 'node_modules' || /^tsx-\d+$/.test(name)) continue;
    const st = lstatSync(p);
    if (st.isDirectory()) snapshot(p, out);
    else out.set(p, `${st.size} ${st.mtimeMs}`);
  }
  return out;
}

function changed(before: Map<string, string>, after: Map<string, string>): string[] {
  return [...after].filter(([p, v]) => before.get(p) !== v).map(([p]) => p);
}

interface Run {
  code: number | undefined;
  stdout: string;
  stderr: string;
  ms: number;
  /** What the guard refused (listens, connections). */
  work: string[];
  /** Files written or touched. */
  written: string[];
}

/** `npm run -s <script> [-- args]` in a scratch checkout, as a user with no settings, under the guard. */
async function runScript(script: string, args: string[], timeoutMs = 60_000): Promise<Run> {
  const cwd = scratchCheckout();
  const home = tempDir('hx-help-home-');
  const tmp = tempDir('hx-help-tmp-');
  const log = join(tempDir('hx-help-log-'), 'work.log');
  const before = new Map([...snapshot(cwd), ...snapshot(home), ...snapshot(tmp)]);
  const t0 = performance.now();
  const r = await execa('npm', ['run', '-s', script, ...(args.length ? ['--', ...args] : [])], {
    cwd,
    extendEnv: false,
    env: {
      PATH: process.env.PATH,
      LANG: 'C.UTF-8',
      HOME: home,
      TMPDIR: tmp,
      NODE_OPTIONS: `--import=${GUARD}`,
      NO_WORK_OUT: log,
      // npm itself: no update check (a request), no log file per command.
      npm_config_update_notifier: 'false',
      npm_config_logs_max: '0',
    },
    reject: false,
    timeout: timeoutMs,
  });
  const ms = performance.now() - t0;
  const after = new Map([...snapshot(cwd), ...snapshot(home), ...snapshot(tmp)]);
  return {
    code: r.exitCode,
    stdout: r.stdout,
    stderr: r.stderr,
    ms,
    work: existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : [],
    written: changed(before, after).map((p) => p.replace(cwd, '<checkout>').replace(home, '<home>').replace(tmp, '<tmp>')),
  };
}

const times: Array<[string, number]> = [];
/** Each help's first line, by script (and `bench <name>`), for the scripts table. */
const helps: Record<string, string> = {};
const BENCHMARKS = benchmarks();

describe('every npm script answers -- --help and does no work', { concurrency: 3 }, () => {
  const runs: Array<[key: string, script: string, args: string[]]> = [
    ...SCRIPTS.map((s): [string, string, string[]] => [s, s, ['--help']]),
    ...BENCHMARKS.map((b): [string, string, string[]] => [`bench ${b}`, 'bench', [b, '--help']]),
  ];
  for (const [key, script, args] of runs)
    it(`npm run ${script} -- ${args.join(' ')}`, async () => {
      const r = await runScript(script, args);
      times.push([key, r.ms]);
      helps[key] = r.stdout;
      const said = `stdout:\n${r.stdout.slice(0, 600)}\nstderr:\n${r.stderr.slice(-1500)}`;
      assert.deepEqual(r.work, [], `it listened or connected:\n${said}`);
      assert.deepEqual(r.written, [], `it wrote files:\n${said}`);
      assert.equal(r.code, 0, said);
      assert.match(r.stdout, /usage|COMMON COMMANDS/i, `its help on stdout:\n${said}`);
      assert.ok(r.ms < HELP_LIMIT_MS, `it took ${(r.ms / 1000).toFixed(1)} s: more than a moment`);
      if (key === 'monitor') {
        // The settings section comes from the schemas: every one users may set, with its default.
        for (const name of Object.keys(monitorSettings).filter((n) => !isInternal(monitorSettings[n as keyof typeof monitorSettings])))
          assert.match(r.stdout, new RegExp(`^  ${name} `, 'm'), `${name} in the monitor's help`);
        assert.match(r.stdout, /MONITOR_PORT +0\.\.65535, default 9464/);
        assert.match(r.stdout, /MONITOR_ALERT_REPEAT +text, default 4h/);
      }
    });
});

test('the guard and the file check see work: a command run without --help is caught', async () => {
  const [target, testrun] = await Promise.all([
    runScript('target', [], 30_000),
    runScript(
      'testrun',
      ['credits', '-e', 'TARGET_URL=https://api.staging.example.com', '-e', 'CONFIRM_TARGET=api.staging.example.com'],
      30_000,
    ),
  ]);
  assert.match(target.work.join('\n'), /listen on port 8080/, `${target.stdout}${target.stderr}`);
  assert.deepEqual(testrun.written, ['<checkout>/deploy/k6/testrun.yaml'], testrun.stderr);
});

test("docs/npm-scripts.md's table is what package.json and the helps say (npm run generate writes it)", () => {
  const summary = (key: string) => summaryOf(key, helps[key] ?? '');
  const page = generatedPart(readFileSync('docs/npm-scripts.md', 'utf8'));
  assert.ok(page !== undefined, 'docs/npm-scripts.md has no generated part');
  const now = scriptsMarkdown(
    Object.fromEntries(SCRIPTS.flatMap((s) => (summary(s) ? [[s, summary(s)!]] : []))),
    Object.fromEntries(BENCHMARKS.map((b) => [b, summary(`bench ${b}`) ?? ''])),
  );
  for (const s of SCRIPTS)
    assert.ok(summary(s), `npm run ${s} -- --help: its first line says what it does (\`<command> — <what it does>\`)`);
  assert.ok(page === now, 'docs/npm-scripts.md is stale: run `npm run generate` and commit it');
});

test('--help costs (printed, not asserted)', () => {
  times.sort((a, b) => a[1] - b[1]);
  const ms = times.map(([, t]) => t);
  if (ms.length)
    console.log(
      `--help of ${ms.length} npm scripts and benchmarks: median ${(ms[Math.floor(ms.length / 2)]! / 1000).toFixed(2)} s, slowest ` +
        `${times.at(-1)![0]} ${(times.at(-1)![1] / 1000).toFixed(2)} s`,
    );
});

/** A program run directly (node with tsx), for the flag tests: quicker than npm, the same main. */
const program = (file: string, args: string[], env: Record<string, string> = {}) =>
  execa(process.execPath, ['--import', 'tsx', file, ...args], { reject: false, env: { TARGET_URL: '', ...env }, timeout: 30_000 });

test('an unknown flag: exit 2, one line naming it and what was meant (the nearest option, or the setting a flag names), no stack', async () => {
  const cases: Array<[file: string, args: string[], said: RegExp]> = [
    // Renamed flags of the load runner: its settings are -e KEY=VALUE now, as k6's.
    [
      'load/runner/main.ts',
      ['credits', '--profile', 'smoke'],
      /--profile: not an option of npm run load; settings are given as -e KEY=VALUE: did you mean -e LOAD_PROFILE=smoke\?/,
    ],
    ['load/runner/main.ts', ['login', '--vus', '50'], /--vus: .*did you mean -e LOAD_MAX_VUS=<n>\?/],
    ['proof/conformance.ts', ['--jsno'], /--jsno: not an option of npm run conformance; did you mean --json\?/],
    ['monitors/main.ts', ['--onse'], /--onse: not an option of npm run monitor; did you mean --once\?/],
    [
      'monitors/main.ts',
      ['--target-url', 'https://api.example.com'],
      /settings are environment variables: did you mean TARGET_URL=https:\/\/api\.example\.com npm run monitor\?/,
    ],
    // A secret is never repeated, and never suggested for a command line.
    ['monitors/main.ts', ['--password', 'hunter2-secret'], /MONITOR_PASSWORD is a setting: give it in the environment or \.env, never on/],
    ['release/check.ts', ['--hepl'], /--hepl: not an option of npm start; did you mean --help\?/],
    ['proof/matrix.ts', ['--fault', 'token-1h'], /--fault: not an option of npm run matrix; did you mean --faults\?/],
    ['bench/main.ts', ['lod'], /lod: no such benchmark; did you mean load\?/],
    ['explore/main.ts', ['--seed', '15'], /did you mean EXPLORE_SEED=15 npm run explore\?/],
    ['reference/main.ts', ['--list'], /did you mean --list-faults\?/],
  ];
  await Promise.all(
    cases.map(async ([file, args, said]) => {
      const r = await program(file, args);
      assert.equal(r.exitCode, 2, `${file} ${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, said);
      assert.doesNotMatch(r.stderr, /hunter2|\n\s+at |ERR_PARSE_ARGS/, 'no secret, no stack');
      assert.equal(r.stdout, '', 'nothing started');
    }),
  );
});

test('colour follows NO_COLOR, FORCE_COLOR and the terminal (LOG_FORMAT=pretty in a pseudo-terminal)', async () => {
  const tty = { isTTY: true, hasColors: () => true } as unknown as NodeJS.WriteStream;
  const pipe = { isTTY: false } as unknown as NodeJS.WriteStream;
  assert.equal(colourWanted(tty, {}), true);
  assert.equal(colourWanted(tty, { NO_COLOR: '1' }), false);
  assert.equal(colourWanted(tty, { NO_COLOR: '' }), true, 'an empty NO_COLOR is unset');
  assert.equal(colourWanted(pipe, {}), false);
  assert.equal(colourWanted(pipe, { FORCE_COLOR: '1' }), true);
  assert.equal(colourWanted(tty, { FORCE_COLOR: '0' }), false);
  // The real thing: pino-pretty's lines in a terminal (script(1) gives the command a pseudo-terminal).
  const line = async (env: Record<string, string>) =>
    (
      await execa(
        'script',
        [
          '-qec',
          `${process.execPath} --import tsx -e "import('./core/logger.ts').then((m) => m.createLogger({ format: 'pretty' }).info('hello'))"`,
          '/dev/null',
        ],
        { env: { TERM: 'xterm-256color', NO_COLOR: '', FORCE_COLOR: '', ...env }, reject: false, timeout: 30_000 },
      )
    ).stdout;
  const [plain, coloured] = await Promise.all([line({ NO_COLOR: '1' }), line({})]);
  assert.match(plain, /INFO.*hello/);
  const ESC = String.fromCharCode(27);
  assert.ok(!plain.includes(`${ESC}[`), `NO_COLOR=1: no colour codes: ${JSON.stringify(plain)}`);
  assert.ok(new RegExp(`${ESC}\\[\\d+m`).test(coloured), `a terminal without NO_COLOR: colour: ${JSON.stringify(coloured)}`);
});
