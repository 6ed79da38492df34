// npm run matrix — the detection matrix. For every fault in the reference target's catalog, each part
// meant to catch it runs against a target with that fault on (its own target, started separately, as
// a staging deploy would be): the tests part the spec files the fault's entry names (`specs`; the whole
// suite for `outage`, which shows every test able to fail, and for the harmless faults); the clean
// target runs every part in full. Both generations of the API: the
// documented one and the latest (e-mail verification mandatory; one Mailpit catches the mail of all
// its targets, as a staging's would). Prints fault × part per generation, writes the Markdown under
// REPORTS_DIR (a test run never changes tracked files), exits 1 if a fault escapes a part meant to
// catch it or a clean target fails anything.
//   --parts tests,load,monitor   only these columns     --faults a,b   only these faults
//   --generations documented,latest   only these generations (a fault runs only in those it exists in)
//   --jobs N                     Playwright and explorer runs at once (default 3: on 2 cores, each run waits on its
// target and its worker's start a third of the time); k6 and monitor runs, mostly waiting, go two at a time beside them
//   --list                       print every failing test / check of each caught fault
//   --out FILE                   where the Markdown goes (default REPORTS_DIR/detection-matrix.md)
//   --write-docs                 also regenerate the generated part of the committed docs/detection-matrix.md
//                                (a full run only); its text holds nothing that changes from run to run
//   --strict                     every run with CONTRACT_STRICT=true (so does CONTRACT_STRICT=true in the environment)
// A harmless fault (an added field: `driftShownBy` in the catalog) must fail nothing: every part runs,
// must pass, and the parts named must report the drift; with --strict those parts must fail on it.
import { mkdtempSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { generatedPart, withGeneratedPart } from '../core/markdown.ts';
import { writeFileReplacing } from '../core/safe-write.ts';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { GENERATIONS, type Generation } from '../core/contract.ts';
import { startMailpit, type RunningMailpit } from '../core/mail/mailpit-process.ts';
import { parseCommandLine, type ProgramInfo } from '../core/cli.ts';
import { loadSettings, parseSettings, runMain, SettingsError, setting, sharedSettings } from '../core/settings.ts';
import { FAULTS, FAULT_NAMES, type FaultEntry, type FaultName } from '../reference/faults.ts';
import { PROJECTS } from '../parts/tests.ts';
import { PROOF_BCRYPT_COST } from '../reference/settings.ts';
import { spawnTarget } from '../reference/spawn.ts';
import { textTable } from '../core/text-table.ts';
import { neverFailed } from './proven.ts';
import { md } from '../core/markdown.ts';
import { matrixMarkdown, matrixReport } from './matrix-doc.ts';
import {
  CAUGHT_ONLY_K6_S,
  caughtOnly,
  cellKey,
  firstFailureEnough,
  type Job,
  planJobs,
  shownInDocumented,
  specsOf,
  type Want,
  wanted,
} from './matrix-plan.ts';
import { brokenRun, combine, type PartResult } from '../parts/result.ts';
import { PARTS, type Part } from '../core/parts.ts';
import { runExplore } from '../parts/explore.ts';
import { runLoad } from '../parts/load.ts';
import { runMonitor } from '../parts/monitor.ts';
import { runTests } from '../parts/tests.ts';
import { terminalText } from '../core/terminal.ts';

/** The matrix quotes what each run reported: control characters shown escaped, colours kept (core/terminal.ts). */
const print = (text: string): boolean => process.stdout.write(terminalText(text, { colors: true }));

// The across-runs check needs a token to expire between two passes: a 3 s lifetime, 1 s tolerance,
// for the runs that exercise it (the clean target and the fault it exists for). The others keep 24 h.
const SHORT_LIFETIME_S = 3;
const SHORT_GAP_MS = 5000;
const acrossRuns = (job: Job) => job.part === 'monitor' && (job.fault === 'clean' || job.fault === 'expired-accepted');

interface Cell {
  job: Job;
  result: PartResult;
}

/** The explorer in the matrix: a clean (or harmless) run's budget, a fault run's limit (it stops at
 *  its first new finding), and one seed, so a run of the matrix can be repeated exactly. */
const MATRIX_EXPLORE_CLEAN_S = 20;
const MATRIX_EXPLORE_FAULT_S = 45;
const MATRIX_EXPLORE_SEED = 2026;
/** k6 smokes and monitor passes at once, beside the CPU-bound runs: they mostly wait. */
const WAITING_AT_ONCE = 2;
/** The local Mailpit delivers within milliseconds: a mail that has not come in 10 s never will. */
const MATRIX_MAIL_WAIT_S = '10';

/** Runs one part against a fresh target with the fault on (for the latest generation, mailing to `mail`). */
async function runJob(
  job: Job,
  workDir: string,
  mail: RunningMailpit | undefined,
  generations: readonly Generation[],
  faults: readonly FaultName[],
  strict: boolean,
): Promise<PartResult> {
  const dir = mkdtempSync(join(workDir, `${job.generation}-${job.fault}-${job.part}-`));
  const key = randomBytes(24).toString('hex');
  const short = acrossRuns(job);
  const latest = job.generation === 'latest';
  // A fault of the certificate needs a target serving TLS; the parts trust its CA as a staging's (TARGET_CA_FILE).
  const tls = job.fault !== 'clean' && (FAULTS[job.fault] as FaultEntry).tls === true;
  const target = await spawnTarget({
    TARGET_FAULTS: job.fault === 'clean' ? '' : job.fault,
    TARGET_JWT_KEY: key,
    TARGET_DB: join(dir, 'target.db'),
    TARGET_TOKEN_LIFETIME_S: String(short ? SHORT_LIFETIME_S : 86400),
    TARGET_GENERATION: job.generation,
    TARGET_SMTP_URL: latest ? mail!.smtpUrl : '',
    TARGET_TLS: String(tls),
    TARGET_BCRYPT_COST: String(PROOF_BCRYPT_COST),
  });
  const env = {
    TARGET_URL: target.url,
    TARGET_FAULTS: '',
    TARGET_TLS: '',
    TARGET_CA_FILE: target.caFile ?? '',
    TARGET_ENV: `matrix-${job.generation}-${job.fault}`,
    LOG_LEVEL: 'warn',
    TARGET_GENERATION: job.generation,
    MAIL_INBOX_URL: latest ? mail!.inboxUrl : '',
    MAIL_WAIT_S: MATRIX_MAIL_WAIT_S,
    CONTRACT_STRICT: String(strict),
  };
  try {
    if (job.part === 'tests')
      return await runTests({
        env: { ...env, TARGET_JWT_KEY: key },
        reportsDir: dir,
        projects: [...PROJECTS],
        files: specsOf(job.fault),
        workers: 1,
        maxFailures: firstFailureEnough(job, generations, faults) ? 1 : undefined,
      });
    if (job.part === 'load')
      return combine('k6 login+credits smoke', [
        await runLoad({
          env,
          reportsDir: dir,
          script: 'login',
          duration: caughtOnly(job, generations) ? `${CAUGHT_ONLY_K6_S}s` : undefined,
        }),
        await runLoad({
          env,
          reportsDir: dir,
          script: 'credits',
          duration: caughtOnly(job, generations) ? `${CAUGHT_ONLY_K6_S}s` : undefined,
        }),
      ]);
    if (job.part === 'explore') {
      // A fault run stops at the first new finding (caught or not is all it asks); a clean or
      // harmless one explores its whole short budget and must find nothing new.
      const harmless = job.fault === 'clean' || (FAULTS[job.fault] as FaultEntry).driftShownBy !== undefined;
      return await runExplore({
        env,
        reportsDir: dir,
        first: !harmless,
        seconds: harmless ? MATRIX_EXPLORE_CLEAN_S : MATRIX_EXPLORE_FAULT_S,
        seed: MATRIX_EXPLORE_SEED,
      });
    }
    return await runMonitor({
      env: {
        ...env,
        MONITOR_DB: join(dir, 'monitor.db'),
        MONITOR_EXPECTED_TOKEN_LIFETIME_S: String(short ? SHORT_LIFETIME_S : 86400),
        TIME_TOLERANCE_S: short ? '1' : '60',
        HTTP_TIMEOUT_MS: '4000',
        MONITOR_RETRIES: '1',
        MONITOR_RETRY_BACKOFF_MS: '200',
      },
      reportsDir: dir,
      passes: short ? 2 : 1,
      gapMs: SHORT_GAP_MS,
    });
  } finally {
    await target.close();
  }
}

async function pool<T, R>(items: T[], size: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(size, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!);
      }
    }),
  );
  return out;
}

