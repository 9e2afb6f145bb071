/** Charts without a browser: line charts from points, as vega-lite specs, SVG or PNG. */
export { CHART_FONT, lineChartSpec, type LineChartOptions, type PlotPoint, type ReferenceLine } from './line-chart.js';
export { lineChartPng, lineChartSvg, specToSvg, svgToPng, writeLineChartPng } from './render.js';
