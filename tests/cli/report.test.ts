import test from 'ava';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import puppeteer from 'puppeteer-core';
import { dirSnapshot, s3gan, tempDir } from './helpers.js';
import { writeMnistSubset } from './mnist-idx.js';

/** Debian's Chromium; the test is skipped on machines without it. */
const CHROMIUM = '/usr/bin/chromium';

const root = tempDir('s3gan-cli-report-');
const mnistDir = writeMnistSubset(path.join(root, 'mnist-small'), { train: 400, test: 200 });

/** The s3gan pipeline on 8×8 images (as run.test.ts), with sample grids and cheap evaluations every 2 steps. */
const TINY = [
  '--set', 'backend.name=cpu',
  '--set', `data.path=${mnistDir}`,
  '--set', 'data.imageSize=8',
  '--set', 'data.fit=resize',
  '--set', 'labels.perClass=4',
  '--set', 'pretrain.width=2',
  '--set', 'pretrain.batchSize=8',
  '--set', 'pretrain.steps=4',
  '--set', 'pretrain.heldOutFraction=0.05',
  '--set', 'pretrain.logEverySteps=2',
  '--set', 'pretrain.logHeldOutImages=16',
  '--set', 'pretrain.checkpointEverySteps=2',
  '--set', 'pseudoLabel.folds=2',
  '--set', 'pseudoLabel.l2Strengths=[0.01,1]',
  '--set', 'gan.method=s3gan',
  '--set', 'gan.width=2',
  '--set', 'gan.zDim=4',
  '--set', 'gan.batchSize=16',
  '--set', 'gan.steps=4',
  '--set', 'gan.logEverySteps=1',
  '--set', 'gan.sampleEverySteps=2',
  '--set', 'gan.checkpointEverySteps=2',
  '--set', 'eval.everySteps=2',
  '--set', 'eval.cheapSamples=16',
  '--set', 'eval.classifierWidth=2',
  '--set', 'eval.classifierEpochs=1',
];

/** What the page shows, read in Chromium. */
interface PageFacts {
  configKeys: string[];
  stages: string[];
  confusionRows: number;
  evaluationHeader: string[];
  images: { src: string; complete: boolean; naturalWidth: number }[];
}

const FACTS = `(() => ({
  configKeys: [...document.querySelectorAll('#config tr td:first-child')].map((td) => td.textContent),
  stages: [...document.querySelectorAll('#stages tr td:first-child')].map((td) => td.textContent),
  confusionRows: document.querySelectorAll('#confusion tr').length,
  evaluationHeader: [...document.querySelectorAll('#evaluations th')].map((th) => th.textContent),
  images: [...document.images].map((img) => ({ src: img.getAttribute('src').slice(0, 60), complete: img.complete, naturalWidth: img.naturalWidth })),
}))()`;

test.serial('training leaves curves and grids; report.html opens from disk in Chromium with its tables and every image loaded', async (t) => {
  const run = path.join(root, 'run');
  const trained = s3gan(['run', '--run', run, ...TINY]);
  t.is(trained.code, 0, trained.stderr);
  for (const file of ['gan/samples/step-00000000.png', 'gan/samples/real.png', 'gan/curves/losses.png', 'gan/curves/accuracy.png', 'gan/curves/fid.png', 'gan/curves/label-accuracy.png', 'pretrain/curves/loss.png', 'pretrain/curves/accuracy.png']) {
    t.true(existsSync(path.join(run, file)), file);
  }
  const evaluated = s3gan(['eval', '--run', run, '--ema', '--samples', '40', '--metrics', 'fid,label-accuracy']);
  t.is(evaluated.code, 0, evaluated.stderr);

  const before = dirSnapshot(run);
  const report = s3gan(['report', '--run', run]);
  t.is(report.code, 0, report.stderr);
  const page = path.join(run, 'report.html');
  t.regex(report.stdout, new RegExp(`report: ${page.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  const { 'report.html': written, ...after } = dirSnapshot(run);
  t.truthy(written);
  t.deepEqual(after, before, 'the report writes nothing but report.html');

  if (!existsSync(CHROMIUM)) {
    t.log(`${CHROMIUM} not found: the page was not opened`);
    return;
  }
  const browser = await puppeteer.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--headless=new'] });
  try {
    const tab = await browser.newPage();
    await tab.goto(pathToFileURL(page).href, { waitUntil: 'load' });
    const facts = (await tab.evaluate(FACTS)) as PageFacts;
    t.true(facts.configKeys.includes('gan.batchSize') && facts.configKeys.includes('data.imageSize'), 'the config table');
    t.deepEqual(facts.stages, ['pretrain', 'pseudo-label', 'labels', 'gan', 'eval']);
    t.is(facts.confusionRows, 11, 'a header and a row per class');
    t.true(facts.evaluationHeader.includes('fid') && facts.evaluationHeader.includes('label-accuracy'));
    // 2 pretraining curves, 4 GAN curves, the real-image grid and the grids of steps 0, 2 and 4.
    t.is(facts.images.length, 10);
    for (const image of facts.images) t.true(image.complete && image.naturalWidth > 0, `image ${image.src} loaded`);
  } finally {
    await browser.close();
  }
});

test('report refuses a directory that is not a run, naming it, and writes nothing', (t) => {
  const missing = path.join(root, 'no-such-run');
  const absent = s3gan(['report', '--run', missing]);
  t.is(absent.code, 2);
  t.regex(absent.stderr, /no-such-run.*manifest\.json does not exist: is .* a run directory\?/);
  t.false(existsSync(missing));

  const notARun = path.join(root, 'not-a-run');
  mkdirSync(notARun);
  writeFileSync(path.join(notARun, 'notes.txt'), 'hello');
  const before = dirSnapshot(notARun);
  const refused = s3gan(['report', '--run', notARun]);
  t.is(refused.code, 2);
  t.regex(refused.stderr, /not-a-run\/manifest\.json does not exist/);
  t.deepEqual(dirSnapshot(notARun), before);
});
