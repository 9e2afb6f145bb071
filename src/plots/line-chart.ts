/**
 * Line charts as vega-lite specs: one line per group, optional error bars, on a white background.
 * The spec is pure data; render.ts turns it into SVG and PNG without a browser. The same chart
 * serves training curves (loss against step) and experiment plots (a metric against the label
 * fraction, mean ± spread over seeds, one line per method).
 */
import type { TopLevelSpec } from 'vega-lite';
import { invariant } from '../util/errors.js';

/** One point of a chart. */
export interface PlotPoint {
  readonly x: number;
  readonly y: number;
  /** Half-length of the error bar around y (e.g. a standard deviation); none when absent. */
  readonly yErr?: number;
  /** The line the point belongs to (legend entry); one unnamed line when absent. */
  readonly group?: string;
  /** The small-multiple panel the point is drawn in (its title); one chart when no point has one. */
  readonly panel?: string;
}

/**
 * A horizontal dashed line across the whole chart, for a series that has a y but no x (e.g. a
 * method that reads no labels, in a chart against the label fraction), with a band of ± yErr.
 */
export interface ReferenceLine {
  readonly y: number;
  readonly yErr?: number;
  /** Legend entry, sharing the colour scale of the lines. */
  readonly group: string;
  /** Text written on the line at its left end. */
  readonly label: string;
}

export interface LineChartOptions {
  readonly title?: string;
  readonly xTitle: string;
  readonly yTitle: string;
  /** Plot area in pixels, without axes and legend (defaults 480 × 240). */
  readonly width?: number;
  readonly height?: number;
  /** Logarithmic x axis (e.g. label fractions 0.01 … 1); all x must be > 0. */
  readonly logX?: boolean;
  /** x takes whole numbers only (e.g. steps): no fractional ticks, large values as 1.5k. */
  readonly integerX?: boolean;
  /** Draw a dot at every point (default: only when a line has at most 50 points). */
  readonly points?: boolean;
  /** Dashed horizontal lines; not with panels. */
  readonly referenceLines?: readonly ReferenceLine[];
  /** Panels per row when the points have panels (default 3). */
  readonly columns?: number;
}

/** Text of every chart; DejaVu Sans is what sharp's librsvg finds on a plain Linux install. */
export const CHART_FONT = 'DejaVu Sans, Helvetica, Arial, sans-serif';
const DEFAULT_WIDTH_PX = 480;
const DEFAULT_HEIGHT_PX = 240;
const DOTS_UP_TO_POINTS = 50;
const DEFAULT_COLUMNS = 3;
/**
 * Room left and right of a log x axis: its points usually sit on the ends of the data (the
 * smallest label fraction, and 1 for all labels), where their error bars would be cut in half.
 */
const LOG_X_PADDING_PX = 16;
const REFERENCE_DASH_PX = [6, 4];
const REFERENCE_BAND_OPACITY = 0.12;

/** The half-width of an error bar, or undefined when it has none. */
function errorOf(yErr: number | undefined): number | undefined {
  return yErr !== undefined && Number.isFinite(yErr) ? Math.abs(yErr) : undefined;
}

/** Layers of the dashed reference lines: the band of ± yErr, the line, and its label. */
function referenceLayers(lines: readonly ReferenceLine[], yTitle: string, width: number, color: object): unknown[] {
  const values = lines
    .filter((r) => Number.isFinite(r.y))
    .map((r) => {
      const err = errorOf(r.yErr);
      return { y: r.y, group: r.group, label: r.label, ...(err === undefined ? {} : { yLow: r.y - err, yHigh: r.y + err }) };
    });
  if (values.length === 0) return [];
  const y = { field: 'y', type: 'quantitative', title: yTitle } as const;
  const layers: unknown[] = [
    { data: { values }, mark: { type: 'rule', strokeDash: REFERENCE_DASH_PX, strokeWidth: 2 }, encoding: { y, ...color } },
    { data: { values }, mark: { type: 'text', align: 'left', baseline: 'bottom', dx: 4, dy: -3, fontSize: 11 }, encoding: { x: { value: 0 }, y, text: { field: 'label' }, ...color } },
  ];
  if (values.some((v) => 'yLow' in v)) {
    layers.unshift({
      data: { values: values.filter((v) => 'yLow' in v) },
      mark: { type: 'rect', opacity: REFERENCE_BAND_OPACITY },
      encoding: { x: { value: 0 }, x2: { value: width }, y: { field: 'yLow', type: 'quantitative', title: yTitle }, y2: { field: 'yHigh' }, ...color },
    });
  }
  return layers;
}

