// `npm run test:faults`: proof that the API tests catch what they claim. Runs the Playwright suite
// against the reference target once clean (must pass) and once per fault whose catalog entry says
// the tests must catch it (each must make at least one test fail), prints the table
// fault → failing tests, and writes it to <REPORTS_DIR>/faults/table.md.
// Runs RUNS_AT_ONCE suites side by side, each against its own in-process target on its own port.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { loadSettings, runMain, setting, sharedSettings } from '../core/settings.ts';
import { FAULTS, FAULT_NAMES, type FaultEntry, type FaultName } from '../target/faults.ts';
import { startTarget, type RunningTarget } from '../target/server.ts';

const settings = {
  REPORTS_DIR: sharedSettings.REPORTS_DIR,
  /** Suites run side by side (each with its own target). */
  FAULTS_PARALLEL: setting.int(1, 8).default(2),
  /** Playwright workers per suite. */
  FAULTS_WORKERS: setting.int(1, 8).default(2),
  /** Stop a fault's suite after this many failures (0: never): one is proof, a full list of an outage is slow. */
  FAULTS_MAX_FAILURES: setting.int(0, 1000).default(8),
  /** Only these faults (comma-separated); all the tests' faults when unset. */
  FAULTS_ONLY: setting.list().optional(),
};

interface Run {
  fault: FaultName | 'clean';
  exitCode: number;
  failing: string[];
  passed: number;
  skipped: number;
  leak: boolean;
  seconds: number;
  error?: string;
}

const cli = createRequire(import.meta.url).resolve('@playwright/test/cli');

interface JsonSuite { title: string; file?: string; suites?: JsonSuite[]; specs?: { title: string; file: string; tests: { projectName: string; status: string }[] }[] }

/** Failing, passed and skipped tests of a JSON report, titles as `[project] file › describe › test`. */
function readReport(path: string): { failing: string[]; passed: number; skipped: number } {
  const out = { failing: [] as string[], passed: 0, skipped: 0 };
  // The top-level suites are files (their title is the path, already in spec.file); below them, describes.
  const walk = (s: JsonSuite, titles: string[], top = false): void => {
    const here = top || !s.title ? titles : [...titles, s.title];
    for (const spec of s.specs ?? [])
      for (const t of spec.tests) {
        if (t.status === 'skipped') out.skipped++;
        else if (t.status === 'expected') out.passed++;
        else out.failing.push(`[${t.projectName}] ${[spec.file, ...here, spec.title].join(' › ')}`);
      }
    for (const child of s.suites ?? []) walk(child, here);
  };
  const report = JSON.parse(readFileSync(path, 'utf8')) as { suites: JsonSuite[] };
  for (const s of report.suites) walk(s, [], true);
  return out;
}

async function runSuite(target: RunningTarget, jwtKey: string, fault: Run['fault'], dir: string, workers: number, maxFailures: number): Promise<Run> {
  target.setFaults(fault === 'clean' ? '' : fault);
  const runDir = join(dir, fault);
  rmSync(runDir, { recursive: true, force: true });
  mkdirSync(runDir, { recursive: true });
  const json = join(runDir, 'results.json');
  const started = Date.now();
  const env = {
    ...process.env,
    TARGET_URL: target.url,
    TARGET_JWT_KEY: jwtKey,
    TARGET_FAULTS: '',
    REPORTS_DIR: runDir,
    PLAYWRIGHT_JSON_OUTPUT_NAME: json,
    CI: 'false',
    FORCE_COLOR: '0',
  };
  // Traces off: a fault run fails on purpose, and writing a trace per failing test costs time.
  const args = [cli, 'test', '--reporter=json,./fixtures/leak-check-reporter.ts', '--trace=off', '--retries=0', `--workers=${workers}`, ...(fault !== 'clean' && maxFailures ? [`--max-failures=${maxFailures}`] : []), `--output=${join(runDir, 'test-results')}`];
  let stderr = '';
  const exitCode = await new Promise<number>((resolve) => {
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => resolve(code ?? 1));
  });
  const seconds = (Date.now() - started) / 1000;
  const leak = stderr.includes('Secret leak check FAILED');
  if (!existsSync(json)) return { fault, exitCode, failing: [], passed: 0, skipped: 0, leak, seconds, error: `no report (exit ${exitCode}): ${stderr.slice(0, 300)}` };
  return { fault, exitCode, ...readReport(json), leak, seconds };
}

