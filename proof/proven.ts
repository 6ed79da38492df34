// A check that no fault ever makes fail cannot be shown to work. Given what ran on the clean
// target and what each fault run reported, this names the checks that failed under no fault.
import type { Verdict } from '../parts/result.ts';

export function neverFailed(clean: readonly Verdict[], faultRuns: readonly (readonly Verdict[])[]): string[] {
  const failed = new Set(faultRuns.flatMap((run) => run.filter((v) => v.failed).map((v) => v.check)));
  return [...new Set(clean.map((v) => v.check))].filter((c) => !failed.has(c));
}
