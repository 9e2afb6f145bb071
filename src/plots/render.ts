/**
 * Charts drawn without a browser: vega-lite compiles the spec to vega, vega's headless view lays
 * it out as an SVG string (no canvas needed; text widths are estimated), and sharp (librsvg)
 * rasterises that SVG to PNG. Only this file touches vega and sharp.
 */
import sharp from 'sharp';
import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { writeFileAtomic } from '../artifacts/atomic-write.js';
import { lineChartSpec, type LineChartOptions, type PlotPoint } from './line-chart.js';

/** `spec` as a standalone SVG document. */
export async function specToSvg(spec: TopLevelSpec): Promise<string> {
  const view = new View(parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** An SVG document rasterised to PNG bytes at its own size (1 px per SVG unit, 72 dpi). */
export async function svgToPng(svg: string): Promise<Buffer> {
  return sharp(Buffer.from(svg, 'utf8')).png().toBuffer();
}

/** A line chart of `points` as SVG text. */
export async function lineChartSvg(points: readonly PlotPoint[], options: LineChartOptions): Promise<string> {
  return specToSvg(lineChartSpec(points, options));
}

/** A line chart of `points` as PNG bytes. */
export async function lineChartPng(points: readonly PlotPoint[], options: LineChartOptions): Promise<Buffer> {
  return svgToPng(await lineChartSvg(points, options));
}

/** Writes a line chart of `points` to `file` as PNG, atomically (the directory must exist). */
export async function writeLineChartPng(file: string, points: readonly PlotPoint[], options: LineChartOptions): Promise<void> {
  await writeFileAtomic(file, await lineChartPng(points, options));
}
