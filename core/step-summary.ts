// GitHub Actions' step summary ($GITHUB_STEP_SUMMARY, a Markdown file of the step): appended to, never
// fatal (a summary that cannot be written is said on stderr; the run's verdict stands).
import { appendFileSync } from 'node:fs';
import { redactText } from './redact.ts';

export function appendSummary(file: string, markdown: string): void {
  try {
    appendFileSync(file, redactText(markdown));
  } catch (err) {
    process.stderr.write(`could not write the step summary (GITHUB_STEP_SUMMARY): ${(err as NodeJS.ErrnoException).code ?? 'error'}\n`);
  }
}
