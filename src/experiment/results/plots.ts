/**
 * The experiment's plots, drawn without a browser (src/plots): each final metric against the
 * label fraction, one line per method with error bars of ± the sample std over seeds; and the
 * cheap evaluations' FID and label accuracy over training, a panel per method, a line per cell.
 */
import { lineChartPng, type PlotPoint, type ReferenceLine } from '../../plots/index.js';
import type { CellResult, CurvePoint, ExperimentResults } from '../cell-result.js';
import { RESULTS_PLOTS_DIR } from './layout.js';
import { fractionLabel, groupCells, groupSpread, metricDirection, metricNames, type MethodFractionGroup } from './summary.js';

/** A drawn plot: its path relative to the output folder ('/'-separated), what it shows, its PNG bytes. */
export interface ExperimentPlot {
  readonly file: string;
  readonly title: string;
  /** How to read it, for the report. */
  readonly caption: string;
  readonly png: Buffer;
}

/** How to read a chart against the label fraction; it names only the kinds of series it has. */
function fractionCaption(hasAllLabels: boolean, hasNoLabels: boolean): string {
  const parts = ['Mean over seeds; error bars ± the sample standard deviation (none for a single seed). The x axis is logarithmic.'];
  if (hasAllLabels) parts.push('Methods trained on all labels are the points at x = 1.');
  if (hasNoLabels) parts.push('Methods that read no labels have no x: they are the dashed horizontal lines across the chart, with a shaded band of ± one std.');
  return parts.join(' ');
}
const CURVE_CAPTION = "Cheap evaluation of G-EMA during training (each cell's metrics.jsonl): one panel per method, one line per label fraction and seed.";

/** Panel size of the training curves: smaller than a single chart, as they come three in a row. */
const PANEL_WIDTH_PX = 300;
const PANEL_HEIGHT_PX = 180;

/** `name` reduced to a file-name-safe slug ('label-accuracy', 'intra-fid'). */
function slug(name: string): string {
  const s = name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  return s === '' ? 'metric' : s;
}

function directionNote(metric: string): string {
  const direction = metricDirection(metric);
  return direction === undefined ? '' : ` (${direction} is better)`;
}

/** A metric against the label fraction: the methods with a fraction as lines, those without as reference lines. */
async function fractionPlot(metric: string, groups: readonly MethodFractionGroup[], file: string): Promise<ExperimentPlot | undefined> {
  const points: PlotPoint[] = [];
  const referenceLines: ReferenceLine[] = [];
  for (const group of groups) {
    const spread = groupSpread(group, metric);
    if (spread === undefined) continue;
    if (group.labelFraction === null) {
      referenceLines.push({ y: spread.mean, yErr: spread.std, group: group.method, label: `${group.method} (${fractionLabel(null)})` });
    } else {
      points.push({ x: group.labelFraction, y: spread.mean, yErr: spread.std, group: group.method });
    }
  }
  if (points.length === 0 && referenceLines.length === 0) return undefined;
  const title = `${metric} of G-EMA against the fraction of labels${directionNote(metric)}`;
  const png = await lineChartPng(points, { title, xTitle: 'fraction of labelled training images (log scale)', yTitle: metric, logX: true, points: true, referenceLines });
  return { file, title, caption: fractionCaption(points.some((p) => p.x === 1), referenceLines.length > 0), png };
}

/** One in-training metric of every cell, a panel per method. */
async function curvePlot(cells: readonly CellResult[], field: 'fid' | 'labelAccuracy', metric: string, file: string): Promise<ExperimentPlot | undefined> {
  const points: PlotPoint[] = cells.flatMap((c) =>
    c.curve.flatMap((p: CurvePoint) => {
      const y = p[field];
      return y === undefined ? [] : [{ x: p.step, y, group: `${fractionLabel(c.labelFraction)} · seed ${c.seed}`, panel: c.method }];
    }),
  );
  if (points.length === 0) return undefined;
  const title = `${metric} of G-EMA over training${directionNote(metric)}`;
  const png = await lineChartPng(points, { title, xTitle: 'step', yTitle: metric, integerX: true, width: PANEL_WIDTH_PX, height: PANEL_HEIGHT_PX });
  return { file, title, caption: CURVE_CAPTION, png };
}

/** Every plot the results have data for, in the order the report shows them (nothing written). */
export async function drawExperimentPlots(results: ExperimentResults): Promise<ExperimentPlot[]> {
  const groups = groupCells(results.cells);
  // Cells in grid order, so that the panels and legends follow the table.
  const cells = groups.flatMap((g) => g.cells);
  const at = (name: string) => `${RESULTS_PLOTS_DIR}/${name}.png`;
  const used = new Set<string>();
  const plots: (ExperimentPlot | undefined)[] = [];
  for (const metric of metricNames(cells)) {
    let name = `${slug(metric)}-vs-label-fraction`;
    // Two metric names with one slug ('a b', 'a-b') must not overwrite each other's plot.
    for (let k = 2; used.has(name); k++) name = `${slug(metric)}-${k}-vs-label-fraction`;
    used.add(name);
    plots.push(await fractionPlot(metric, groups, at(name)));
  }
  plots.push(await curvePlot(cells, 'fid', 'fid', at('fid-over-training')));
  plots.push(await curvePlot(cells, 'labelAccuracy', 'label-accuracy', at('label-accuracy-over-training')));
  return plots.filter((p): p is ExperimentPlot => p !== undefined);
}
