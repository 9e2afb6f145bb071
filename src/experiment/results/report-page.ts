/**
 * The experiment's report.html: one page that opens from disk (file://) with no server and no
 * scripts, in the style of the run report (src/report/report-html.ts). It sits in the experiment's
 * output folder, so plots, sample grids and configs are linked by their paths relative to it.
 * Every piece of text from the results is escaped.
 */
import { escapeHtml, relativeUrl, REPORT_STYLE } from '../../report/report-html.js';
import type { CellResult, ExperimentResults } from '../cell-result.js';
import { RESULTS_CSV, RESULTS_JSON, RESULTS_TABLE } from './layout.js';
import type { ExperimentPlot } from './plots.js';
import { fractionLabel, groupCells, metricHeading } from './summary.js';
import { metricsTable, pseudoLabelTable, sharedStagesTable, totalWallSeconds, wallTimeTable, type TextTable } from './tables.js';

/** Small sample grids (8×8 images) are enlarged, pixels kept sharp by the shared style. */
const PAGE_STYLE = 'img.grid{min-width:160px;height:auto}';

/** What the page shows besides the results themselves. */
export interface ReportPageOptions {
  /** The plots written under the output folder, in the order shown. */
  readonly plots: readonly ExperimentPlot[];
  readonly generatedAt?: Date;
}

/** `table` as HTML with an id for tests and links; every cell escaped. */
function htmlTable(table: TextTable, id: string): string {
  const head = `<tr>${table.columns.map((c) => `<th>${escapeHtml(c)}</th>`).join('')}</tr>`;
  const body = table.rows.map((row) => `<tr>${row.map((c, k) => `<td${table.numeric[k] ? ' class="num"' : ''}>${escapeHtml(c)}</td>`).join('')}</tr>`).join('');
  return `<table id="${escapeHtml(id)}">${head}${body}</table>`;
}

function link(rel: string, text: string): string {
  return `<a href="${escapeHtml(relativeUrl(rel))}">${escapeHtml(text)}</a>`;
}

function resultsSection(results: ExperimentResults): string {
  const note = '<p class="muted">Final evaluation of G-EMA: mean ± sample standard deviation over seeds (— for the std of a single seed; (n=k) where only k seeds reported the metric). ↓ lower is better, ↑ higher is better.</p>';
  const files = `<p>${link(RESULTS_CSV, RESULTS_CSV)} (one row per cell and metric) · ${link(RESULTS_TABLE, RESULTS_TABLE)} · ${link(RESULTS_JSON, RESULTS_JSON)}</p>`;
  return `<h2>Results</h2>${note}${htmlTable(metricsTable(results, metricHeading), 'results')}${files}`;
}

function pseudoLabelSection(results: ExperimentResults): string {
  const table = pseudoLabelTable(results);
  if (table.rows.length === 0) return '';
  return `<h2>Pseudo-label accuracy</h2><p class="muted">On the unlabelled training images, per label fraction: mean ± sample std over seeds.</p>${htmlTable(table, 'pseudo-labels')}`;
}

function plotsSection(plots: readonly ExperimentPlot[]): string {
  if (plots.length === 0) return '';
  const figures = plots.map(
    (p) => `<figure><img src="${escapeHtml(relativeUrl(p.file))}" alt="${escapeHtml(p.title)}" class="chart"><figcaption>${escapeHtml(p.caption)}</figcaption></figure>`,
  );
  return `<h2>Plots</h2>${figures.join('')}`;
}

function cellCaption(c: CellResult): string {
  return `${c.id}: ${c.method}, ${fractionLabel(c.labelFraction)}, seed ${c.seed}`;
}

function samplesSection(cells: readonly CellResult[]): string {
  const withGrid = cells.filter((c) => c.sampleGrid !== undefined);
  const missing = cells.length - withGrid.length;
  const figures = withGrid.map((c) => `<figure><img src="${escapeHtml(relativeUrl(c.sampleGrid as string))}" alt="${escapeHtml(`samples of ${c.id}`)}" class="grid"><figcaption>${escapeHtml(cellCaption(c))}</figcaption></figure>`);
  const note = missing === 0 ? '' : `<p class="muted">${missing} cell${missing === 1 ? '' : 's'} left no sample grid.</p>`;
  return `<h2>Samples</h2><p class="muted">The final sample grid of G-EMA of each cell (one row per class for conditional methods).</p>${figures.join('')}${note}`;
}

function timeSection(results: ExperimentResults): string {
  const shared = results.shared.length === 0 ? '' : `<h3>Shared stages (run once, reused by the cells listed)</h3>${htmlTable(sharedStagesTable(results), 'shared-stages')}`;
  return `<h2>Wall time</h2><p class="muted">Total ${escapeHtml(totalWallSeconds(results).toFixed(1))} s, each shared stage counted once.</p>${htmlTable(wallTimeTable(results), 'wall-time')}${shared}`;
}

function configSection(results: ExperimentResults, cells: readonly CellResult[]): string {
  const rows = cells.map((c) => `<tr><td>${escapeHtml(c.id)}</td><td>${link(c.configFile, c.configFile)}</td><td>${link(c.runDir, c.runDir)}</td></tr>`).join('');
  return [
    '<h2>Configs</h2>',
    `<details open><summary>experiment config (as written)</summary><pre id="experiment-config">${escapeHtml(results.configText)}</pre></details>`,
    `<h3>Resolved config of each cell</h3><table id="configs"><tr><th>cell</th><th>resolved config</th><th>run directory</th></tr>${rows}</table>`,
  ].join('');
}

/** The whole page. */
export function experimentReportHtml(results: ExperimentResults, options: ReportPageOptions): string {
  const title = `s3gan experiment ${results.name}`;
  const cells = groupCells(results.cells).flatMap((g) => g.cells);
  const generatedAt = options.generatedAt ?? new Date();
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<title>${escapeHtml(title)}</title><style>${REPORT_STYLE}${PAGE_STYLE}</style></head><body>`,
    `<h1>${escapeHtml(title)}</h1>`,
    `<p class="muted">${cells.length} cells · report written ${escapeHtml(generatedAt.toISOString())}</p>`,
    `<h2>Command</h2><pre id="command">${escapeHtml(results.command)}</pre>`,
    resultsSection(results),
    pseudoLabelSection(results),
    plotsSection(options.plots),
    samplesSection(cells),
    timeSection(results),
    configSection(results, cells),
    '</body></html>',
    '',
  ].join('\n');
}
