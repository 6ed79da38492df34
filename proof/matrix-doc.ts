// The detection matrix's Markdown (docs/detection-matrix.md with --write-docs), nothing in it tied to
// one run, so regenerating the committed page changes it only when a verdict changes.
import { md, mdTable } from '../core/markdown.ts';

/** What changes from run to run (ports, timings, measured rates, dates, temp folders) taken out of a
 *  table cell, so regenerating the committed table changes it only when a verdict changes. */
export const stableCell = (s: string): string =>
  s
    .replace(/(127\.0\.0\.1|localhost|\[::1\]):\d+/g, '$1:<port>')
    .replace(/=\d+(\.\d+)?%/g, '=<n>%')
    .replace(/\b\d+(\.\d+)?\s?(ms|s)\b/g, '<t> $2')
    .replace(/\d{4}-\d\d-\d\dT[\d:.]+Z?/g, '<time>')
    .replace(/\/tmp\/[\w.-]+/g, '<tmp>');

/** The Markdown of the matrix: fault × part (× generation), nothing in it tied to one run: the generated
 *  part of docs/detection-matrix.md (whose text around it says how to read it). */
export function matrixMarkdown(
  header: string[],
  rows: string[][],
  provenLine: string,
  o: { strict?: boolean; generations?: readonly string[] } = {},
): string {
  const table = mdTable(
    header,
    rows.map((r) => r.map((c, i) => (i === 0 && c !== '(clean target)' ? `\`${c}\`` : md(stableCell(c))))),
  );
  const generations = o.generations ?? [];
  return (
    `${generations.length ? `Generations: ${generations.join(', ')}.` : ''}${o.strict ? ' Run with CONTRACT_STRICT=true: added fields must fail.' : ''}` +
    `\n\n${table}\n${provenLine ? `\nEvery check shown to fail: ${provenLine}.\n` : ''}`
  ).trimStart();
}

/** The matrix of one run as a page of its own (REPORTS_DIR/detection-matrix.md). */
export const matrixReport = (part: string, when: string): string =>
  `# Detection matrix\n\nWhich part of the harness fails for each fault of the reference target (\`npm run matrix\`; how to read ` +
  `it: docs/detection-matrix.md). \`·\` = not run there.\n\n${part}\n_This run: ${when}._\n`;
