// The run's page on GitHub Actions: a Markdown summary appended to $GITHUB_STEP_SUMMARY (the verdict,
// what was tested, the causes, the table), written by the release check, and by
// `npx tsx release/summary.ts <results.json>` for a Playwright run's JSON report (the API-tests workflow's
// merged shards). Every text goes through redactText.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { redactText } from '../core/redact.ts';
import { appendSummary } from '../core/step-summary.ts';
import { type Cause, counted, groupCauses } from './causes.ts';
import { judgeTestReport, type PwReport } from '../parts/tests.ts';
import type { PartResult } from '../parts/result.ts';
import { md } from '../core/markdown.ts';
import { HEADERS, rowsOf } from '../parts/table.ts';
import { type Tested, testedText } from './tested.ts';

export interface SummaryInput {
  title: string;
  verdict: string;
  ok: boolean;
  results: PartResult[];
  causes: Cause[];
  tested?: Tested;
  /** Known issues in force, by id. */
  knownIssues?: string[];
  /** Where the full report is (an artifact's name, a path). */
  report?: string;
}

const cell = (s: string): string => md(redactText(s));

export function summaryMarkdown(i: SummaryInput): string {
  const lines = [`## ${i.ok ? '✅' : '❌'} ${cell(i.title)}: ${cell(i.verdict)}`, ''];
  if (i.tested) lines.push(`Tested: ${cell(testedText(i.tested))}`, '');
  if (i.causes.length) {
    lines.push(`### Why ${cell(i.verdict)} (${i.causes.length} cause${i.causes.length === 1 ? '' : 's'})`, '');
    for (const c of i.causes) {
      lines.push(`- **${cell(c.text)}**`);
      for (const p of c.parts) lines.push(`  - ${cell(p.name)}: ${counted(p.findings.length, p.part === 'load' ? 'failures' : p.unit)}`);
    }
    lines.push('');
  }
  lines.push(`| ${HEADERS.join(' | ')} |`, `|${HEADERS.map(() => '---').join('|')}|`);
  for (const row of rowsOf(i.results)) lines.push(`| ${row.map(cell).join(' | ')} |`);
  lines.push('');
  if (i.knownIssues?.length)
    lines.push(`Known issues in force (expected failures): ${i.knownIssues.map((k) => `\`${cell(k)}\``).join(', ')}`, '');
  if (i.report) lines.push(`Full report: ${cell(i.report)}`, '');
  return `${lines.join('\n')}\n`;
}

export { appendSummary };

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { readCommandLine } = await import('../core/cli.ts');
  const { loadSettings, runMain, SettingsError, sharedSettings } = await import('../core/settings.ts');
  const { positionals } = readCommandLine({
    command: 'npx tsx release/summary.ts',
    summary: "a Playwright run's JSON report as a Markdown summary: the verdict, the causes, the table (for $GITHUB_STEP_SUMMARY)",
    usage: ['<results.json>'],
    positionals: true,
    settings: { GITHUB_STEP_SUMMARY: sharedSettings.GITHUB_STEP_SUMMARY },
    exits: '0 written (whatever the verdict), 2 no readable JSON report',
    examples: ['npx tsx release/summary.ts reports/results.json   # appends to $GITHUB_STEP_SUMMARY, or prints it'],
  });
  await runMain(async () => {
    const s = loadSettings({ GITHUB_STEP_SUMMARY: sharedSettings.GITHUB_STEP_SUMMARY });
    const file = positionals[0];
    let report: PwReport;
    try {
      if (!file || positionals.length > 1) throw new Error('expected one file');
      report = JSON.parse(readFileSync(file, 'utf8')) as PwReport;
      if (!report.stats || !Array.isArray(report.suites)) throw new Error('not a Playwright JSON report');
    } catch (err) {
      throw new SettingsError([`results.json: expected the path of a Playwright JSON report (${(err as Error).message.split('\n')[0]})`]);
    }
    const r = judgeTestReport(report, {
      name: 'playwright',
      seconds: ((report.stats as { duration?: number }).duration ?? 0) / 1000,
      code: report.stats.unexpected ? 1 : 0,
      leak: false,
      reportsDir: '',
    });
    const text = summaryMarkdown({
      title: 'API tests',
      verdict: r.ok ? 'passed' : 'failed',
      ok: r.ok,
      results: [r],
      causes: groupCauses([r]),
      report: 'the playwright-report artifact (HTML)',
    });
    if (s.GITHUB_STEP_SUMMARY) appendSummary(s.GITHUB_STEP_SUMMARY, text);
    else process.stdout.write(text);
    return 0;
  });
}
