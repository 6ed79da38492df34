// Reading back the JSON summary a k6 script's handleSummary wrote (load/lib/summary.ts), for the
// release check, the benchmark and the self-tests. Undefined when the run wrote none.
import { existsSync, readFileSync } from 'node:fs';
import { summaryBase, type JsonSummary } from '../lib/summary.ts';

export type { JsonSummary };

export const summaryPath = (reportsDir: string, script: string, profile: string): string =>
  `${summaryBase(reportsDir, script, profile)}.json`;

export function readSummary(reportsDir: string, script: string, profile: string): JsonSummary | undefined {
  const path = summaryPath(reportsDir, script, profile);
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as JsonSummary) : undefined;
}
