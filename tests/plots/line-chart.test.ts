import test from 'ava';
import sharp from 'sharp';
import { lineChartPng, lineChartSpec, lineChartSvg, type PlotPoint } from '../../src/plots/index.js';

/** vega's default palette: the first two lines. */
const BLUE = [0x4c, 0x78, 0xa8];
const ORANGE = [0xf5, 0x85, 0x18];

async function pixels(png: Buffer) {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const count = (pred: (r: number, g: number, b: number) => boolean) => {
    let n = 0;
    for (let i = 0; i < data.length; i += info.channels) if (pred(data[i], data[i + 1], data[i + 2])) n++;
    return n;
  };
  const near = (rgb: number[]) => (r: number, g: number, b: number) => Math.abs(r - rgb[0]) + Math.abs(g - rgb[1]) + Math.abs(b - rgb[2]) < 30;
  return { info, count, near };
}

const twoLines: PlotPoint[] = [0, 1, 2, 3, 4].flatMap((x) => [
  { x, y: x * x, group: 'squares' },
  { x, y: 10 - x, group: 'countdown' },
]);

test('a two-line chart is a PNG of the SVG size, white, with both lines drawn in their colours', async (t) => {
  const svg = await lineChartSvg(twoLines, { title: 'two', xTitle: 'x', yTitle: 'y', width: 300, height: 150 });
  const width = Number(/<svg[^>]* width="(\d+)"/.exec(svg)?.[1]);
  const height = Number(/<svg[^>]* height="(\d+)"/.exec(svg)?.[1]);
  // The plot area plus axes, title and legend.
  t.true(width > 300 && height > 150, `${width}×${height}`);
  const png = await lineChartPng(twoLines, { title: 'two', xTitle: 'x', yTitle: 'y', width: 300, height: 150 });
  const { info, count, near } = await pixels(png);
  t.deepEqual([info.width, info.height], [width, height]);
  const total = info.width * info.height;
  t.true(count((r, g, b) => r > 250 && g > 250 && b > 250) > total / 2, 'a white background');
  t.true(count((r, g, b) => r < 100 && g < 100 && b < 100) > 100, 'dark text and axes (fonts rendered)');
  t.true(count(near(BLUE)) > 100, 'the first line');
  t.true(count(near(ORANGE)) > 100, 'the second line');
});

test('the legend lists the groups; text from the data is escaped in the SVG', async (t) => {
  const svg = await lineChartSvg([{ x: 0, y: 1, group: 'a<b>&"c' }, { x: 1, y: 2, group: 'a<b>&"c' }, { x: 0, y: 0, group: 'plain' }, { x: 1, y: 0, group: 'plain' }], { xTitle: 'x', yTitle: 'y' });
  t.false(svg.includes('a<b>'));
  t.true(svg.includes('a&lt;b&gt;&amp;'));
  t.true(svg.includes('plain'));
  await t.notThrowsAsync(sharp(Buffer.from(svg)).png().toBuffer(), 'the escaped SVG still renders');
});

test('error bars are a layer of their own; non-finite points are dropped; one line needs no legend', (t) => {
  const spec = lineChartSpec(
    [
      { x: 0.01, y: 10, yErr: 2, group: 'ours' },
      { x: 0.1, y: 8, yErr: 1, group: 'ours' },
      { x: 1, y: Number.NaN, group: 'ours' },
    ],
    { xTitle: 'label fraction', yTitle: 'FID', logX: true },
  ) as unknown as { data: { values: Record<string, number>[] }; layer: { mark: { type: string }; encoding: { color?: { legend?: unknown } } }[] };
  t.deepEqual(spec.data.values, [
    { x: 0.01, y: 10, group: 'ours', yLow: 8, yHigh: 12 },
    { x: 0.1, y: 8, group: 'ours', yLow: 7, yHigh: 9 },
  ]);
  t.deepEqual(spec.layer.map((l) => l.mark.type), ['line', 'errorbar']);
  t.is(spec.layer[0].encoding.color?.legend, null);
});

test('error bars are drawn: more dark-blue ink than the same chart without them', async (t) => {
  const base: PlotPoint[] = [0, 1, 2, 3].map((x) => ({ x, y: x, group: 'm' }));
  const options = { xTitle: 'x', yTitle: 'y', width: 200, height: 200 };
  const without = await pixels(await lineChartPng(base, options));
  const withBars = await pixels(await lineChartPng(base.map((p) => ({ ...p, yErr: 1 })), options));
  t.true(withBars.count(withBars.near(BLUE)) > without.count(without.near(BLUE)) + 50);
});

test('an empty chart still renders (axes only)', async (t) => {
  const png = await lineChartPng([], { xTitle: 'x', yTitle: 'y', width: 100, height: 80 });
  const meta = await sharp(png).metadata();
  t.is(meta.format, 'png');
  t.true((meta.width ?? 0) >= 100);
});
