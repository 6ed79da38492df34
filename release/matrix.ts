// npm run matrix — the detection matrix. For every fault in the reference target's catalog, each part
// meant to catch it runs against a target with that fault on (its own target, started separately, as
// a staging deploy would be); the clean target runs every part. Prints fault × tests/load/monitor,
// writes the Markdown under reports/ (a test run never changes tracked files), exits 1 if a fault
// escapes a part meant to catch it or the clean target fails anything.
//   --parts tests,load,monitor   only these columns     --faults a,b   only these faults
//   --jobs N                     runs at once (default 2: this machine has 2 cores)
//   --list                       print every failing test / check of each caught fault (npm run test:faults)
//   --out FILE                   where the Markdown goes (default REPORTS_DIR/detection-matrix.md)
//   --write-docs                 also regenerate the committed docs/detection-matrix.md (a full run
//                                only); its text holds nothing that changes from run to run
//   --strict                     every run with CONTRACT_STRICT=true (so does CONTRACT_STRICT=true in the environment)
// A harmless fault (an added field: `driftShownBy` in the catalog) must fail nothing: every part runs,
// must pass, and the parts named must report the drift; with --strict those parts must fail on it.
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { loadSettings, parseCommandLine, parseSettings, runMain, SettingsError, setting, sharedSettings } from '../core/settings.ts';
import { FAULTS, FAULT_NAMES, type FaultEntry, type FaultName } from '../reference/faults.ts';
import { PROJECTS } from './settings.ts';
import { spawnTarget } from '../reference/spawn.ts';
import { neverFailed } from './proven.ts';
import { md, matrixMarkdown } from './table.ts';
import { brokenRun, combine, PARTS, runLoad, runMonitor, runTests, type Part, type PartResult } from './parts.ts';

// The across-runs check needs a token to expire between two passes: a 3 s lifetime, 1 s tolerance,
// for the runs that exercise it (the clean target and the fault it exists for). The others keep 24 h.
const SHORT_LIFETIME_S = 3;
const SHORT_GAP_MS = 5000;
const acrossRuns = (job: Job) => job.part === 'monitor' && (job.fault === 'clean' || job.fault === 'expired-accepted');

interface Job {
  fault: FaultName | 'clean';
  part: Part;
}
interface Cell {
  job: Job;
  result: PartResult;
}

/** What a run must show: fail (caught), pass, or pass and report the drift (a harmless fault). */
type Want = 'caught' | 'pass' | 'drift';
function wanted(fault: FaultName | 'clean', part: Part, strict: boolean): Want {
  if (fault === 'clean') return 'pass';
  const shownBy = (FAULTS[fault] as FaultEntry).driftShownBy;
  if (!shownBy) return 'caught';
  return shownBy.includes(part) ? (strict ? 'caught' : 'drift') : 'pass';
}