await runMain(async () => {
  const s = loadSettings(settings);
  const meant = FAULT_NAMES.filter((f) => (FAULTS[f] as FaultEntry).caughtBy.includes('tests'));
  const unknown = (s.FAULTS_ONLY ?? []).filter((f) => !FAULT_NAMES.includes(f as FaultName));
  if (unknown.length) throw new Error(`FAULTS_ONLY: unknown fault(s) ${unknown.join(', ')}`);
  const chosen = s.FAULTS_ONLY ? meant.filter((f) => s.FAULTS_ONLY!.includes(f)) : meant;
  const notMeant = FAULT_NAMES.filter((f) => !meant.includes(f));
  const dir = join(s.REPORTS_DIR, 'faults');
  mkdirSync(dir, { recursive: true });

  const jwtKey = randomBytes(32).toString('hex');
  const targets = await Promise.all(Array.from({ length: s.FAULTS_PARALLEL }, () => startTarget({ port: 0, jwtKey })));
  const started = Date.now();
  const queue: Run['fault'][] = ['clean', ...chosen];
  const runs: Run[] = [];
  console.log(`test:faults: the clean target and ${chosen.length} faults, ${s.FAULTS_PARALLEL} suites at a time, ${s.FAULTS_WORKERS} workers each`);
  await Promise.all(
    targets.map(async (target) => {
      for (let f = queue.shift(); f !== undefined; f = queue.shift()) {
        const run = await runSuite(target, jwtKey, f, dir, s.FAULTS_WORKERS, s.FAULTS_MAX_FAILURES);
        runs.push(run);
        console.log(`  ${run.fault.padEnd(28)} ${run.failing.length ? `${run.failing.length} failing` : 'nothing failing'} (${run.seconds.toFixed(1)} s)`);
      }
    }),
  );
  await Promise.all(targets.map((t) => t.close()));
  const wall = (Date.now() - started) / 1000;

  const order = (r: Run) => (r.fault === 'clean' ? -1 : chosen.indexOf(r.fault));
  runs.sort((a, b) => order(a) - order(b));
  const problems: string[] = [];
  const lines = ['| fault | failing tests | examples |', '|---|---|---|'];
  for (const r of runs) {
    const verdict = r.fault === 'clean' ? (r.failing.length === 0 && r.exitCode === 0 ? 'clean: all pass' : `CLEAN RUN FAILED (${r.failing.length})`) : r.failing.length
          ? `${r.failing.length}${s.FAULTS_MAX_FAILURES && r.failing.length >= s.FAULTS_MAX_FAILURES ? '+ (stopped there)' : ''}`
          : 'MISSED';
    if (r.error) problems.push(`${r.fault}: ${r.error}`);
    if (r.fault === 'clean' && (r.failing.length || r.exitCode !== 0)) problems.push(`the clean target fails ${r.failing.length} test(s) (exit ${r.exitCode}): ${r.failing.slice(0, 5).join('; ')}`);
    if (r.fault !== 'clean' && r.failing.length === 0) problems.push(`fault '${r.fault}' (${FAULTS[r.fault].summary}) made no test fail`);
    if (r.leak) problems.push(`${r.fault}: the secret leak check found a secret in the run's output (see ${join(dir, r.fault)})`);
    const examples = r.failing.slice(0, 3).map((t) => t.replace(/^\[\w+\] tests\//, '')).join('<br>') + (r.failing.length > 3 ? ` (+${r.failing.length - 3})` : '');
    lines.push(`| ${r.fault} | ${verdict} | ${examples} |`);
  }
  for (const f of notMeant) lines.push(`| ${f} | not meant for tests (caught by ${(FAULTS[f] as FaultEntry).caughtBy.join(', ')}) | |`);
  const table = lines.join('\n');
  writeFileSync(join(dir, 'table.md'), `${table}\n`);
  console.log(`\n${table}\n`);
  console.log(`${runs.length} suite runs in ${wall.toFixed(1)} s; full lists in ${dir}/<fault>/results.json`);
  if (problems.length) {
    console.error(`\ntest:faults FAILED:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    return 1;
  }
  console.log(`test:faults passed: the clean target passes, and each of the ${chosen.length} faults meant for the tests makes at least one test fail.`);
  return 0;
});
