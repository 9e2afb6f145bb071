import test from 'ava';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import puppeteer from 'puppeteer-core';
import { writeExperimentResults } from '../../src/experiment/results/index.js';
import { experimentReportHtml } from '../../src/experiment/results/report-page.js';
import { tempDir } from '../temp.js';
import { CONFIG_TEXT, writeFixture } from './results-fixture.js';

/** Debian's chromium (setup.sh installs it); S3GAN_CHROMIUM points elsewhere. */
const CHROMIUM = process.env.S3GAN_CHROMIUM ?? '/usr/bin/chromium';
const HAVE_CHROMIUM = existsSync(CHROMIUM);

/** What the page shows, read in Chromium. */
interface PageFacts {
  title: string;
  command: string;
  config: string;
  scripts: number;
  resultsHeader: string[];
  resultsRows: string[][];
  pseudoLabelRows: string[][];
  wallTimeRows: number;
  links: string[];
  captions: Record<string, string>;
  images: { src: string; complete: boolean; naturalWidth: number }[];
}

const FACTS = `(() => {
  const rows = (id) => [...document.querySelectorAll('#' + id + ' tr')].slice(1).map((tr) => [...tr.cells].map((td) => td.textContent));
  return {
    title: document.querySelector('h1').textContent,
    command: document.getElementById('command').textContent,
    config: document.getElementById('experiment-config').textContent,
    scripts: document.scripts.length,
    resultsHeader: [...document.querySelectorAll('#results th')].map((th) => th.textContent),
    resultsRows: rows('results'),
    pseudoLabelRows: rows('pseudo-labels'),
    wallTimeRows: rows('wall-time').length,
    links: [...document.querySelectorAll('a')].map((a) => a.href),
    captions: Object.fromEntries([...document.querySelectorAll('figure')].map((f) => [f.querySelector('img').getAttribute('src'), f.querySelector('figcaption').textContent])),
    images: [...document.images].map((img) => ({ src: img.getAttribute('src'), complete: img.complete, naturalWidth: img.naturalWidth })),
  };
})()`;

test('the page escapes every text from the results: markup in names, commands and the config stays text', async (t) => {
  const outDir = tempDir('s3gan-exp-report-');
  const results = await writeFixture(outDir);
  const html = experimentReportHtml({ ...results, name: 'a<b>&c', command: 's3gan experiment --out "x<y>"' }, { plots: [] });
  t.false(html.includes('<b>'));
  t.false(html.includes('<script'));
  t.true(html.includes('a&lt;b&gt;&amp;c'));
  t.true(html.includes('--out &quot;x&lt;y&gt;&quot;'));
  t.true(html.includes('&lt;script&gt;no script&lt;/script&gt;'));
});

// CI installs Chromium (setup.sh): there a missing browser fails this test rather than skipping it.
const browserTest = HAVE_CHROMIUM || process.env.CI !== undefined ? test.serial : test.skip;
const reason = HAVE_CHROMIUM ? '' : ` (skipped: no Chromium at ${CHROMIUM}; install Debian's chromium, or set S3GAN_CHROMIUM)`;

browserTest(`report.html opens from disk in Chromium: the tables read right and every image loads${reason}`, async (t) => {
  const outDir = tempDir('s3gan-exp-report-');
  const results = await writeFixture(outDir);
  await writeExperimentResults(outDir, results);
  const page = path.join(outDir, 'report.html');
  t.false(readFileSync(page, 'utf8').includes('http://') || readFileSync(page, 'utf8').includes('https://'), 'nothing loaded from outside');

  const browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--headless=new'] });
  try {
    const tab = await browser.newPage();
    await tab.goto(pathToFileURL(page).href, { waitUntil: 'load' });
    const facts = (await tab.evaluate(FACTS)) as PageFacts;
    t.is(facts.title, 's3gan experiment label-efficiency-test');
    t.is(facts.command, results.command);
    t.is(facts.config, CONFIG_TEXT, 'the experiment config, markup shown as text');
    t.is(facts.scripts, 0);
    t.deepEqual(facts.resultsHeader, ['method', 'labels', 'seeds (n)', 'fid ↓', 'label-accuracy ↑']);
    t.deepEqual(facts.resultsRows, [
      ['s3gan', '1 %', '2', '22 ± 2.828', '0.85 ± 0.07071'],
      ['s3gan', '5 %', '2', '16 ± 1.414', '0.92 ± 0.02828'],
      ['cgan-few', '1 %', '2', '45 ± 7.071', '0.4 ± 0.1414'],
      ['cgan-few', '5 %', '2', '33 ± 4.243', '0.62 ± 0.02828'],
      ['cgan-full', 'all labels', '2', '11.5 ± 2.121', '0.98 ± 0.01414'],
      ['gan', 'no labels', '1', '35 ± —', '—'],
    ]);
    t.deepEqual(facts.pseudoLabelRows.map((r) => r.slice(0, 3)), [
      ['1 %', '75.00 % ± 7.07 %', '2'],
      ['5 %', '91.00 % ± 1.41 %', '2'],
    ]);
    t.is(facts.wallTimeRows, results.cells.length);
    // 4 plots and one sample grid per cell.
    t.is(facts.images.length, 4 + results.cells.length);
    for (const cell of results.cells) t.true(facts.images.some((i) => decodeURIComponent(i.src) === cell.sampleGrid), `the sample grid of ${cell.id}`);
    // Each chart's caption says how to read the series it has: gan (no labels) is only on the FID chart.
    t.regex(facts.captions['plots/fid-vs-label-fraction.png'], /points at x = 1.*dashed horizontal lines/);
    t.regex(facts.captions['plots/label-accuracy-vs-label-fraction.png'], /points at x = 1/);
    t.notRegex(facts.captions['plots/label-accuracy-vs-label-fraction.png'], /dashed/);
    for (const image of facts.images) t.true(image.complete && image.naturalWidth > 0, `image ${image.src} loaded`);
    // Every link (results files, resolved configs, run directories) points at something on disk.
    const configLinks = facts.links.filter((href) => href.endsWith('/resolved-config.json'));
    t.is(configLinks.length, results.cells.length);
    for (const href of facts.links) t.true(existsSync(fileURLToPath(href)), `link ${href}`);
  } finally {
    await browser.close();
  }
});
