import test from 'ava';
import sharp from 'sharp';
import { lineChartPng, lineChartSpec, type PlotPoint } from '../../src/plots/index.js';

/** vega's default palette: the first two series. */
const BLUE = [0x4c, 0x78, 0xa8];
const ORANGE = [0xf5, 0x85, 0x18];

async function countNear(png: Buffer, rgb: readonly number[]): Promise<number> {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  let n = 0;
  for (let i = 0; i < data.length; i += info.channels) {
    if (Math.abs(data[i] - rgb[0]) + Math.abs(data[i + 1] - rgb[1]) + Math.abs(data[i + 2] - rgb[2]) < 30) n++;
  }
  return n;
}

const line: PlotPoint[] = [
  { x: 0.01, y: 20, yErr: 2, group: 's3gan' },
  { x: 0.1, y: 12, yErr: 1, group: 's3gan' },
];

interface Layered {
  layer: { mark: { type: string; strokeDash?: number[] }; data?: { values: Record<string, unknown>[] }; encoding: { color?: { sort?: string[]; legend?: unknown } } }[];
}

test('reference lines: a band, a dashed rule and a label, in the colour scale and legend of the lines', (t) => {
  const spec = lineChartSpec(line, { xTitle: 'fraction', yTitle: 'FID', logX: true, referenceLines: [{ y: 30, yErr: 3, group: 'gan', label: 'gan (no labels)' }] }) as unknown as Layered;
  t.deepEqual(spec.layer.map((l) => l.mark.type), ['line', 'errorbar', 'rect', 'rule', 'text']);
  t.deepEqual(spec.layer[3].data?.values, [{ y: 30, group: 'gan', label: 'gan (no labels)', yLow: 27, yHigh: 33 }]);
  t.truthy(spec.layer[3].mark.strokeDash);
  // Two series in all: the legend is shown, with the reference line after the lines.
  t.deepEqual(spec.layer[0].encoding.color?.sort, ['s3gan', 'gan']);
  t.is(spec.layer[0].encoding.color?.legend, undefined);
  // Without a spread there is no band.
  const bare = lineChartSpec(line, { xTitle: 'fraction', yTitle: 'FID', referenceLines: [{ y: 30, group: 'gan', label: 'gan' }] }) as unknown as Layered;
  t.deepEqual(bare.layer.map((l) => l.mark.type), ['line', 'errorbar', 'rule', 'text']);
});

test('a reference line is drawn across the chart in the second colour', async (t) => {
  const options = { xTitle: 'fraction', yTitle: 'FID', logX: true, width: 300, height: 150 };
  const without = await lineChartPng(line, options);
  const withLine = await lineChartPng(line, { ...options, referenceLines: [{ y: 30, group: 'gan', label: 'gan (no labels)' }] });
  t.true((await countNear(withLine, ORANGE)) > (await countNear(without, ORANGE)) + 100);
  t.true((await countNear(withLine, BLUE)) > 100, 'the line is still drawn');
});

test('points with panels make small multiples sharing one legend; references cannot go in panels', async (t) => {
  const points: PlotPoint[] = ['s3gan', 'cgan', 'gan', 'ssgan'].flatMap((panel, k) =>
    [0, 100, 200].flatMap((x) => [
      { x, y: 50 - x / 10 + k, group: 'seed 0', panel },
      { x, y: 55 - x / 10 + k, group: 'seed 1', panel },
    ]),
  );
  const options = { xTitle: 'step', yTitle: 'FID', integerX: true, width: 200, height: 120 };
  const spec = lineChartSpec(points, { ...options, columns: 2 }) as unknown as { facet: { field: string; sort: string[] }; columns: number; spec: { width: number } };
  t.is(spec.facet.field, 'panel');
  t.deepEqual(spec.facet.sort, ['s3gan', 'cgan', 'gan', 'ssgan']);
  t.is(spec.columns, 2);
  t.is(spec.spec.width, 200);
  const meta = await sharp(await lineChartPng(points, { ...options, columns: 2 })).metadata();
  // Two panels across and two down, each 200 × 120 with its axes.
  t.true((meta.width ?? 0) > 2 * 200 && (meta.height ?? 0) > 2 * 120, `${meta.width}×${meta.height}`);
  t.throws(() => lineChartSpec(points, { ...options, referenceLines: [{ y: 1, group: 'g', label: 'g' }] }), { message: /reference lines cannot be drawn in panels/ });
});

test('a log x axis leaves room around its end points: no nice rounding to whole decades', (t) => {
  const spec = lineChartSpec(line, { xTitle: 'fraction', yTitle: 'FID', logX: true }) as unknown as { layer: { encoding: { x: { scale: Record<string, unknown> } } }[] };
  t.like(spec.layer[0].encoding.x.scale, { type: 'log', nice: false });
  t.true((spec.layer[0].encoding.x.scale.padding as number) > 0);
});
