import test from 'ava';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import type { ExperimentResults } from '../../src/experiment/cell-result.js';
import { csvField, resultsCsv } from '../../src/experiment/results/csv.js';
import { writeExperimentResults } from '../../src/experiment/results/index.js';
import { resultsMarkdown } from '../../src/experiment/results/markdown.js';
import { UserError } from '../../src/util/errors.js';
import { tempDir } from '../temp.js';
import { writeFixture } from './results-fixture.js';

const outDir = tempDir('s3gan-exp-results-');
const results = await writeFixture(outDir);
await writeExperimentResults(outDir, results);

/** vega's palette: the 4th line (gan in the fixture's order s3gan, cgan-few, cgan-full, gan). */
const TEAL = [0x72, 0xb7, 0xb2];

async function countNear(file: string, rgb: readonly number[]): Promise<number> {
  const { data, info } = await sharp(file).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  let n = 0;
  for (let i = 0; i < data.length; i += info.channels) {
    if (Math.abs(data[i] - rgb[0]) + Math.abs(data[i + 1] - rgb[1]) + Math.abs(data[i + 2] - rgb[2]) < 30) n++;
  }
  return n;
}

test('results.json is the results as given', (t) => {
  t.deepEqual(JSON.parse(readFileSync(path.join(outDir, 'results.json'), 'utf8')), JSON.parse(JSON.stringify(results)));
});

test('results.csv: a row per cell and metric, then pseudo-label accuracy and wall time; fractions as all/none/number', (t) => {
  const text = readFileSync(path.join(outDir, 'results.csv'), 'utf8');
  t.true(text.endsWith('\r\n'));
  const rows = text.trimEnd().split('\r\n').map((line) => line.split(','));
  t.deepEqual(rows[0], ['cell', 'method', 'label_fraction', 'seed', 'metric', 'value']);
  // s3gan: 4 cells × (fid, label-accuracy, pseudo-label accuracy, wall time); cgan-few 4 × 3;
  // cgan-full 2 × 3; gan 1 × (fid, wall time).
  t.is(rows.length, 1 + 16 + 12 + 6 + 2);
  t.deepEqual(rows.slice(1, 5), [
    ['s3gan-f0.01-s0', 's3gan', '0.01', '0', 'fid', '20'],
    ['s3gan-f0.01-s0', 's3gan', '0.01', '0', 'label-accuracy', '0.8'],
    ['s3gan-f0.01-s0', 's3gan', '0.01', '0', 'pseudo_label_accuracy', '0.7'],
    ['s3gan-f0.01-s0', 's3gan', '0.01', '0', 'wall_seconds', '100'],
  ]);
  const of = (cell: string) => rows.filter((r) => r[0] === cell).map((r) => r.slice(1));
  t.deepEqual(of('cgan-full-all-s1'), [
    ['cgan-full', 'all', '1', 'fid', '13'],
    ['cgan-full', 'all', '1', 'label-accuracy', '0.99'],
    ['cgan-full', 'all', '1', 'wall_seconds', '61.25'],
  ]);
  t.deepEqual(of('gan-none-s0'), [
    ['gan', 'none', '0', 'fid', '35'],
    ['gan', 'none', '0', 'wall_seconds', '40'],
  ]);
  t.deepEqual(of('cgan-few-f0.05-s1'), [
    ['cgan-few', '0.05', '1', 'fid', '36'],
    ['cgan-few', '0.05', '1', 'label-accuracy', '0.64'],
    ['cgan-few', '0.05', '1', 'wall_seconds', '53'],
  ]);
});

test('results.csv quotes a field holding a comma, a quote or a line break (RFC 4180)', (t) => {
  t.is(csvField('s3gan'), 's3gan');
  t.is(csvField('a,b'), '"a,b"');
  t.is(csvField('say "hi"'), '"say ""hi"""');
  t.is(csvField('two\nlines'), '"two\nlines"');
  const odd: ExperimentResults = { ...results, cells: [{ ...results.cells[0], method: 'mine, "tuned"' }] };
  t.true(resultsCsv(odd).includes('s3gan-f0.01-s0,"mine, ""tuned""",0.01,0,fid,20\r\n'));
});