/** Runs one part against a fresh target with the fault on. */
async function runJob(job: Job, workDir: string, strict: boolean): Promise<PartResult> {
  const dir = mkdtempSync(join(workDir, `${job.fault}-${job.part}-`));
  const key = randomBytes(24).toString('hex');
  const short = acrossRuns(job);
  const target = await spawnTarget({
    TARGET_FAULTS: job.fault === 'clean' ? '' : job.fault,
    TARGET_JWT_KEY: key,
    TARGET_DB: join(dir, 'target.db'),
    TARGET_TOKEN_LIFETIME_S: String(short ? SHORT_LIFETIME_S : 86400),
  });
  const env = {
    TARGET_URL: target.url,
    TARGET_FAULTS: '',
    TARGET_ENV: `matrix-${job.fault}`,
    LOG_LEVEL: 'warn',
    CONTRACT_STRICT: String(strict),
  };
  try {
    if (job.part === 'tests')
      return await runTests({ env: { ...env, TARGET_JWT_KEY: key }, reportsDir: dir, projects: [...PROJECTS], workers: 1 });
    if (job.part === 'load')
      return combine('k6 login+credits smoke', [
        await runLoad({ env, reportsDir: dir, script: 'login' }),
        await runLoad({ env, reportsDir: dir, script: 'credits' }),
      ]);
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

function cellText(fault: FaultName | 'clean', part: Part, cells: Map<string, Cell>, strict: boolean): { text: string; bad: boolean } {
  const c = cells.get(`${fault}/${part}`);
  if (!c) return { text: '·', bad: false };
  const r = c.result;
  if (fault === 'clean')
    return r.ok
      ? { text: `✔ passes (${r.passed}/${r.total})`, bad: false }
      : { text: `✖ FAILS on the clean target (${r.failed})`, bad: true };
  const want = wanted(fault, part, strict);
  if (want === 'caught') return r.ok ? { text: '✖ MISSED', bad: true } : { text: `✔ caught (${r.failed} failed)`, bad: false };
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

await runMain(async () => {
  const { values } = parseCommandLine('npm run matrix', process.argv.slice(2), {
    parts: { type: 'string' },
    faults: { type: 'string' },
    jobs: { type: 'string' },
    out: { type: 'string' },
    list: { type: 'boolean' },
    'write-docs': { type: 'boolean' },
    strict: { type: 'boolean' },
  });
  const strict = values.strict === true || loadSettings({ CONTRACT_STRICT: sharedSettings.CONTRACT_STRICT }).CONTRACT_STRICT;
  const flags = parseSettings(
    {
      '--parts': setting.list(PARTS).optional(),
      '--faults': setting.list(FAULT_NAMES as unknown as readonly [FaultName, ...FaultName[]]).optional(),
      '--jobs': setting.int(1, 8).default(2),
    },
    { '--parts': values.parts, '--faults': values.faults, '--jobs': values.jobs },
  );
  const parts: readonly Part[] = flags['--parts'] ?? PARTS;
  const faults: readonly FaultName[] = flags['--faults'] ?? FAULT_NAMES;
  const jobsAtOnce = flags['--jobs'];
  const complete = !values.faults;
  if (values['write-docs'] && (values.parts || values.faults))
    throw new SettingsError(['--write-docs: regenerates the committed table, so it takes a full run (no --parts or --faults)']);
  const out = values.out ?? join(loadSettings({ REPORTS_DIR: sharedSettings.REPORTS_DIR }).REPORTS_DIR, 'detection-matrix.md');

  const jobs: Job[] = [
    ...parts.map((part) => ({ fault: 'clean' as const, part })),
    ...faults.flatMap((fault) => {
      const f: FaultEntry = FAULTS[fault];
      // A harmless fault runs every part: none may fail on it.
      const meant = f.driftShownBy ? PARTS : f.caughtBy;
      return meant.filter((p) => parts.includes(p)).map((part) => ({ fault, part }));
    }),
  ];
  // Longest first, so the pool ends together: Playwright runs, then k6, then the monitor.
  const weight = { tests: 0, load: 1, monitor: 2 } as const;
  const ordered = [...jobs].sort((a, b) => weight[a.part] - weight[b.part]);
  const workDir = mkdtempSync(join(tmpdir(), 'hx-matrix-'));
  const t0 = performance.now();
  process.stdout.write(
    `Detection matrix: ${faults.length} faults × ${parts.join(', ')} — ${jobs.length} runs, ${jobsAtOnce} at a time${strict ? ' (CONTRACT_STRICT=true: added fields must fail)' : ''}\n`,
  );
  let done = 0;
  const cells = new Map<string, Cell>();
  try {
    await pool(ordered, jobsAtOnce, async (job) => {
      let result: PartResult;
      try {
        result = await runJob(job, workDir, strict);
      } catch (err) {
        result = brokenRun(job.part, job.part, 0, `the run itself failed: ${(err as Error).message}`);
      }
      cells.set(`${job.fault}/${job.part}`, { job, result });
      done++;
      const verdict = progressWord(wanted(job.fault, job.part, strict), result);
      const detail = !result.ok ? (result.failures[0]?.title ?? '') : result.drift?.length ? `drift: ${result.drift.join(', ')}` : '';
      process.stdout.write(
        `  [${String(done).padStart(2)}/${jobs.length}] ${job.fault.padEnd(28)} ${job.part.padEnd(8)} ${verdict.padEnd(8)} ${result.seconds.toFixed(1).padStart(6)} s${job.fault !== 'clean' && detail ? `  ${detail}`.slice(0, 140) : ''}\n`,
      );
    });
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
  const seconds = (performance.now() - t0) / 1000;

  let problems = 0;
  const rows: string[][] = [];
  for (const fault of ['clean' as const, ...faults]) {
    const row = [fault === 'clean' ? '(clean target)' : fault];
    for (const part of parts) {
      const c = cellText(fault, part, cells, strict);
      if (c.bad) problems++;
      row.push(c.text);
    }
    const first = parts.map((p) => cells.get(`${fault}/${p}`)).find((c) => c && fault !== 'clean' && !c.result.ok);
    const drifted = parts.map((p) => cells.get(`${fault}/${p}`)).find((c) => c && fault !== 'clean' && c.result.drift?.length);
    row.push(
      first
        ? `${first.job.part}: ${first.result.failures[0]?.title ?? ''}`.slice(0, 160)
        : drifted
          ? `${drifted.job.part}: drift: ${drifted.result.drift!.join(', ')}`.slice(0, 160)
          : '',
    );
    rows.push(row);
  }
  const header = ['fault', ...parts, 'first failure seen'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (i < header.length - 1 ? r[i]!.length : 0))));
  process.stdout.write(
    `\n${header
      .slice(0, -1)
      .map((h, i) => h.padEnd(widths[i]!))
      .join('  ')}\n`,
  );
  for (const r of rows)
    process.stdout.write(
      `${r
        .slice(0, -1)
        .map((c, i) => c.padEnd(widths[i]!))
        .join('  ')}\n`,
    );

  if (values.list)
    for (const fault of faults)
      for (const part of parts) {
        const c = cells.get(`${fault}/${part}`);
        if (!c || c.result.ok) continue;
        process.stdout.write(
          `\n${fault} → ${part}: ${c.result.failures.length} failing\n${c.result.failures.map((f) => `    ${f.title}`).join('\n')}\n`,
        );
      }

  // Each check must be shown to fail: on a full run, list those no fault made fail.
  const unproven = complete
    ? parts.map((part) => ({
        part,
        checks: neverFailed(
          cells.get(`clean/${part}`)?.result.verdicts ?? [],
          faults.map((f) => cells.get(`${f}/${part}`)?.result.verdicts ?? []),
        ),
      }))
    : [];
  for (const u of unproven) {
    const ran = new Set((cells.get(`clean/${u.part}`)?.result.verdicts ?? []).map((v) => v.check)).size;
    process.stdout.write(
      u.checks.length
        ? `\n✖ ${u.part}: ${u.checks.length} of ${ran} checks failed under no fault (not shown to be able to fail):\n${u.checks.map((c) => `    ${c}`).join('\n')}\n`
        : `\n✔ ${u.part}: each of its ${ran} checks failed under at least one fault\n`,
    );
    problems += u.checks.length;
  }
  const provenLine = unproven
    .map(
      (u) =>
        `${u.part}: ${u.checks.length ? `${u.checks.length} checks failed under no fault (${u.checks.map((c) => `\`${md(c)}\``).join(', ')})` : 'every check failed under at least one fault'}`,
    )
    .join('; ');

  const doc = matrixMarkdown(header, rows, provenLine, strict);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${doc}\n_This run: ${new Date().toISOString().slice(0, 10)}, ${seconds.toFixed(0)} s._\n`);
  process.stdout.write(`\nMarkdown written to ${out}\n`);
  if (values['write-docs']) {
    writeFileSync(DOCS_TABLE, doc);
    process.stdout.write(`and to ${DOCS_TABLE}\n`);
  }
  process.stdout.write(
    `\n${problems ? `✖ ${problems} problem(s): a fault escaped a part meant to catch it, the clean target failed, a harmless change failed a part or showed no drift, or a check failed under no fault` : `✔ every fault is caught by every part meant to catch it, the clean target passes${complete ? ', and every check failed under some fault' : ''}`} (${seconds.toFixed(0)} s)\n`,
  );
  return problems ? 1 : 0;
});
