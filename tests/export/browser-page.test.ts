import test, { type ExecutionContext } from 'ava';
import * as tf from '@tensorflow/tfjs';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import sharp from 'sharp';
import { buildGenerator } from '../../src/nn/architectures/index.js';
import { exportGenerator } from '../../src/training/gan/export.js';
import { s3gan, tempDir, TINY_NETWORKS } from '../cli/helpers.js';
import { randomizeWeights } from '../fixtures.js';
import { serveDir } from '../static-server.js';

/** Debian's chromium (setup.sh installs it); S3GAN_CHROMIUM points elsewhere. */
const CHROMIUM = process.env.S3GAN_CHROMIUM ?? '/usr/bin/chromium';
const HAVE_CHROMIUM = existsSync(CHROMIUM);

/** What the functions run in the page use of its DOM (the project compiles without the DOM library). */
declare const document: {
  body: { dataset: Record<string, string | undefined> };
  getElementById(id: string): { textContent: string | null } | null;
};

const TINY = [
  ...TINY_NETWORKS,
  '--set', 'gan.sampleEverySteps=0',
];

const CLASS_NAMES = ['cat', 'dog', 'bird'];

/**
 * A generator whose images vary with z and y: random weights (those of a few training steps still
 * hold their initial, tiny scale, so every sample would be the same grey), exported as training does.
 */
async function randomExport(numClasses: number): Promise<string> {
  await tf.setBackend('cpu');
  const generator = buildGenerator('sndcgan', { zDim: 8, numClasses, width: 4, imageSize: 16, channels: 3, seed: 3 });
  try {
    randomizeWeights(generator);
    const dir = path.join(tempDir('s3gan-page-'), 'generator');
    await exportGenerator(generator, dir, { classNames: numClasses > 0 ? CLASS_NAMES : undefined });
    return dir;
  } finally {
    generator.dispose();
  }
}

/** Headless Chromium as root can only run without its sandbox. */
async function launch(): Promise<Browser> {
  return puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--headless=new'] });
}

interface Drawn {
  readonly state: string;
  readonly status: string;
  readonly draws: number;
}

/** Waits until the page has finished `after` + 1 redraws (or failed), and returns where it stands. */
async function settled(page: Page, after: number): Promise<Drawn> {
  await page.waitForFunction((n: number) => document.body.dataset.state === 'error' || (document.body.dataset.state === 'ready' && Number(document.body.dataset.draws) > n), { timeout: 60_000 }, after);
  return page.evaluate(() => ({ state: document.body.dataset.state ?? '', status: document.getElementById('status')?.textContent ?? '', draws: Number(document.body.dataset.draws) }));
}

/** Clicks `selector` and waits for the redraw it causes. */
async function clickAndWait(t: ExecutionContext, page: Page, selector: string, before: Drawn): Promise<Drawn> {
  await page.click(selector);
  const after = await settled(page, before.draws);
  t.is(after.state, 'ready', after.status);
  return after;
}

/** The pixels of canvas `id` as displayed: a screenshot of the element, as greyscale [height, width]. */
async function canvasPixels(page: Page, id: string): Promise<{ data: Uint8Array; width: number; height: number }> {
  const element = await page.$(`#${id}`);
  if (element === null) throw new Error(`no #${id}`);
  const png = await element.screenshot({ type: 'png' });
  const { data, info } = await sharp(png).greyscale().raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data), width: info.width, height: info.height };
}

/** Distinct grey levels: a few for a blank canvas (background, gaps, border), many for images. */
function greyLevels(pixels: Uint8Array): number {
  return new Set(pixels).size;
}

/** Mean absolute difference of two equally sized screenshots, in grey levels. */
function meanDifference(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) throw new Error(`screenshots differ in size: ${a.length} and ${b.length} pixels`);
  return a.reduce((sum, value, i) => sum + Math.abs(value - b[i]), 0) / a.length;
}

/**
 * Opens the page of export `dir` from a local static server, on the CPU backend (the default,
 * WebGL, depends on the machine's graphics) and asserts that nothing is fetched from elsewhere and
 * no script fails.
 */
async function withPage(t: ExecutionContext, dir: string, use: (page: Page) => Promise<void>): Promise<void> {
  await serveDir(dir, async (base) => {
    const browser = await launch();
    try {
      const page = await browser.newPage();
      const foreign: string[] = [];
      const failures: string[] = [];
      page.on('request', (request) => {
        if (!request.url().startsWith(base) && !request.url().startsWith('data:')) foreign.push(request.url());
      });
      page.on('pageerror', (error) => failures.push(String(error)));
      await page.setViewport({ width: 1000, height: 1600 });
      await page.goto(`${base}/index.html?backend=cpu`);
      await use(page);
      const screenshot = path.join(tempDir('s3gan-page-shot-'), 'page.png');
      await page.screenshot({ path: screenshot, fullPage: true });
      t.log(`screenshot: ${screenshot}`);
      t.deepEqual(foreign, [], 'the page fetches only from its own folder');
      t.deepEqual(failures, []);
    } finally {
      await browser.close();
    }
  });
}

// CI installs Chromium (setup.sh): there a missing browser fails these tests rather than skipping them.
const browserTest = HAVE_CHROMIUM || process.env.CI !== undefined ? test.serial : test.skip;
const reason = HAVE_CHROMIUM ? '' : ` (skipped: no Chromium at ${CHROMIUM}; install Debian's chromium, or set S3GAN_CHROMIUM)`;

