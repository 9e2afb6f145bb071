import test from 'ava';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { apiExample, apiExampleWith, SETTINGS_LINE } from './readme-example.js';
import * as path from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { tempDir } from '../temp.js';
import { TINY_EVAL, tinyGan, tinyMnist } from './fixtures.js';

test("README's API example trains, samples and evaluates from code (tiny settings, cpu backend)", async (t) => {
  const cwd = tempDir('s3gan-readme-api-');
  t.regex(apiExample(), SETTINGS_LINE);
  const settings = { ...tinyGan(tinyMnist()), ...TINY_EVAL, 'gan.method': 'cgan-full', 'gan.steps': 2, 'eval.samples': 20 };
  // The only changes: the settings line, and the package imported by its path (the script lives outside the package).
  const script = apiExampleWith(settings).replace(`from 's3gan'`, `from '${import.meta.resolve('s3gan')}'`);
  writeFileSync(path.join(cwd, 'example.mjs'), script);
  const { stdout } = await promisify(execFile)(process.execPath, ['example.mjs'], { cwd });
  const lines = stdout.trim().split('\n');
  t.is(lines[0], `trained 2 steps: ${path.join(cwd, 'runs/api-mnist/gan/samples/step-00000002.png')}`);
  t.regex(lines[1], /^fid \d+\.\d{3}$/);
  t.regex(lines[2], /^label-accuracy \d\.\d{3}$/);
  t.is(lines.length, 3);
  // Eight rows of ten classes of 8×8 images, two pixels apart.
  const grid = await sharp(path.join(cwd, 'digits.png')).metadata();
  t.deepEqual([grid.width, grid.height], [10 * 8 + 11 * 2, 8 * 8 + 9 * 2]);
  const results = JSON.parse(readFileSync(path.join(cwd, 'runs/api-mnist/eval/results.json'), 'utf8')) as { generator: string; n_fake: number };
  t.deepEqual([results.generator, results.n_fake], ['generator-ema', 20]);
});
