// Every shell command in README.md and docs/*.md is proven here, so a documented command that
// breaks fails CI.
//
// Fenced blocks whose info string is `sh runnable` (or `sh runnable exit=1` for a command shown
// failing) run, in order, in a scratch checkout of the repository (the tracked files, with
// node_modules linked), as a user following the page would: no settings but the ones written, the
// bundled target, port 8080 replaced by a free port. A command that prints "listening on" or
// "Serving HTML report at" is a service: it stays up for the rest of its block (a trailing `&`
// says so too), then is stopped. Every other command must end with the block's exit code.
//
// Blocks without the marker (`sh`) hold commands that need staging, credentials, Docker or a
// cluster: they are checked, not run: shell syntax, the npm scripts they name, their Playwright and
// k6 flags (asked of the tools), Docker's flags and the pinned image, the settings they set, the
// files they name. A harness command in such a block that could run here is an error: mark it.
//
// The CI budget: the commands below run smaller, or not at all, because another part of `npm test`
// already runs them in full (VARIANTS says which and why).
import { describe, it, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { freePort } from '../../core/ports.ts';
import { dirname, join, resolve } from 'node:path';
import { execa, execaSync } from 'execa';
import { ensureTool } from '../../core/go-tools.ts';
import type { SettingsError } from '../../core/settings.ts';
import { k6PassThrough, loadSettingsShape } from '../../load/runner/settings.ts';
import { MONITOR_LATENCY_ROOM } from '../support/cli.ts';
import { K6_LATENCY_ROOM } from '../support/k6.ts';
import { tempDir } from '../support/temp.ts';

const ROOT = resolve('.');
const DOCS = [
  'README.md',
  ...readdirSync('docs')
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];
const SHELL = /^(sh|bash|shell|console)$/;
const READY = /listening on|Serving HTML report at/;
const COMMAND_LIMIT_MS = 150_000;
const READY_LIMIT_MS = 30_000;

interface Variant {
  match: RegExp;
  /** Not run, because: */
  skip?: string;
  /** Run as this instead. */
  run?: (cmd: string) => string;
  env?: Record<string, string>;
  why: string;
}

const appendArgs = (cmd: string, args: string) => (/^npm run /.test(cmd) && !/ -- /.test(cmd) ? `${cmd} -- ${args}` : `${cmd} ${args}`);
/** `npm run load -- <script> [-e KEY=VALUE]... [-- <k6 flags>]`: the runner's -e goes before the k6 flags. */
const loadDuration = (cmd: string, d: string) => {
  const c = cmd.replace(/ -e LOAD_DURATION=\S+/, '');
  const first = c.indexOf(' -- ');
  const second = first < 0 ? -1 : c.indexOf(' -- ', first + 4);
  const e = `-e LOAD_DURATION=${d}`;
  return second < 0 ? appendArgs(c, e) : `${c.slice(0, second)} ${e}${c.slice(second)}`;
};
const shortK6 = (cmd: string) =>
  /^k6 run /.test(cmd)
    ? cmd.replace(/ -e LOAD_DURATION=\S+/, '').replace(/^k6 run /, 'k6 run -e LOAD_DURATION=3s ')
    : loadDuration(cmd, '3s');

// Latency limits are not what a docs run proves (two pages run at a time on 2 cores, beside the rest of npm
// test): room for every command, k6's as in selftest/load, the monitor's as in every monitor run of a test.
const ROOMY_LATENCY = { ...K6_LATENCY_ROOM, ...MONITOR_LATENCY_ROOM };
const START_ENV = { RELEASE_TEST_PROJECTS: 'smoke', LOAD_DURATION: '3s', EXPLORE_SECONDS: '10' };
const START_WHY =
  "each part runs in full elsewhere in npm test (the matrix's clean column: the whole Playwright suite, 20 s of exploring; " +
  'selftest/load: the k6 smoke; selftest/release: the monitor pass); here npm start wires all four, with the smoke project, ' +
  '3 s k6 runs and 10 s of exploring (the known issues are replayed whatever the budget)';

/** First match wins. */
const VARIANTS: Variant[] = [
  { match: /^npm test\b/, skip: 'npm test is what runs this test', why: '' },
  { match: /^npm install && npm start$/, run: () => 'npm start', env: START_ENV, why: `installing is .ci/run's npm ci; ${START_WHY}` },
  { match: /^npm (ci|install)\b/, skip: ".ci/run's npm ci installs before npm test runs", why: '' },
  // With or without settings before it (README's `TARGET_GENERATION=latest npm start`): the same wiring, smaller.
  { match: /^([A-Z][A-Z0-9_]*=\S* )*npm start\b/, env: START_ENV, why: START_WHY },
  { match: /^npm run matrix\b/, skip: 'npm test runs npm run matrix in full', why: '' },
  { match: /^npm run test:self\b/, skip: 'npm test runs every self-test', why: '' },
  { match: /^npm run test:real-server\b/, skip: "npm test's last step is this very command", why: '' },
  {
    match: /^npm run generate\b/,
    skip: 'writes tracked files; selftest/docs/generated.test.ts and selftest/core/cli-help.test.ts hold them to what it writes',
    why: '',
  },
  {
    match: /^npx playwright merge-reports\b/,
    skip: "selftest/tests/shard.test.ts gathers two shards' blob reports and runs this very command",
    why: '',
  },
  {
    match: /^npm run bench\b/,
    skip: 'a benchmark (minutes of both cores), run by hand; its figures are in docs/figures.md',
    why: '',
  },
  {
    match: /^npm run capacity\b/,
    skip: 'selftest/load/capacity.test.ts runs npm run capacity against a target whose knee is known (a search is a minute of both cores)',
    why: '',
  },
  {
    match: /^npm run load -- \w+ .*-e LOAD_INSTANCES=/,
    skip: 'selftest/load/instances.test.ts runs npm run load with LOAD_INSTANCES=2 beside one process',
    why: '',
  },
  {
    match: /^npm run load -- (login|credits)$/,
    skip: 'selftest/load/smoke.test.ts runs this very command',
    why: '',
  },
  {
    match: /^(k6 run |npm run load)/,
    run: shortK6,
    why: 'a profile lasts minutes; 3 s runs the same path (gate, setup, scenario, thresholds, reports) with room in its latency limits',
  },
  {
    match: /^(npx playwright test|npm run test:api)(?!.*--project)(?!.*TARGET_)/,
    run: (c) => appendArgs(c, '--list'),
    why: "the whole suite runs in the matrix's clean column; here the config, its settings and the test discovery",
  },
  {
    match: /(npx playwright test|npm run test:api)(?!.*--project)/,
    run: (c) => appendArgs(c, '--project=smoke'),
    why: "the whole suite runs in the matrix's clean column; here the same set-up with the 5 smoke tests",
  },
];

// ---- reading the docs ----

interface Block {
  file: string;
  line: number;
  runnable: boolean;
  exit: number;
  text: string;
}

function blocksOf(file: string, text = readFileSync(file, 'utf8')): Block[] {
  const lines = text.split('\n');
  const out: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)```(\S*)\s*(.*)$/.exec(lines[i]!);
    if (!open) continue;
    const end = lines.findIndex((l, j) => j > i && /^\s*```\s*$/.test(l));
    const body = lines.slice(i + 1, end).map((l) => l.slice(open[1]!.length));
    if (SHELL.test(open[2]!)) {
      const words = open[3]!.split(/\s+/);
      out.push({
        file,
        line: i + 1,
        runnable: words.includes('runnable'),
        exit: Number(/^exit=(\d+)$/.exec(words.find((w) => w.startsWith('exit=')) ?? '')?.[1] ?? 0),
        text: body.join('\n'),
      });
    }
    i = end;
  }
  return out;
}