browserTest(`s3gan train writes the page beside the exported generator, and it draws a row per class${reason}`, async (t) => {
  const run = path.join(tempDir('s3gan-page-'), 'run');
  const result = s3gan(['train', '--run', run, '--method', 'cgan-full', '--steps', '2', ...TINY]);
  t.is(result.code, 0, result.stderr);
  const dir = path.join(run, 'gan/export/generator-ema');
  const info = JSON.parse(readFileSync(path.join(dir, 'generator.json'), 'utf8')) as { classNames: string[] };
  t.deepEqual(info.classNames, ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
  await withPage(t, dir, async (page) => {
    const drawn = await settled(page, 0);
    t.is(drawn.state, 'ready', drawn.status);
    t.deepEqual(await page.$$eval('#classes button', (buttons) => buttons.map((b) => b.textContent)), ['All classes', ...info.classNames]);
    // 10 rows (classes) of 8 samples, each 8×8 image shown at 64×64, with the samples drawn.
    const all = await canvasPixels(page, 'samples');
    t.true(all.height >= 10 * 64 && all.width >= 8 * 64, `${all.width}×${all.height}`);
    t.true(greyLevels(all.data) > 4, 'the samples canvas holds no images');
  });
});

browserTest(`conditional generator: class buttons, new noise and interpolation redraw the canvas${reason}`, async (t) => {
  const dir = await randomExport(CLASS_NAMES.length);
  await withPage(t, dir, async (page) => {
    let drawn = await settled(page, 0);
    t.is(drawn.state, 'ready', drawn.status);
    t.deepEqual(await page.$$eval('#classes button', (buttons) => buttons.map((b) => b.textContent)), ['All classes', ...CLASS_NAMES]);
    const all = await canvasPixels(page, 'samples');
    t.true(greyLevels(all.data) > 16, `samples canvas is blank (${greyLevels(all.data)} grey levels)`);

    drawn = await clickAndWait(t, page, 'button[data-class="0"]', drawn);
    const cat = await canvasPixels(page, 'samples');
    drawn = await clickAndWait(t, page, 'button[data-class="1"]', drawn);
    const dog = await canvasPixels(page, 'samples');
    t.true(greyLevels(cat.data) > 16 && greyLevels(dog.data) > 16);
    const classDifference = meanDifference(cat.data, dog.data);
    t.true(classDifference > 2, `classes 0 and 1 look alike (mean difference ${classDifference})`);
    // Back to class 0: the same z gives the same pixels, so the difference above is the class's.
    drawn = await clickAndWait(t, page, 'button[data-class="0"]', drawn);
    t.is(meanDifference(cat.data, (await canvasPixels(page, 'samples')).data), 0);
    t.is(await page.$eval('button[data-class="0"]', (b) => b.getAttribute('aria-pressed')), 'true');

    drawn = await clickAndWait(t, page, '#new-noise', drawn);
    t.true(meanDifference(cat.data, (await canvasPixels(page, 'samples')).data) > 2, 'new noise changed nothing');
    await checkInterpolation(t, page, drawn);
  });
});

browserTest(`unconditional generator: a grid with no class buttons${reason}`, async (t) => {
  const dir = await randomExport(0);
  await withPage(t, dir, async (page) => {
    let drawn = await settled(page, 0);
    t.is(drawn.state, 'ready', drawn.status);
    t.is(await page.$$eval('#classes button', (buttons) => buttons.length), 0);
    const grid = await canvasPixels(page, 'samples');
    t.true(grid.height >= 8 * 64 && grid.width >= 8 * 64, `${grid.width}×${grid.height}`);
    t.true(greyLevels(grid.data) > 16, `samples canvas is blank (${greyLevels(grid.data)} grey levels)`);
    drawn = await clickAndWait(t, page, '#new-noise', drawn);
    t.true(meanDifference(grid.data, (await canvasPixels(page, 'samples')).data) > 2, 'new noise changed nothing');
    await checkInterpolation(t, page, drawn);
  });
});

/** The interpolation row goes somewhere, and the slider redraws the blended image. */
async function checkInterpolation(t: ExecutionContext, page: Page, drawn: Drawn): Promise<void> {
  const row = await canvasPixels(page, 'interpolation');
  t.true(greyLevels(row.data) > 16, 'interpolation canvas is blank');
  const cell = Math.floor(row.width / 9);
  const column = (from: number) => Uint8Array.from({ length: cell * row.height }, (_, i) => row.data[Math.floor(i / cell) * row.width + from + (i % cell)]);
  t.true(meanDifference(column(0), column(row.width - cell)) > 1, 'the two ends of the interpolation look alike');

  // The slider's two ends are the row's two ends, drawn large.
  const slide = async (value: string, before: Drawn): Promise<Drawn> => {
    await page.$eval('#t', (input, to) => {
      (input as unknown as { value: string }).value = to;
      input.dispatchEvent(new Event('input'));
    }, value);
    const after = await settled(page, before.draws);
    t.is(after.state, 'ready', after.status);
    return after;
  };
  const start = await slide('0', drawn);
  t.is(await page.$eval('#t-value', (output) => output.textContent), '0.00');
  const first = await canvasPixels(page, 'blend');
  await slide('100', start);
  t.is(await page.$eval('#t-value', (output) => output.textContent), '1.00');
  t.true(meanDifference(first.data, (await canvasPixels(page, 'blend')).data) > 1, 'moving the slider changed nothing');
}