const DOCS_TABLE = 'docs/detection-matrix.md';

function cellText(
  generation: Generation,
  fault: FaultName | 'clean',
  part: Part,
  cells: Map<string, Cell>,
  generations: readonly Generation[],
  faults: readonly FaultName[],
  strict: boolean,
): { text: string; bad: boolean } {
  const c = cells.get(cellKey({ generation, fault, part }));
  if (
    !c &&
    fault !== 'clean' &&
    shownInDocumented(part, generation, fault, generations) &&
    cells.has(cellKey({ generation: 'documented', fault, part }))
  )
    return { text: '· (its documented run)', bad: false };
  if (!c) return { text: '·', bad: false };
  const r = c.result;
  if (fault === 'clean')
    return r.ok
      ? { text: `✔ passes (${r.passed}/${r.total}${r.known ? `, ${r.known} known` : ''})`, bad: false }
      : { text: `✖ FAILS on the clean target (${r.failed})`, bad: true };
  const want = wanted(fault, part, strict);
  if (want === 'caught') {
    if (r.ok) return { text: '✖ MISSED', bad: true };
    if (part === 'tests' && firstFailureEnough(c.job, generations, faults)) return { text: '✔ caught (first failure)', bad: false };
    if (part === 'load' && caughtOnly(c.job, generations))
      return { text: `✔ caught (${r.failed} failed, ${CAUGHT_ONLY_K6_S}-second runs)`, bad: false };
    return { text: `✔ caught (${r.failed} failed)`, bad: false };
  }
  if (!r.ok) return { text: `✖ FAILS under a harmless change (${r.failed} failed)`, bad: true };
  if (want === 'pass') return { text: '✔ passes (does not look for drift)', bad: false };
  const n = r.drift?.length ?? 0;
  return n ? { text: `✔ passes, drift shown (${n} fields)`, bad: false } : { text: '✖ passes but shows no drift', bad: true };
}

