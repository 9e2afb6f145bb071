/**
 * results.csv: one row per cell and final metric, then the cell's pseudo-label accuracy (where
 * it has one) and its wall time, as rows of the same shape, so that one filter on `metric`
 * selects any quantity. Text follows RFC 4180 (fields quoted when they hold a comma, quote or
 * line break; CRLF line ends); values keep full precision.
 */
import type { ExperimentResults } from '../cell-result.js';
import { groupCells, metricNames } from './summary.js';

export const CSV_COLUMNS = ['cell', 'method', 'label_fraction', 'seed', 'metric', 'value'] as const;
/** The `metric` of the rows that are not final metrics. */
export const PSEUDO_LABEL_ACCURACY_ROW = 'pseudo_label_accuracy';
export const WALL_SECONDS_ROW = 'wall_seconds';

/** label_fraction as written: 'all' (1), 'none' (no labels read) or the fraction. */
export function csvFraction(fraction: number | null): string {
  if (fraction === null) return 'none';
  return fraction === 1 ? 'all' : String(fraction);
}

/** One field, quoted when it must be (RFC 4180 § 2.6–2.7). */
export function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The rows of results.csv, header first; cells in the grid's order, metrics in table order. */
export function csvRows(results: ExperimentResults): string[][] {
  const metrics = metricNames(results.cells);
  const rows: string[][] = [[...CSV_COLUMNS]];
  for (const group of groupCells(results.cells)) {
    for (const c of group.cells) {
      const row = (metric: string, value: number) => [c.id, c.method, csvFraction(c.labelFraction), String(c.seed), metric, String(value)];
      for (const m of metrics) if (m in c.metrics) rows.push(row(m, c.metrics[m]));
      if (c.pseudoLabelAccuracy !== undefined) rows.push(row(PSEUDO_LABEL_ACCURACY_ROW, c.pseudoLabelAccuracy));
      rows.push(row(WALL_SECONDS_ROW, c.wallSeconds));
    }
  }
  return rows;
}

/** The text of results.csv. */
export function resultsCsv(results: ExperimentResults): string {
  return csvRows(results)
    .map((row) => row.map(csvField).join(','))
    .map((line) => `${line}\r\n`)
    .join('');
}
