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
}

/** Text of every chart; DejaVu Sans is what sharp's librsvg finds on a plain Linux install. */
export const CHART_FONT = 'DejaVu Sans, Helvetica, Arial, sans-serif';
const DEFAULT_WIDTH_PX = 480;
const DEFAULT_HEIGHT_PX = 240;
const DOTS_UP_TO_POINTS = 50;

/**
 * The vega-lite spec of a line chart of `points`. Points with a non-finite x or y are dropped
 * (metrics logs hold null for NaN); lines are drawn in order of x.
 */
export function lineChartSpec(points: readonly PlotPoint[], options: LineChartOptions): TopLevelSpec {
  const width = options.width ?? DEFAULT_WIDTH_PX;
  const height = options.height ?? DEFAULT_HEIGHT_PX;
  invariant(Number.isInteger(width) && width > 0 && Number.isInteger(height) && height > 0, `chart size must be positive integers, got ${width}×${height}`);
  const values = points
    .filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y) && (!options.logX || p.x > 0))
    .map((p) => {
      const err = p.yErr !== undefined && Number.isFinite(p.yErr) ? Math.abs(p.yErr) : undefined;
      return { x: p.x, y: p.y, group: p.group ?? '', ...(err === undefined ? {} : { yLow: p.y - err, yHigh: p.y + err }) };
    });
  const groups = [...new Set(values.map((v) => v.group))];
  const named = groups.some((g) => g !== '');
  const perLine = Math.max(0, ...groups.map((g) => values.filter((v) => v.group === g).length));
  const dots = options.points ?? perLine <= DOTS_UP_TO_POINTS;
  const axis = options.integerX ? { axis: { tickMinStep: 1, format: '~s' } } : {};
  const x = { field: 'x', type: 'quantitative', title: options.xTitle, scale: options.logX ? { type: 'log' } : { zero: false }, ...axis } as const;
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
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    ...(options.title === undefined ? {} : { title: options.title }),
    width,
    height,
    background: 'white',
    padding: 8,
    data: { values },
    layer: layers,
    config: { font: CHART_FONT, legend: { orient: 'right', labelLimit: 240 }, axis: { labelFontSize: 11, titleFontSize: 12 }, title: { fontSize: 14 } },
  } as TopLevelSpec;
}