/** The one-word verdict of a finished run, for the progress lines. */
function progressWord(want: Want, r: PartResult): string {
  if (want === 'caught') return r.ok ? 'MISSED' : 'caught';
  if (!r.ok) return 'FAILS';
  return want === 'drift' ? (r.drift?.length ? 'drift' : 'NO DRIFT') : 'passes';
}

const MATRIX_PROGRAM = {
  command: 'npm run matrix',
  summary: "the detection matrix: each fault of the reference target's catalog against each part meant to catch it, both generations",
  usage: ['[-- --parts <a,b>] [--faults <a,b>] [--generations <a,b>] [--jobs <n>] [--list] [--out <file>] [--strict] [--write-docs]'],
  options: {
    parts: { type: 'string', value: 'a,b', description: `only these columns (${PARTS.join(', ')})` },
    faults: { type: 'string', value: 'a,b', description: 'only these faults (npm run target -- --list-faults lists them)' },
    generations: { type: 'string', value: 'a,b', description: `only these generations (${GENERATIONS.join(', ')})` },
    jobs: {
      type: 'string',
      value: 'n',
      description: `Playwright and explorer runs at once, 1..8 (default 3); k6 and monitor runs go ${WAITING_AT_ONCE} at a time beside them`,
    },
    list: { type: 'boolean', description: 'print every failing test or check of each caught fault' },
    out: { type: 'string', value: 'file', description: 'where the Markdown goes (default REPORTS_DIR/detection-matrix.md)' },
    strict: { type: 'boolean', description: 'every run with CONTRACT_STRICT=true: added fields must fail' },
    'write-docs': { type: 'boolean', description: 'also regenerate the committed docs/detection-matrix.md (a full run only)' },
  },
  settings: { CONTRACT_STRICT: sharedSettings.CONTRACT_STRICT, REPORTS_DIR: sharedSettings.REPORTS_DIR },
  exits: '0 every fault caught and the clean target passes, 1 a fault escaped or the clean target failed, 2 bad command line',
  examples: ['npm run matrix -- --faults token-1h,credits-string --parts tests,monitor', 'npm run matrix -- --generations latest --jobs 1'],
  notes: ['A full run keeps both cores busy for minutes (docs/figures.md): run the rows you touched.'],
} satisfies ProgramInfo;

