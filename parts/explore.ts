// The explore part: `npm run explore`, judged by the findings.json it writes (new findings fail;
// known ones are known; a listed one that no longer happens fails too).
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { exec } from '../core/exec.ts';
import { saysRateLimited } from '../core/rate-limit.ts';
import { type FindingsFile, findingsPath } from '../explore/report.ts';
import { brokenRun, type Finding, type PartOptions, type PartResult, TSX, unique } from './result.ts';

/** The explorer's findings.json, if the run wrote one. */
export function readFindings(reportsDir: string): FindingsFile | undefined {
  const file = findingsPath(reportsDir);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as FindingsFile) : undefined;
}

/** One exploration (`seconds` of budget; `first`: stop at the first new finding, as the matrix asks). */
export async function runExplore(
  o: PartOptions & { seconds?: number; runs?: number; first?: boolean; seed?: number; requests?: number },
): Promise<PartResult> {
  rmSync(findingsPath(o.reportsDir), { force: true });
  const r = await exec(
    process.execPath,
    [...TSX, 'explore/main.ts', ...(o.first ? ['--first'] : [])],
    {
      ...o.env,
      REPORTS_DIR: o.reportsDir,
      ...(o.seconds ? { EXPLORE_SECONDS: String(o.seconds) } : {}),
      ...(o.runs ? { EXPLORE_RUNS: String(o.runs) } : {}),
      ...(o.seed !== undefined ? { EXPLORE_SEED: String(o.seed) } : {}),
      ...(o.requests !== undefined ? { EXPLORE_REQUESTS: String(o.requests) } : {}),
    },
    { onLine: o.onLine },
  );
  const name = `explore${o.first ? ' (to the first finding)' : ''}`;
  const f = readFindings(o.reportsDir);
  const why = r.stderr.trim().split('\n').at(-1)?.trim();
  if (!f) return brokenRun('explore', name, r.seconds, `npm run explore exited ${r.code} without findings.json${why ? `: ${why}` : ''}`);
  return exploreRow(f, { name, code: r.code, seconds: r.seconds, file: findingsPath(o.reportsDir) });
}

/** The row of an exploration, from the findings.json it wrote and how it exited. */
export function exploreRow(f: FindingsFile, run: { name: string; code: number; seconds: number; file: string }): PartResult {
  const { name } = run;
  const r = run;
  const fresh = f.findings.filter((x) => x.status === 'new');
  const failures: Finding[] = [
    ...fresh.map((x) => ({
      title: `${x.property}: ${x.where}: ${x.symptom}`,
      message: `${x.message}\ncounterexample: ${x.counterexample}`,
    })),
    ...f.fixed.map((x) => ({
      title: `known issue ${x.id} no longer happens (${x.why}): remove it from known-issues.json`,
      message: `counterexample: ${x.counterexample}`,
    })),
    ...(f.stopped ? [{ title: `the exploration stopped early: ${f.stopped.split('\n')[0]}` }] : []),
  ];
  if (!failures.length && r.code !== 0) failures.push({ title: `npm run explore exited ${r.code}` });
  // Counted by property, like the other parts' tests and checks: a property broken only by known
  // issues is known, not passed (its findings are listed one by one under knowns).
  const failed = f.properties.filter((p) => p.status === 'fail').length;
  const knownProps = f.properties.filter((p) => p.status === 'known').length;
  return {
    part: 'explore',
    name: `${name}, seed ${f.seed}`,
    unit: 'properties',
    total: f.properties.length,
    passed: f.properties.length - failed - knownProps,
    known: knownProps,
    flaky: 0,
    failed: Math.max(failed, failures.length ? 1 : 0),
    skipped: 0,
    seconds: r.seconds,
    ok: r.code === 0,
    failures,
    flakes: [],
    knowns: f.findings
      .filter((x) => x.status === 'known')
      .map((x) => ({ title: `${x.property}: ${x.where}: ${x.symptom}`, message: `${x.knownIssue}: counterexample ${x.counterexample}` })),
    reports: [{ label: 'Exploration findings (JSON)', path: run.file }],
    verdicts: f.properties.map((p) => ({ check: `property ${p.name}`, failed: p.status === 'fail' })),
    drift: unique(f.drift),
    ...(saysRateLimited(f.stopped) ? { rateLimited: true } : {}),
  };
}