/**
 * The vega-lite spec of a line chart of `points`. Points with a non-finite x or y are dropped
 * (metrics logs hold null for NaN); lines are drawn in order of x. Points with a panel make small
 * multiples sharing their axes and legend.
 */
export function lineChartSpec(points: readonly PlotPoint[], options: LineChartOptions): TopLevelSpec {
  const width = options.width ?? DEFAULT_WIDTH_PX;
  const height = options.height ?? DEFAULT_HEIGHT_PX;
  invariant(Number.isInteger(width) && width > 0 && Number.isInteger(height) && height > 0, `chart size must be positive integers, got ${width}×${height}`);
  const values = points
    .filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y) && (!options.logX || p.x > 0))
    .map((p) => {
      const err = errorOf(p.yErr);
      return { x: p.x, y: p.y, group: p.group ?? '', ...(p.panel === undefined ? {} : { panel: p.panel }), ...(err === undefined ? {} : { yLow: p.y - err, yHigh: p.y + err }) };
    });
  const references = options.referenceLines ?? [];
  const panels = [...new Set(values.flatMap((v) => ('panel' in v ? [v.panel] : [])))];
  invariant(panels.length === 0 || references.length === 0, 'reference lines cannot be drawn in panels');
  const lineGroups = [...new Set(values.map((v) => v.group))];
  const groups = [...new Set([...lineGroups, ...references.map((r) => r.group)])];
  const named = groups.some((g) => g !== '');
  const perLine = Math.max(0, ...lineGroups.map((g) => values.filter((v) => v.group === g).length));
  const dots = options.points ?? perLine <= DOTS_UP_TO_POINTS;
  const axis = options.integerX ? { axis: { tickMinStep: 1, format: '~s' } } : {};
  const x = { field: 'x', type: 'quantitative', title: options.xTitle, scale: options.logX ? { type: 'log', nice: false, padding: LOG_X_PADDING_PX } : { zero: false }, ...axis } as const;
  // A single named line keeps its colour but needs no legend: the chart's title names it.
  const color = named ? { color: { field: 'group', type: 'nominal', title: null, sort: groups, ...(groups.length === 1 ? { legend: null } : {}) } } : {};
  const layers: unknown[] = [
    {
      mark: { type: 'line', point: dots, clip: true },
      encoding: { x, y: { field: 'y', type: 'quantitative', title: options.yTitle, scale: { zero: false } }, order: { field: 'x', type: 'quantitative' }, ...color },
    },
  ];
  if (values.some((v) => 'yLow' in v)) {
    layers.push({
      transform: [{ filter: 'isValid(datum.yLow)' }],
      mark: { type: 'errorbar', ticks: true },
      encoding: { x, y: { field: 'yLow', type: 'quantitative', title: options.yTitle }, y2: { field: 'yHigh' }, ...color },
    });
  }
  layers.push(...referenceLayers(references, options.yTitle, width, color));
  const common = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    ...(options.title === undefined ? {} : { title: options.title }),
    background: 'white',
    padding: 8,
    data: { values },
    config: { font: CHART_FONT, legend: { orient: 'right', labelLimit: 240 }, axis: { labelFontSize: 11, titleFontSize: 12 }, title: { fontSize: 14 } },
  };
  if (panels.length > 0) {
    const columns = options.columns ?? DEFAULT_COLUMNS;
    invariant(Number.isInteger(columns) && columns > 0, `columns must be a positive integer, got ${columns}`);
    return { ...common, facet: { field: 'panel', type: 'nominal', title: null, sort: panels }, columns, spec: { width, height, layer: layers } } as TopLevelSpec;
  }
  return { ...common, width, height, layer: layers } as TopLevelSpec;
}
