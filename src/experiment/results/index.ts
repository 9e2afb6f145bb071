/**
 * An experiment's results, written into its output folder: results.json (the record as given),
 * results.csv, table.md, the PNG plots under plots/ and report.html. Every file is written
 * atomically, so a reader never sees half of one; the report is written last, once everything it
 * links to exists.
 */
import { mkdir } from 'node:fs/promises';
import * as path from 'node:path';
import { writeFileAtomic, writeJsonAtomic } from '../../artifacts/atomic-write.js';
import type { ExperimentResults } from '../cell-result.js';
import { resultsCsv } from './csv.js';
import { RESULTS_CSV, RESULTS_JSON, RESULTS_PLOTS_DIR, RESULTS_REPORT, RESULTS_TABLE } from './layout.js';
import { resultsMarkdown } from './markdown.js';
import { drawExperimentPlots } from './plots.js';
import { experimentReportHtml } from './report-page.js';

export { RESULTS_CSV, RESULTS_JSON, RESULTS_PLOTS_DIR, RESULTS_REPORT, RESULTS_TABLE } from './layout.js';

/** Writes every results file of `results` into `outDir` (which must exist); returns when all are written. */
export async function writeExperimentResults(outDir: string, results: ExperimentResults): Promise<void> {
  // 1. Draw first: a chart that cannot be drawn fails before any file is replaced.
  const plots = await drawExperimentPlots(results);
  // 2. The data files.
  await writeJsonAtomic(path.join(outDir, RESULTS_JSON), results);
  await writeFileAtomic(path.join(outDir, RESULTS_CSV), resultsCsv(results));
  await writeFileAtomic(path.join(outDir, RESULTS_TABLE), resultsMarkdown(results));
  // 3. The plots, then the page that links them.
  if (plots.length > 0) await mkdir(path.join(outDir, RESULTS_PLOTS_DIR), { recursive: true });
  for (const plot of plots) await writeFileAtomic(path.join(outDir, ...plot.file.split('/')), plot.png);
  await writeFileAtomic(path.join(outDir, RESULTS_REPORT), experimentReportHtml(results, { plots }));
}