await runMain(async () => {
  const { values } = parseCommandLine(MATRIX_PROGRAM, process.argv.slice(2));
  const strict = values.strict === true || loadSettings({ CONTRACT_STRICT: sharedSettings.CONTRACT_STRICT }).CONTRACT_STRICT;
  const flags = parseSettings(
    {
      '--parts': setting.list(PARTS).optional(),
      '--faults': setting.list(FAULT_NAMES as unknown as readonly [FaultName, ...FaultName[]]).optional(),
      '--jobs': setting.int(1, 8).default(3),
      '--generations': setting.list(GENERATIONS).optional(),
    },
    { '--parts': values.parts, '--faults': values.faults, '--jobs': values.jobs, '--generations': values.generations },
  );
  const parts: readonly Part[] = flags['--parts'] ?? PARTS;
  const faults: readonly FaultName[] = flags['--faults'] ?? FAULT_NAMES;
  const jobsAtOnce = flags['--jobs'];
  const generations: readonly Generation[] = flags['--generations'] ?? GENERATIONS;
  const complete = !values.faults;
  if (values['write-docs'] && (values.parts || values.faults || values.generations))
    throw new SettingsError([
      '--write-docs: regenerates the committed table, so it takes a full run (no --parts, --faults or --generations)',
    ]);
  if (values['write-docs'] && generatedPart(readFileSync(DOCS_TABLE, 'utf8')) === undefined)
    throw new SettingsError([`--write-docs: ${DOCS_TABLE} has no <!-- BEGIN GENERATED … --> … <!-- END GENERATED --> part to write`]);
  const out = values.out ?? join(loadSettings({ REPORTS_DIR: sharedSettings.REPORTS_DIR }).REPORTS_DIR, 'detection-matrix.md');

  const jobs = planJobs(generations, parts, faults);
  // The CPU-bound runs (Playwright, the explorer) take --jobs at a time, the longest first so the pool
  // ends together: the whole suites (the clean targets', outage's and a harmless fault's tests), then the
  // explorer's (seconds to its first finding), then a fault's specs. A k6 smoke is mostly waiting (2 requests/s for 5 s), and so is a monitor pass (a
  // dozen requests; its latency, hang and across-runs runs wait 5 to 30 s): those runs go WAITING_AT_ONCE
  // at a time beside them, where they would otherwise hold a slot with a core idle.
  const waits = (j: Job) => j.part === 'load' || j.part === 'monitor';
  const whole = (j: Job) => j.fault === 'clean' || (j.part === 'tests' && specsOf(j.fault) === undefined);
  const rank = (j: Job) => (whole(j) ? 0 : j.part === 'explore' || j.part === 'load' ? 1 : 2);
  const ordered = jobs.filter((j) => !waits(j)).sort((a, b) => rank(a) - rank(b));
  const waitingRuns = jobs.filter(waits).sort((a, b) => rank(a) - rank(b));
  const workDir = mkdtempSync(join(tmpdir(), 'hx-matrix-'));
  const t0 = performance.now();
  print(
    `Detection matrix: ${faults.length} faults × ${parts.join(', ')} × generations ${generations.join(', ')} — ${jobs.length} ` +
      `runs, ${jobsAtOnce} at a time${strict ? ' (CONTRACT_STRICT=true: added fields must fail)' : ''}\n`,
  );
  let done = 0;
  const cells = new Map<string, Cell>();
  // One Mailpit for every latest target, as one catcher serves a whole staging: accounts have unique addresses.
  const mail = generations.includes('latest') ? await startMailpit() : undefined;
  try {
    const run = async (job: Job) => {
      let result: PartResult;
      try {
        result = await runJob(job, workDir, mail, generations, faults, strict);
      } catch (err) {
        result = brokenRun(job.part, job.part, 0, `the run itself failed: ${(err as Error).message}`);
      }
      cells.set(cellKey(job), { job, result });
      done++;
      const verdict = progressWord(wanted(job.fault, job.part, strict), result);
      const detail = !result.ok ? (result.failures[0]?.title ?? '') : result.drift?.length ? `drift: ${result.drift.join(', ')}` : '';
      print(
        `  [${String(done).padStart(2)}/${jobs.length}] ${job.generation.padEnd(10)} ${job.fault.padEnd(28)} ` +
          `${job.part.padEnd(8)} ${verdict.padEnd(8)} ${result.seconds.toFixed(1).padStart(6)} ` +
          `s${job.fault !== 'clean' && detail ? `  ${detail}`.slice(0, 140) : ''}\n`,
      );
    };
    await Promise.all([pool(ordered, jobsAtOnce, run), pool(waitingRuns, WAITING_AT_ONCE, run)]);
  } finally {
    await mail?.close();
    rmSync(workDir, { recursive: true, force: true });
  }
  const seconds = (performance.now() - t0) / 1000;

  let problems = 0;
  // One column per part and generation; a generation's columns are named after it when both ran.
  const columns = generations.flatMap((generation) =>
    parts.map((part) => ({ generation, part, title: generations.length > 1 ? `${part} (${generation})` : part })),
  );
  const rows: string[][] = [];
  for (const fault of ['clean' as const, ...faults]) {
    const row = [fault === 'clean' ? '(clean target)' : fault];
    for (const { generation, part } of columns) {
      const c = cellText(generation, fault, part, cells, generations, faults, strict);
      if (c.bad) problems++;
      row.push(c.text);
    }
    const runs = columns.map(({ generation, part }) => cells.get(cellKey({ generation, fault, part })));
    const first = runs.find((c) => c && fault !== 'clean' && !c.result.ok);
    const drifted = runs.find((c) => c && fault !== 'clean' && c.result.drift?.length);
    row.push(
      first
        ? `${first.job.part} (${first.job.generation}): ${first.result.failures[0]?.title ?? ''}`.slice(0, 160)
        : drifted
          ? `${drifted.job.part} (${drifted.job.generation}): drift: ${drifted.result.drift!.join(', ')}`.slice(0, 160)
          : '',
    );
    rows.push(row);
  }
  const header = ['fault', ...columns.map((c) => c.title), 'first failure seen'];
  // The terminal shows the verdicts; the first failure seen goes to the Markdown table.
  print(
    `\n${textTable(
      header.slice(0, -1),
      rows.map((r) => r.slice(0, -1)),
    )}\n`,
  );

  if (values.list)
    for (const fault of faults)
      for (const { generation, part } of columns) {
        const c = cells.get(cellKey({ generation, fault, part }));
        if (!c || c.result.ok) continue;
        print(
          `\n${fault} → ${part} (${generation}): ${c.result.failures.length} ` +
            `failing\n${c.result.failures.map((f) => `    ${f.title}`).join('\n')}\n`,
        );
      }

  // Each check must be shown to fail: on a full run, list those no fault made fail, per generation. A
  // check that runs in both is held to it in the documented one (the latest runs of the faults of
  // both generations stop at their first failure); the latest generation's own checks in the latest.
  const cleanChecks = (generation: Generation, part: Part) =>
    cells.get(cellKey({ generation, fault: 'clean', part }))?.result.verdicts ?? [];
  const unproven = complete
    ? columns.map(({ generation, part, title }) => {
        const shared =
          generation === 'latest' && generations.includes('documented')
            ? new Set(cleanChecks('documented', part).map((v) => v.check))
            : new Set<string>();
        const own = cleanChecks(generation, part).filter((v) => !shared.has(v.check));
        return {
          title: shared.size ? `${title}, its own checks` : title,
          /** Nothing of its own: its checks are the documented generation's, proven there. */
          none: shared.size > 0 && own.length === 0,
          ran: new Set(own.map((v) => v.check)).size,
          checks: neverFailed(
            own,
            faults.map((fault) => cells.get(cellKey({ generation, fault, part }))?.result.verdicts ?? []),
          ),
        };
      })
    : [];
  for (const u of unproven) {
    print(
      u.checks.length
        ? `\n✖ ${u.title}: ${u.checks.length} of ${u.ran} checks failed under no fault (not shown to be able to ` +
            `fail):\n${u.checks.map((c) => `    ${c}`).join('\n')}\n`
        : u.none
          ? `\n✔ ${u.title}: none (all are the documented generation's)\n`
          : `\n✔ ${u.title}: each of its ${u.ran} checks failed under at least one fault\n`,
    );
    problems += u.checks.length;
  }
  const provenLine = unproven
    .map(
      (u) =>
        `${u.title}: ${
          u.checks.length
            ? `${u.checks.length} checks failed under no fault (${u.checks.map((c) => `\`${md(c)}\``).join(', ')})`
            : u.none
              ? "none (all are the documented generation's)"
              : 'every check failed under at least one fault'
        }`,
    )
    .join('; ');

  const doc = matrixMarkdown(header, rows, provenLine, { strict, generations });
  mkdirSync(dirname(out), { recursive: true });
  writeFileReplacing(out, matrixReport(doc, `${new Date().toISOString().slice(0, 10)}, ${seconds.toFixed(0)} s`));
  print(`\nMarkdown written to ${out}\n`);
  if (values['write-docs']) {
    writeFileReplacing(DOCS_TABLE, withGeneratedPart(readFileSync(DOCS_TABLE, 'utf8'), doc, '`npm run matrix -- --write-docs`'));
    print(`and to ${DOCS_TABLE}\n`);
  }
  print(
    `\n${
      problems
        ? `✖ ${problems} problem(s): a fault escaped a part meant to catch it, a clean target failed, ` +
          'a harmless change failed a part or showed no drift, or a check failed under no fault'
        : `✔ every fault is caught by every part meant to catch it, the clean targets pass${
            complete ? ', and every check failed under some fault' : ''
          }`
    } (${seconds.toFixed(0)} s)\n`,
  );
  return problems ? 1 : 0;
});
