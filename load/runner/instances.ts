// LOAD_INSTANCES=N: one run shared by N k6 processes on this machine, the way the k6-operator shares
// a TestRun with `parallelism: N` among its runner pods, so that what is proven here is what a
// cluster runs (deploy/k6/testrun.yaml is written from the same settings: deploy/k6/testrun.ts).
// As the operator does (grafana/k6-operator: pkg/segmentation, pkg/resources/jobs/runner.go and the
// starter's curl container):
//   - the script runs from an archive (`k6 archive` with the run's settings; the operator's runners
//     run the archive in the TestRun's ConfigMap);
//   - runner i of N (1-based) gets `--execution-segment=<(i-1)/N>:<i/N>` and
//     `--execution-segment-sequence=0,1/N,…,(N-1)/N,1` (the first point written 0, the last 1), a
//     `--tag instance_id=i`, and starts `--paused` with its REST API on an address of its own;
//   - when every runner has initialised (its status is PausedBeforeRun), each is resumed with a PATCH
//     of /v1/status {paused: false}, so they start together;
//   - each runs setup() itself (the operator's runners do, grafana/k6-operator#223): the scripts make
//     only their segment's share of the pool there (load/lib/accounts.ts ourShare), so N processes
//     register the pool once between them, not N times;
//   - each judges the thresholds on its own share; the run fails when one of them fails.
// The summaries are merged into one (load/runner/merge.ts).
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { freePort } from '../../core/ports.ts';
import { envArgs, type K6Export, type K6Result, type K6Run, runK6, scriptPath } from './k6.ts';
import { mergedExitCode, mergeExports } from './merge.ts';

/** The flags the k6-operator gives runner `index` (1-based) of `total`, and the segment they name. */
export function operatorSegment(index: number, total: number): { segment: string; args: string[] } {
  const point = (i: number) => (i === 0 ? '0' : i === total ? '1' : `${i}/${total}`);
  const segment = `${point(index - 1)}:${point(index)}`;
  const sequence = Array.from({ length: total + 1 }, (_, i) => point(i)).join(',');
  return { segment, args: [`--execution-segment=${segment}`, `--execution-segment-sequence=${sequence}`] };
}

/** k6's execution status once a paused run has initialised its VUs and executors (lib.ExecutionStatusPausedBeforeRun). */
const PAUSED_BEFORE_RUN = 4;
/** How long the processes may take to initialise (a few hundred VUs of a script each). */
const READY_TIMEOUT_MS = 120_000;

interface Status {
  data?: { attributes?: { status?: number; paused?: boolean } };
}

async function status(port: number, init?: RequestInit): Promise<Status | undefined> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/v1/status`, { ...init, signal: AbortSignal.timeout(2000) });
    return res.ok ? ((await res.json()) as Status) : undefined;
  } catch {
    return undefined; // not listening yet
  }
}

/** The operator's starter: a PATCH of each runner's status, `paused: false`. */
const RESUME = JSON.stringify({ data: { attributes: { paused: false }, id: 'default', type: 'status' } });

/** Waits until every process is paused before its run (or one has ended), then resumes them all. */
async function startTogether(ports: number[], ended: () => boolean): Promise<boolean> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (ended()) return false;
    const states = await Promise.all(ports.map((p) => status(p)));
    if (states.every((s) => s?.data?.attributes?.status === PAUSED_BEFORE_RUN)) break;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
  const resumed = await Promise.all(
    ports.map((p) => status(p, { method: 'PATCH', headers: { 'Content-Type': 'application/json' }, body: RESUME })),
  );
  return resumed.every((s) => s?.data?.attributes?.paused === false);
}

/**
 * The archive the runners run, as the operator's ConfigMap holds one: `k6 archive` with the run's
 * settings (k6 records them, and the options they make, in the archive: a `-e` given to `k6 run` later
 * changes __ENV but not the scenario). The same arguments as deploy/k6/testrun.ts writes in the
 * manifest's instructions. A setting the script refuses stops it here (k6's exit code and words).
 */
export function archiveArgs(scriptFile: string, env: Record<string, string | undefined>, out: string): string[] {
  return ['archive', '--include-system-env-vars=false', ...envArgs(env), scriptFile, '-O', out];
}

/**
 * ReportedRun's `execute` for N processes: archives the script with the run's settings, runs N
 * processes of the archive as the operator's runners, prints each one's own end-of-test summary
 * under its segment, and writes their merged export to `exportFile`.
 */
export function runInstances(total: number, script: string) {
  return async (run: K6Run, exportFile: string): Promise<K6Result> => {
    // Beside the export, in runReported's private folder: an accounts file k6 opened is in the archive.
    const archive = join(dirname(exportFile), `${script}.tar`);
    const archived = await execa(run.bin, archiveArgs(scriptPath(run.script), run.env, archive), { reject: false, stdin: 'ignore' });
    if (archived.exitCode !== 0) {
      process.stderr.write(`${archived.stdout}${archived.stderr}`);
      return { code: archived.exitCode || 107, stdout: archived.stdout, stderr: archived.stderr };
    }
    const stop = new AbortController();
    const ports: number[] = [];
    // One at a time: two asked at once could be given the same free port.
    for (let i = 0; i < total; i++) ports.push(await freePort());
    let ended = 0;
    const processes = ports.map((port, i) => {
      const { segment, args } = operatorSegment(i + 1, total);
      const file = `${exportFile}.${i + 1}`;
      const dashboard = run.k6Env?.K6_WEB_DASHBOARD_EXPORT;
      const result = runK6({
        ...run,
        script: archive,
        env: {},
        output: 'pipe',
        stop: stop.signal,
        args: [
          ...(run.args ?? []),
          ...args,
          `--address=127.0.0.1:${port}`,
          '--paused',
          '--tag',
          `instance_id=${i + 1}`,
          '--summary-export',
          file,
        ],
        // Each process its own dashboard (each sees its share of the run).
        k6Env: { ...run.k6Env, ...(dashboard && { K6_WEB_DASHBOARD_EXPORT: dashboard.replace(/\.html$/, `-${i + 1}.html`) }) },
      }).finally(() => ended++);
      return { segment, file, result };
    });
    const started = await startTogether(ports, () => ended > 0);
    if (!started) stop.abort();
    const results = await Promise.all(processes.map((p) => p.result));
    for (const [i, r] of results.entries()) {
      process.stdout.write(
        `\n── k6 process ${i + 1} of ${total}, execution segment ${processes[i]!.segment} (exit ${r.code}) ──\n${r.stdout}`,
      );
      process.stderr.write(r.stderr);
    }
    const exports = processes.flatMap((p, i) => {
      if (!existsSync(p.file)) return [];
      const parsed = JSON.parse(readFileSync(p.file, 'utf8')) as K6Export;
      rmSync(p.file, { force: true });
      return [{ export: parsed, segment: p.segment, exitCode: results[i]!.code }];
    });
    const codes = results.map((r) => r.code);
    // Not started together (one ended while the others waited, or they never got ready): no merged
    // figures, as for a run that stopped before its summary; the processes' own output says why.
    if (started && exports.length === total) writeFileSync(exportFile, JSON.stringify(mergeExports(exports, script)));
    return {
      code: started ? mergedExitCode(codes) : (codes.find((c) => c !== 0) ?? 107),
      stdout: results.map((r) => r.stdout).join(''),
      stderr: results.map((r) => r.stderr).join(''),
    };
  };
}