test('table.md: mean ± sample std over seeds per method × fraction, directions in the header, — for one seed', (t) => {
  const text = readFileSync(path.join(outDir, 'table.md'), 'utf8');
  const lines = text.split('\n');
  t.true(lines.includes('| method | labels | seeds (n) | fid ↓ | label-accuracy ↑ |'));
  // fid 20, 24: mean 22, std √8; accuracy 0.8, 0.9: mean 0.85, std √0.005.
  t.true(lines.includes('| s3gan | 1 % | 2 | 22 ± 2.828 | 0.85 ± 0.07071 |'));
  t.true(lines.includes('| s3gan | 5 % | 2 | 16 ± 1.414 | 0.92 ± 0.02828 |'));
  // fid 40, 50: mean 45, std √50; accuracy 0.3, 0.5: mean 0.4, std √0.02.
  t.true(lines.includes('| cgan-few | 1 % | 2 | 45 ± 7.071 | 0.4 ± 0.1414 |'));
  t.true(lines.includes('| cgan-few | 5 % | 2 | 33 ± 4.243 | 0.62 ± 0.02828 |'));
  t.true(lines.includes('| cgan-full | all labels | 2 | 11.5 ± 2.121 | 0.98 ± 0.01414 |'));
  t.true(lines.includes('| gan | no labels | 1 | 35 ± — | — |'), 'one seed: no std; an unconditional method: no label accuracy');
  // Pseudo-labels from the shared stages: 0.7, 0.8 at 1 %; 0.9, 0.92 at 5 %.
  t.true(lines.some((l) => l.startsWith('| 1 % | 75.00 % ± 7.07 % | 2 | shared/pseudo-label-s3gan-f0.01-s0, ')));
  t.true(lines.some((l) => l.startsWith('| 5 % | 91.00 % ± 1.41 % | 2 | ')));
  t.true(lines.includes('| cgan-full-all-s1 | cgan-full | all labels | 1 | 61.3 |'));
  // Cells 827.25 s, shared stages 300 + 310 + 4 × 10 s.
  t.true(text.includes('Total: 1477.3 s'));
  t.true(text.includes(results.command));
});

test('table.md: a metric only some seeds reported says so with (n=k)', (t) => {
  const [first, ...rest] = results.cells;
  const partial: ExperimentResults = { ...results, cells: [{ ...first, metrics: { fid: 20 } }, ...rest] };
  t.true(resultsMarkdown(partial).split('\n').includes('| s3gan | 1 % | 2 | 22 ± 2.828 | 0.9 ± — (n=1) |'));
});

test('plots: each final metric against the fraction and each curve over training, as PNGs of sensible size', async (t) => {
  const plots = path.join(outDir, 'plots');
  t.deepEqual(readdirSync(plots).sort(), ['fid-over-training.png', 'fid-vs-label-fraction.png', 'label-accuracy-over-training.png', 'label-accuracy-vs-label-fraction.png']);
  for (const file of readdirSync(plots)) {
    const meta = await sharp(path.join(plots, file)).metadata();
    t.is(meta.format, 'png', file);
    t.true((meta.width ?? 0) >= 480 && (meta.width ?? 0) <= 2400 && (meta.height ?? 0) >= 240 && (meta.height ?? 0) <= 1600, `${file}: ${meta.width}×${meta.height}`);
  }
  // gan reads no labels: a dashed line in its colour on the FID chart; it has no label accuracy.
  t.true((await countNear(path.join(plots, 'fid-vs-label-fraction.png'), TEAL)) > 100, 'the no-label reference line');
  t.is(await countNear(path.join(plots, 'label-accuracy-vs-label-fraction.png'), TEAL), 0);
});

test('every file is written whole: no temporary file is left behind', (t) => {
  const names = [...readdirSync(outDir), ...readdirSync(path.join(outDir, 'plots'))];
  t.deepEqual(names.filter((n) => n.endsWith('.tmp')), []);
  for (const file of ['results.json', 'results.csv', 'table.md', 'report.html']) t.true(existsSync(path.join(outDir, file)), file);
});

test('an output folder that does not exist is a user error naming it, and nothing is created', async (t) => {
  const missing = path.join(tempDir('s3gan-exp-results-'), 'no-such-dir');
  const error = await t.throwsAsync(writeExperimentResults(missing, results), { instanceOf: UserError });
  t.regex(error?.message ?? '', /no-such-dir/);
  t.false(existsSync(missing));
});
