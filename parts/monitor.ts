// The monitor part: `npm run monitor -- --once --json`, one pass or more, judged by the passes' JSON.
import { join } from 'node:path';
import { exec } from '../core/exec.ts';
import { type PartOptions, type PartResult, TSX, unique } from './result.ts';

interface MonitorPass {
  status: 'pass' | 'fail' | 'throttled';
  checks: { name: string; status: string; message: string; drift?: string[]; knownIssue?: string }[];
}

/** One or more one-shot passes (`gapMs` apart: the across-runs check needs a later run). */
export async function runMonitor(o: PartOptions & { passes?: number; gapMs?: number }): Promise<PartResult> {
  const passes = o.passes ?? 1;
  const results: MonitorPass[] = [];
  let seconds = 0;
  let lastCode = 0;
  for (let i = 0; i < passes; i++) {
    if (i > 0) await new Promise((r) => setTimeout(r, o.gapMs ?? 0));
    // Its stdout is the JSON we read; only its log lines (stderr) are progress.
    const r = await exec(
      process.execPath,
      [...TSX, 'monitors/main.ts', '--once', '--json'],
      { ...o.env, REPORTS_DIR: o.reportsDir },
      { onLine: (l, s) => s === 'stderr' && o.onLine?.(l, s) },
    );
    seconds += r.seconds;
    lastCode = r.code;
    try {
      results.push(JSON.parse(r.stdout) as MonitorPass);
    } catch {
      results.push({
        status: 'fail',
        checks: [{ name: 'monitor', status: 'fail', message: `the monitor exited ${r.code} without a JSON result` }],
      });
    }
  }
  const ran = results.flatMap((p) => p.checks);
  const all = ran.filter((c) => c.status !== 'skipped');
  const failed = all.filter((c) => c.status === 'fail');
  const known = all.filter((c) => c.status === 'known');
  const throttled = all.filter((c) => c.status === 'throttled');
  return {
    part: 'monitor',
    name: passes > 1 ? `monitor ${passes} passes` : 'monitor pass',
    unit: 'checks',
    total: all.length,
    // A throttled check neither passed nor failed: counted in neither.
    passed: all.length - failed.length - known.length - all.filter((c) => c.status === 'throttled').length,
    known: known.length,
    flaky: 0,
    failed: failed.length,
    skipped: ran.length - all.length,
    seconds,
    ok: failed.length === 0 && lastCode === 0 && results.every((p) => p.status === 'pass'),
    failures: [...failed, ...throttled].map((c) => ({ title: `${c.name}: ${c.message.split('\n')[0]}` })),
    ...(throttled.length ? { rateLimited: true } : {}),
    flakes: [],
    knowns: known.map((c) => ({ title: c.name, message: c.knownIssue ?? c.message.split('\n')[0] })),
    reports: [{ label: 'Monitor status page', path: join(o.reportsDir, 'monitor', 'status.html') }],
    verdicts: all.map((c) => ({ check: c.name, failed: c.status === 'fail' })),
    drift: unique(results.flatMap((p) => p.checks.flatMap((c) => c.drift ?? []))),
  };
}