/** The block's commands: continuation lines joined, comments dropped. */
function commandsOf(text: string): string[] {
  return text
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .map((l) => l.replace(/(^|\s)#.*$/, '').trim())
    .filter(Boolean);
}

/** Shell words (quotes honoured; no expansion). */
function words(cmd: string): string[] {
  const out: string[] = [];
  for (const m of cmd.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)) out.push(m[1] ?? m[2] ?? m[3]!);
  return out;
}

/** NAME=value prefixes and the rest. */
function split(cmd: string): { env: Record<string, string>; argv: string[] } {
  const w = words(cmd);
  const env: Record<string, string> = {};
  while (w.length && /^[A-Z_][A-Z0-9_]*=/.test(w[0]!)) {
    const [k, ...v] = w.shift()!.split('=');
    env[k!] = v.join('=');
  }
  return { env, argv: w };
}

const isLoopback = (u: string) => /^https?:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?/.test(u);

/** Why a command cannot run on this machine (staging, credentials, Docker, a cluster), if it cannot. */
function needsOutside(cmd: string): string | undefined {
  const urls = cmd.match(/https?:\/\/[^\s"']+/g) ?? [];
  if (urls.some((u) => !isLoopback(u))) return 'a remote target';
  if (/\.\.\.|<[a-z][^>]*>/.test(cmd)) return 'values to fill in';
  if (/^(docker|kubectl)\b/.test(cmd) || /\bk6 cloud\b/.test(cmd)) return 'Docker or a cluster';
  return undefined;
}

const HARNESS = /^(npm|npx|k6|node|tsx)\b/;

// ---- static checks ----

const packageScripts = Object.keys((JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts);
const KNOWN_SETTINGS = new Set([
  ...[...readFileSync('.env.example', 'utf8').matchAll(/^#? ?([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]!),
  'CI',
]);
const settingName = (n: string) => KNOWN_SETTINGS.has(n) || /^(K6_|PLAYWRIGHT_)/.test(n);

const helpCache = new Map<string, Set<string>>();
function flagsOf(bin: string, args: string[]): Set<string> {
  const key = [bin, ...args].join(' ');
  if (!helpCache.has(key)) {
    const r = execaSync(bin, [...args, '--help'], { cwd: ROOT, reject: false });
    const flags = new Set<string>(['--help', '-h']);
    for (const line of `${r.stdout}\n${r.stderr}`.split('\n'))
      if (/^\s+-/.test(line)) for (const m of line.matchAll(/(?:^|[\s,])(--?[a-zA-Z][\w-]*)/g)) flags.add(m[1]!);
    helpCache.set(key, flags);
  }
  return helpCache.get(key)!;
}

// `docker run` flags the README may use (Docker is not installed here to ask), and the one image.
const DOCKER_RUN_FLAGS = new Set([
  '--rm',
  '-i',
  '-t',
  '-it',
  '-v',
  '--volume',
  '-w',
  '--workdir',
  '--network',
  '-e',
  '--env',
  '-u',
  '--user',
  '-p',
]);
const DOCKER_VALUE_FLAGS = new Set(['-v', '--volume', '-w', '--workdir', '--network', '-e', '--env', '-u', '--user', '-p']);
const K6_IMAGE = 'grafana/k6:1.8.1';

function badFlags(argv: string[], known: Set<string>): string[] {
  return argv.filter((a) => /^--?[a-zA-Z]/.test(a)).filter((a) => !known.has(a.split('=')[0]!));
}

/** Problems a reader would hit, found without running the command. */
async function staticProblems(cmd: string): Promise<string[]> {
  const problems: string[] = [];
  const { env } = split(cmd.replace(/&$/, ''));
  for (const name of Object.keys(env)) if (!settingName(name)) problems.push(`${name} is not a setting (.env.example lists them)`);
  for (const part of cmd.split(/&&|\|\||;|\|/).map((p) => split(p.trim()).argv)) {
    const [bin, sub, ...rest] = part;
    if (bin === 'npm' && sub === 'run' && rest[0] && !packageScripts.includes(rest[0])) problems.push(`npm run ${rest[0]}: no such script`);
    if (bin === 'npm' && sub === 'run' && /^load(:|$)/.test(rest[0] ?? '')) {
      // npm's `--`, then the runner's flags, then (after a second `--`) k6's own, passed through.
      const after = rest.slice(rest.indexOf('--') + 1);
      const cut = after.indexOf('--');
      const runner = cut < 0 ? after : after.slice(0, cut);
      const k6 = cut < 0 ? [] : after.slice(cut + 1);
      problems.push(...badFlags(runner, new Set(['-e', '--env'])).map((f) => `npm run load: unknown flag ${f}`));
      // `-e KEY=VALUE`, as k6's: KEY is one of the runner's settings, the name it has everywhere.
      for (const [i, a] of runner.entries())
        if (/^(-e|--env)$/.test(a) && !Object.hasOwn(loadSettingsShape, runner[i + 1]?.split('=')[0] ?? ''))
          problems.push(`npm run load: -e ${runner[i + 1] ?? ''}: not a setting of npm run load`);
      if (k6.length) {
        problems.push(...badFlags(k6, flagsOf(await ensureTool('k6'), ['run'])).map((f) => `npm run load: k6 run: unknown flag ${f}`));
        try {
          k6PassThrough(k6);
        } catch (err) {
          problems.push(...(err as SettingsError).problems.map((p) => `npm run load: ${p}`));
        }
      }
    }
    if (bin === 'npx' && sub === 'playwright' && rest[0])
      problems.push(
        ...badFlags(rest.slice(1), flagsOf('npx', ['playwright', rest[0]])).map((f) => `playwright ${rest[0]}: unknown flag ${f}`),
      );
    const k6 = bin === 'k6' ? [sub!, ...rest] : bin === 'docker' ? dockerK6(part.slice(1), problems) : undefined;
    if (k6?.[0]) {
      const k6Bin = await ensureTool('k6');
      const subs = k6[0] === 'cloud' ? k6.slice(0, 2) : k6.slice(0, 1);
      problems.push(...badFlags(k6.slice(subs.length), flagsOf(k6Bin, subs)).map((f) => `k6 ${subs.join(' ')}: unknown flag ${f}`));
      // One name per setting: a script's `-e` keys are the settings' own (LOAD_RATE, not RATE).
      for (const [i, a] of k6.entries()) {
        const key = a === '-e' ? k6[i + 1]?.split('=')[0] : undefined;
        if (key !== undefined && !settingName(key))
          problems.push(`k6 ${subs.join(' ')}: -e ${key} is not a setting (.env.example lists them)`);
      }
    }
    for (const a of part)
      if (/^[\w.-]+\/[\w./-]+\.(ts|ya?ml|json|sh)$/.test(a) && !existsSync(a.replace(/^\.\//, ''))) problems.push(`${a}: no such file`);
  }
  return problems;
}

/** `docker run [flags] grafana/k6:1.8.1 <k6 args>`: Docker's part checked here, k6's returned. */
function dockerK6(args: string[], problems: string[]): string[] | undefined {
  if (args[0] !== 'run') return void problems.push(`docker ${args[0]}: only docker run is documented`);
  let i = 1;
  while (i < args.length && args[i]!.startsWith('-')) {
    const flag = args[i]!.split('=')[0]!;
    if (!DOCKER_RUN_FLAGS.has(flag)) problems.push(`docker run: unexpected flag ${flag}`);
    i += DOCKER_VALUE_FLAGS.has(flag) && !args[i]!.includes('=') ? 2 : 1;
  }
  if (args[i] !== K6_IMAGE) problems.push(`docker run: expected the pinned image ${K6_IMAGE}, got ${args[i]}`);
  const k6 = args.slice(i + 1);
  // k6 in the container reads the mounted checkout: the script must be a path in it, not stdin.
  if (k6.includes('-')) problems.push("docker run: `k6 run -` reads stdin, which cannot resolve the scripts' imports: mount the folder");
  if (!args.some((a) => /^-v$|^--volume/.test(a))) problems.push('docker run: mount the checkout (-v "$PWD:/work" -w /work)');
  return k6;
}

// ---- running ----

/** The tracked (and new, unignored) files in a scratch folder, node_modules linked: nothing here is touched. */
function scratchCheckout(): string {
  const dir = tempDir('hx-docs-');
  const files = execaSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'])
    .stdout.split('\0')
    .filter((f) => f && existsSync(f));
  for (const f of files) {
    mkdirSync(dirname(join(dir, f)), { recursive: true });
    cpSync(f, join(dir, f));
  }
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

// Every setting blank (empty counts as unset): a developer's environment must not steer the docs.
const BLANK = Object.fromEntries([...KNOWN_SETTINGS].map((k) => [k, '']));

interface Ran {
  code: number | 'ready' | 'timeout';
  output: string;
  stop: () => Promise<void>;
}

/** Runs one command; resolves when it exits, prints a service's ready line, or `limitMs` runs out. */
function runCommand(cmd: string, cwd: string, env: Record<string, string>, limitMs: number): Promise<Ran> {
  return new Promise((done) => {
    // Detached: the command's whole process group (npm's children included) is stopped together.
    const child = execa('bash', ['-c', cmd], {
      cwd,
      env: { ...BLANK, FORCE_COLOR: '0', ...env },
      detached: true,
      all: true,
      buffer: false,
      reject: false,
    });
    let output = '';
    let settled = false;
    const group = (signal: NodeJS.Signals) => {
      try {
        process.kill(-child.pid!, signal);
      } catch {
        // the group is gone already
      }
    };
    const closed = child.then(() => undefined);
    // The whole process group (npm's children included), SIGTERM first, SIGKILL after 5 s.
    const stop = async () => {
      group('SIGTERM');
      const t = setTimeout(() => group('SIGKILL'), 5000);
      await closed;
      clearTimeout(t);
      group('SIGKILL');
    };
    const settle = (code: Ran['code']) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      done({ code, output, stop });
    };
    const onData = (d: Buffer) => {
      output += d.toString();
      if (READY.test(output)) settle('ready');
    };
    child.all.on('data', onData);
    const timer = setTimeout(async () => {
      await stop();
      settle('timeout');
    }, limitMs);
    void child.then((r) => settle(r.exitCode ?? (r.signal ? 128 : 1)));
  });
}

const tail = (s: string) => s.trim().split('\n').slice(-30).join('\n');

// ---- the tests ----

const ALL = DOCS.map((file) => ({ file, blocks: blocksOf(file) }));

test('the docs stand alone: no reference to files outside the repository', () => {
  for (const { file } of ALL) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/\]\(([^)#]+)[)#]|`((?:\.\.\/)+[^`]+)`|\b(STYLE\.md|CONTRACT\.md)\b/g)) {
      const ref = m[1] ?? m[2] ?? m[3]!;
      if (/^https?:/.test(ref)) continue;
      const target = m[3] ? ref : resolve(dirname(file), ref);
      assert.ok(!m[3] && existsSync(target) && target.startsWith(ROOT), `${file} refers to ${ref}, which the repository does not have`);
    }
  }
});

async function problemsOf(blocks: Block[]): Promise<string[]> {
  const problems: string[] = [];
  for (const b of blocks) {
    const where = `${b.file}:${b.line}`;
    const syntax = execaSync('bash', ['-n'], { input: b.text, reject: false });
    if (syntax.exitCode !== 0) problems.push(`${where}: shell syntax: ${syntax.stderr.trim()}`);
    for (const cmd of commandsOf(b.text)) {
      for (const p of await staticProblems(cmd)) problems.push(`${where}: ${cmd}\n      ${p}`);
      const outside = needsOutside(cmd);
      if (b.runnable && outside) problems.push(`${where}: ${cmd}\n      needs ${outside}: move it to a block that is not runnable`);
      if (!b.runnable && !outside && HARNESS.test(split(cmd).argv.join(' ')) && !VARIANTS.some((v) => v.skip && v.match.test(cmd)))
        problems.push(`${where}: ${cmd}\n      can run on this machine: mark its block \`sh runnable\``);
    }
  }
  return problems;
}

test('every documented command is marked, checked, or covered', async () => {
  assert.deepEqual(await problemsOf(ALL.flatMap((d) => d.blocks)), []);
});

test('the checks do catch a broken command', async () => {
  const fence = '```';
  const md = [
    `${fence}sh`,
    'docker run --rm -i grafana/k6 run - <load/credits.ts',
    'TARGET_URL=https://api.staging.example.com npx playwright test --shards=1/4',
    'TARGET_URL=https://api.staging.example.com TARGET_ADDRESS=x npm run lode -- credits',
    `${fence}`,
    `${fence}sh runnable`,
    'npm run monitor -- --once',
    'npm run load -- credits --profil load',
    'npm run load -- credits -e LOAD_RATTE=5',
    'k6 run -e RATE=5 load/credits.ts',
    'npm run load -- login -- --out json=x.json --tagg a=b',
    'npm run load -- login -- --http-debug',
    'k6 run --vus-max 3 load/credts.ts',
    'TARGET_URL=https://api.staging.example.com npm start',
    `${fence}`,
    `${fence}sh`,
    'npm run monitor -- --once',
    `${fence}`,
  ].join('\n');
  const found = (await problemsOf(blocksOf('example.md', md))).join('\n');
  for (const expected of [
    /expected the pinned image grafana\/k6:1\.8\.1, got grafana\/k6/,
    /mount the checkout/,
    /playwright test: unknown flag --shards/,
    /TARGET_ADDRESS is not a setting/,
    /npm run lode: no such script/,
    /npm run load: unknown flag --profil/,
    /npm run load: -e LOAD_RATTE=5: not a setting of npm run load/,
    /k6 run: -e RATE is not a setting/,
    /npm run load: k6 run: unknown flag --tagg/,
    /npm run load: k6 flag --http-debug: not accepted after --/,
    /k6 run: unknown flag --vus-max/,
    /load\/credts\.ts: no such file/,
    /example\.md:6: TARGET_URL=https:\/\/api\.staging\.example\.com npm start\n\s+needs a remote target/,
    /example\.md:16: npm run monitor -- --once\n\s+can run on this machine/,
  ])
    assert.match(found, expected);
});

// Two pages at a time: most of a command's time is waiting (start-up, bcrypt on one core, k6's 3 s).
describe('the runnable commands, page by page', { concurrency: 2 }, () => {
  for (const { file, blocks } of ALL) {
    const runnable = blocks.filter((b) => b.runnable);
    if (!runnable.length) continue;
    it(`${file}: the runnable commands work (${runnable.reduce((n, b) => n + commandsOf(b.text).length, 0)} commands)`, async (t) => {
      const cwd = scratchCheckout();
      for (const b of runnable) {
        const port = String(await freePort());
        const services: Ran[] = [];
        try {
          for (const documented of commandsOf(b.text.replace(/\b8080\b/g, port))) {
            const v = VARIANTS.find((x) => x.match.test(documented));
            if (v?.skip) {
              t.diagnostic(`${file}:${b.line} ${documented}: not run: ${v.skip}`);
              continue;
            }
            const cmd = v?.run ? v.run(documented) : documented;
            if (v)
              t.diagnostic(`${file}:${b.line} ${documented}: run as \`${cmd}\`${v.env ? ` with ${JSON.stringify(v.env)}` : ''}: ${v.why}`);
            const background = cmd.endsWith('&');
            const t0 = performance.now();
            const r = await runCommand(
              background ? cmd.slice(0, -1).trim() : cmd,
              cwd,
              { TARGET_PORT: port, MONITOR_PORT: '0', ...ROOMY_LATENCY, ...v?.env },
              background ? READY_LIMIT_MS : COMMAND_LIMIT_MS,
            );
            // What each command costs npm test (the CI budget), in the test's output.
            t.diagnostic(
              `${file}:${b.line} \`${cmd}\`: ${r.code === 'ready' ? 'ready' : 'done'} in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
            );
            if (r.code === 'ready') {
              services.push(r);
              continue;
            }
            assert.ok(!background, `${file}:${b.line}: \`${cmd}\` was to keep running, but exited ${r.code}:\n${tail(r.output)}`);
            assert.equal(r.code, b.exit, `${file}:${b.line}: \`${cmd}\` exited ${r.code}, the docs say ${b.exit}:\n${tail(r.output)}`);
          }
        } finally {
          await Promise.all(services.map((s) => s.stop()));
        }
      }
    });
  }
});
