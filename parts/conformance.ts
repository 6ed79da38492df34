// Conformance as a part of the real-server step: `npm run conformance -- --json` (the reference target
// against TARGET_URL, request by request), judged by its report.
import { exec } from '../core/exec.ts';
import { brokenRun, type PartOptions, type PartResult, TSX } from './result.ts';

interface ConformanceReport {
  ok: boolean;
  outcomes: {
    name: string;
    verdict: 'same' | 'known' | 'differs' | 'skipped' | 'error';
    note?: string;
    differences: { where: string; real: string; reference: string; known?: string }[];
  }[];
}

/** The reference target against TARGET_URL, request by request (proof/conformance.ts): a case
 *  whose only differences are the known ones counts as `known`, one with another difference fails. */
export async function runConformance(o: PartOptions): Promise<PartResult> {
  const r = await exec(
    process.execPath,
    [...TSX, 'proof/conformance.ts', '--json'],
    { ...o.env, REPORTS_DIR: o.reportsDir },
    { onLine: (l, s) => s === 'stderr' && o.onLine?.(l, s) },
  );
  let report: ConformanceReport;
  try {
    report = JSON.parse(r.stdout) as ConformanceReport;
  } catch {
    return brokenRun(
      'conformance',
      'conformance',
      r.seconds,
      `npm run conformance exited ${r.code} without a report${r.stderr.trim() ? `: ${r.stderr.trim().split('\n').at(-1)}` : ''}`,
    );
  }
  const ran = report.outcomes.filter((c) => c.verdict !== 'skipped');
  const bad = ran.filter((c) => c.verdict === 'differs' || c.verdict === 'error');
  const knownOnes = ran.filter((c) => c.verdict === 'known');
  return {
    part: 'conformance',
    name: 'conformance with the reference',
    unit: 'cases',
    total: ran.length,
    passed: ran.length - bad.length - knownOnes.length,
    known: knownOnes.length,
    flaky: 0,
    failed: bad.length,
    skipped: report.outcomes.length - ran.length,
    seconds: r.seconds,
    ok: r.code === 0 && report.ok,
    failures: bad.map((c) => ({
      title: c.name,
      message:
        c.note ??
        c.differences
          .filter((d) => !d.known)
          .map((d) => `${d.where}: real ${d.real}; reference ${d.reference}`)
          .join('\n'),
    })),
    flakes: [],
    knowns: knownOnes.map((c) => ({ title: c.name, message: c.differences.map((d) => d.known ?? '').join('; ') })),
    reports: [],
    verdicts: ran.map((c) => ({ check: c.name, failed: c.verdict === 'differs' || c.verdict === 'error' })),
  };
}
