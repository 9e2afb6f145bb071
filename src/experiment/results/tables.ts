/**
 * The experiment's tables as plain text cells, shared by table.md and report.html so that both
 * show the same numbers: the final metrics (mean ± std over seeds per method × fraction), the
 * pseudo-label accuracy per fraction, the wall time per cell and that of the shared stages.
 */
import { formatMetricValue } from '../../eval/results.js';
import type { ExperimentResults } from '../cell-result.js';
import { fractionLabel, groupCells, groupSpread, metricNames, pseudoLabelsByFraction, type SeedSpread } from './summary.js';

/** A table of text cells; `numeric` marks the columns aligned right. */
export interface TextTable {
  readonly columns: readonly string[];
  readonly numeric: readonly boolean[];
  readonly rows: readonly (readonly string[])[];
}

/** Shown for a standard deviation of one seed, and for a value not measured. */
export const NO_VALUE = '—';

/**
 * 'mean ± std' with 4 significant digits ('—' for the std of a single seed); ' (n=k)' follows
 * when fewer than `groupSize` cells reported the value.
 */
export function formatSpread(spread: SeedSpread | undefined, groupSize: number): string {
  if (spread === undefined) return NO_VALUE;
  const std = spread.std === undefined ? NO_VALUE : formatMetricValue(spread.std);
  return `${formatMetricValue(spread.mean)} ± ${std}${spread.n < groupSize ? ` (n=${spread.n})` : ''}`;
}

/** Seconds with one decimal, the unit in the column header. */
function formatSeconds(seconds: number): string {
  return Number.isFinite(seconds) ? seconds.toFixed(1) : String(seconds);
}

function percent(value: number): string {
  return Number.isFinite(value) ? `${(100 * value).toFixed(2)} %` : String(value);
}

/** Final metrics: one row per method × fraction, one column per metric (arrows in the headings). */
export function metricsTable(results: ExperimentResults, headings: (metric: string) => string): TextTable {
  const metrics = metricNames(results.cells);
  const rows = groupCells(results.cells).map((group) => [
    group.method,
    fractionLabel(group.labelFraction),
    String(group.cells.length),
    ...metrics.map((m) => formatSpread(groupSpread(group, m), group.cells.length)),
  ]);
  return { columns: ['method', 'labels', 'seeds (n)', ...metrics.map(headings)], numeric: [false, false, true, ...metrics.map(() => true)], rows };
}

/** Pseudo-label accuracy on the training images, per fraction (mean ± std over seeds, in %). */
export function pseudoLabelTable(results: ExperimentResults): TextTable {
  const rows = pseudoLabelsByFraction(results).map((f) => {
    const { mean, std, n } = f.spread;
    return [fractionLabel(f.labelFraction), `${percent(mean)} ± ${std === undefined ? NO_VALUE : percent(std)}`, String(n), f.sources.join(', ')];
  });
  return { columns: ['labels', 'pseudo-label accuracy', 'n', 'from'], numeric: [false, true, true, false], rows };
}

/** Wall-clock seconds of each cell's own stages, in the grid's order. */
export function wallTimeTable(results: ExperimentResults): TextTable {
  const rows = groupCells(results.cells).flatMap((group) =>
    group.cells.map((c) => [c.id, c.method, fractionLabel(c.labelFraction), String(c.seed), formatSeconds(c.wallSeconds)]),
  );
  return { columns: ['cell', 'method', 'labels', 'seed', 'wall time (s)'], numeric: [false, false, false, true, true], rows };
}

/** Shared stages: run once each, whatever number of cells reuse them. */
export function sharedStagesTable(results: ExperimentResults): TextTable {
  const rows = results.shared.map((s) => [
    s.stage,
    s.hash,
    formatSeconds(s.wallSeconds),
    s.accuracy === undefined ? NO_VALUE : percent(s.accuracy),
    s.cells.join(', '),
  ]);
  return { columns: ['stage', 'config hash', 'wall time (s)', 'accuracy', 'reused by'], numeric: [false, false, true, true, false], rows };
}

/** Total wall-clock seconds: every cell's own stages and every shared stage once. */
export function totalWallSeconds(results: ExperimentResults): number {
  return results.cells.reduce((a, c) => a + c.wallSeconds, 0) + results.shared.reduce((a, s) => a + s.wallSeconds, 0);
}
