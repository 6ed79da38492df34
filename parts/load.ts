// The load part: `npm run load -- <script>` (the smoke profile, the default), judged by the run's
// JSON summary (thresholds crossed, checks failed, why requests failed, a rate limit).
import { realpathSync } from 'node:fs';
import { join } from 'node:path';
import { exec } from '../core/exec.ts';
import { RATE_LIMITED } from '../core/rate-limit.ts';
import { latestRunDir, readSummary } from '../load/runner/k6.ts';
import { brokenRun, type Finding, type PartOptions, type PartResult, TSX } from './result.ts';
export async function runLoad(o: PartOptions & { script: 'login' | 'credits'; duration?: string; rate?: number }): Promise<PartResult> {
  const profile = 'smoke';
  const started = Date.now();
  const r = await exec(
    process.execPath,
    [
      ...TSX,
      'load/runner/main.ts',
      o.script,
      '-e',
      `LOAD_PROFILE=${profile}`,
      ...(o.duration ? ['-e', `LOAD_DURATION=${o.duration}`] : []),
      ...(o.rate ? ['-e', `LOAD_RATE=${o.rate}`] : []),
    ],
    { ...o.env, REPORTS_DIR: o.reportsDir },
    { onLine: o.onLine },
  );
  const name = `k6 ${o.script} ${profile}${o.duration ? ` (${o.rate ? `${o.rate}/s, ` : ''}${o.duration})` : ''}`;
  // The run's own folder: `latest`, if this run is what it points at (runs here are one at a time).
  const runDir = realpathOrUndefined(latestRunDir(o.reportsDir));
  const s = runDir ? readSummary(runDir) : undefined;
  // No summary: the run stopped before k6 did anything (set-up failed); its last words say why.
  const why = r.stderr.trim().split('\n').at(-1)?.trim();
  // A set-up refused by the rate limit says so somewhere in what it printed (k6's error may span lines).
  const limitedSetup = r.stderr.split('\n').find((l) => l.includes(RATE_LIMITED));
  if (!runDir || !s || s.script !== o.script || Date.parse(s.startedAt) < started - 1000)
    return {
      ...brokenRun('load', name, r.seconds, `k6 run exited ${r.code} without a summary${why ? `: ${limitedSetup?.trim() ?? why}` : ''}`),
      ...(limitedSetup ? { rateLimited: true } : {}),
    };
  const limited = s.metrics.rate_limited?.count ?? 0;
  const crossed = s.thresholds.filter((t) => !t.ok).map((t) => ({ title: `threshold crossed: ${t.metric} ${t.rule} (${t.measured})` }));
  const checkFails = s.checks
    .filter((c) => c.fails > 0)
    .map((c) => ({ title: `check "${c.name}": ${c.fails} of ${c.passes + c.fails} failed` }));
  // Why requests failed comes first: it is the cause the thresholds and checks below only count.
  const causes = (s.causes ?? []).map((c) => ({ title: `failed requests: ${c.count} × ${c.words}` }));
  const failures: Finding[] = r.code === 0 ? [] : [...causes, ...crossed, ...checkFails];
  if (r.code !== 0 && !failures.length) failures.push({ title: `k6 exited ${r.code}` });
  if (limited)
    failures.unshift({
      title: `rate limited: the target ${RATE_LIMITED} to ${limited} of k6's requests (its rate limit); the run stopped there`,
    });
  return {
    part: 'load',
    name,
    seconds: r.seconds,
    unit: 'thresholds',
    total: s.thresholds.length,
    passed: s.thresholds.length - crossed.length,
    known: 0,
    flaky: 0,
    failed: r.code === 0 ? 0 : Math.max(1, crossed.length),
    skipped: 0,
    ok: r.code === 0,
    failures,
    flakes: [],
    reports: [
      { label: `k6 ${o.script} summary`, path: join(runDir, 'summary.txt') },
      { label: `k6 ${o.script} JSON`, path: join(runDir, 'summary.json') },
      { label: `k6 ${o.script} JUnit`, path: join(runDir, 'junit.xml') },
      ...(s.dashboard ? [{ label: `k6 ${o.script} dashboard`, path: join(runDir, s.dashboard) }] : []),
    ],
    verdicts: [
      ...s.thresholds.map((t) => ({ check: `threshold ${t.metric} ${t.rule}`, failed: !t.ok })),
      ...s.checks.map((c) => ({ check: `check "${c.name}"`, failed: c.fails > 0 })),
    ],
    ...(limited || limitedSetup ? { rateLimited: true } : {}),
  };
}

function realpathOrUndefined(p: string): string | undefined {
  try {
    return realpathSync(p);
  } catch {
    return undefined;
  }
}
