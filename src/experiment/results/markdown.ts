/**
 * table.md: the experiment's tables in GitHub-flavoured markdown, to paste into a README or read
 * in a terminal. The same cells as report.html (tables.ts).
 */
import type { ExperimentResults } from '../cell-result.js';
import { metricHeading } from './summary.js';
import { metricsTable, pseudoLabelTable, sharedStagesTable, totalWallSeconds, wallTimeTable, type TextTable } from './tables.js';

/** A cell's text safe inside a markdown table row: pipes escaped, line breaks as spaces. */
function mdCell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** `table` as a markdown table, numeric columns aligned right. */
export function markdownTable(table: TextTable): string {
  const line = (cells: readonly string[]) => `| ${cells.map(mdCell).join(' | ')} |`;
  const rule = `|${table.numeric.map((n) => (n ? ' ---: ' : ' --- ')).join('|')}|`;
  return [line(table.columns), rule, ...table.rows.map(line)].join('\n');
}

/** The text of table.md. */
export function resultsMarkdown(results: ExperimentResults): string {
  const parts = [
    `# ${mdCell(results.name)}`,
    '',
    'Reproduce with:',
    '',
    '```sh',
    results.command,
    '```',
    '',
    '## Final metrics of G-EMA',
    '',
    'Mean ± sample standard deviation over seeds; n is the number of seeds (— for the std of one seed; (n=k) where only k seeds reported the metric). ↓: lower is better; ↑: higher is better.',
    '',
    markdownTable(metricsTable(results, metricHeading)),
  ];
  const pseudo = pseudoLabelTable(results);
  if (pseudo.rows.length > 0) {
    parts.push('', '## Pseudo-label accuracy', '', 'On the unlabelled training images; mean ± sample std over seeds.', '', markdownTable(pseudo));
  }
  parts.push('', '## Wall time per cell', '', `Total: ${totalWallSeconds(results).toFixed(1)} s, counting each shared stage once.`, '', markdownTable(wallTimeTable(results)));
  if (results.shared.length > 0) parts.push('', '## Shared stages', '', markdownTable(sharedStagesTable(results)));
  return `${parts.join('\n')}\n`;
}
