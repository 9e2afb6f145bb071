import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { buildGenerator, type ArchitectureName } from '../../src/nn/architectures/index.js';
import { exportGenerator } from '../../src/training/gan/export.js';
import { randomizeWeights } from '../fixtures.js';
import { serveDir } from '../static-server.js';
import { tempDir } from '../temp.js';

test.before(async () => {
  await tf.setBackend('cpu');
});

/**
 * A child process that imports @tensorflow/tfjs (by its resolved file URL: the script lives outside
 * the package) and nothing of s3gan, loads a model over HTTP and predicts.
 */
const PLAIN_LOADER = `
import * as tf from '${import.meta.resolve('@tensorflow/tfjs')}';
const [url, inputsJson] = process.argv.slice(2);
await tf.setBackend('cpu');
const model = await tf.loadLayersModel(url);
const { z, y } = JSON.parse(inputsJson);
const inputs = y === null ? tf.tensor2d(z) : [tf.tensor2d(z), tf.tensor2d(y, [y.length, 1], 'int32')];
process.stdout.write(JSON.stringify({ layers: model.layers.map((l) => l.getClassName()), output: Array.from(model.predict(inputs).dataSync()) }));
`;

const CASES: { name: string; architecture: ArchitectureName; numClasses: number; imageSize: number }[] = [
  { name: 'conditional sndcgan', architecture: 'sndcgan', numClasses: 3, imageSize: 8 },
  { name: 'unconditional sndcgan', architecture: 'sndcgan', numClasses: 0, imageSize: 8 },
  { name: 'conditional resnet', architecture: 'resnet', numClasses: 3, imageSize: 8 },
  { name: 'conditional dcgan', architecture: 'dcgan', numClasses: 3, imageSize: 16 },
];

for (const c of CASES) {
  test(`${c.name}: the exported generator loads in plain @tensorflow/tfjs and gives G's inference outputs`, async (t) => {
    const generator = buildGenerator(c.architecture, { zDim: 4, numClasses: c.numClasses, width: 2, imageSize: c.imageSize, channels: 1, seed: 5 });
    randomizeWeights(generator);
    const dir = path.join(tempDir('s3gan-export-'), 'generator');
    await exportGenerator(generator, dir);

    const z = [
      [0.5, -1, 0.25, 2],
      [-0.3, 0.8, 1.5, -0.7],
      [1, 1, -1, 0],
    ];
    const y = c.numClasses > 0 ? [2, 0, 1] : null;
    const expected = tf.tidy(() => {
      const zTensor = tf.tensor2d(z);
      const inputs = y === null ? zTensor : [zTensor, tf.tensor2d(y, [3, 1], 'int32')];
      return Array.from((generator.predict(inputs) as tf.Tensor).dataSync());
    });
    const script = path.join(tempDir('s3gan-export-loader-'), 'load.mjs');
    await import('node:fs/promises').then((fs) => fs.writeFile(script, PLAIN_LOADER));
    const { stdout } = await serveDir(dir, (base) =>
      promisify(execFile)(process.execPath, [script, `${base}/model.json`, JSON.stringify({ z, y })], {
        cwd: tempDir('s3gan-export-cwd-'),
      }),
    );
    const loaded = JSON.parse(stdout) as { layers: string[]; output: number[] };
    t.false(loaded.layers.includes('ConditionalBatchNorm'));
    t.is(loaded.output.length, expected.length);
    const worst = Math.max(...expected.map((v, i) => Math.abs(v - loaded.output[i])));
    t.true(worst < 1e-5, `largest difference ${worst}`);
    generator.dispose();
  });
}

test('the export directory holds the browser page, tf.min.js and generator.json with the class names', async (t) => {
  const generator = buildGenerator('sndcgan', { zDim: 4, numClasses: 3, width: 2, imageSize: 8, channels: 1, seed: 5 });
  const dir = path.join(tempDir('s3gan-export-'), 'generator');
  await exportGenerator(generator, dir, { classNames: ['cat', 'dog', 'bird'] });
  t.deepEqual(readdirSync(dir).sort(), ['generator.json', 'index.html', 'model.json', 'page.css', 'page.js', 'tf.min.js', 'weights.bin']);
  t.deepEqual(JSON.parse(readFileSync(path.join(dir, 'generator.json'), 'utf8')), {
    format: 's3gan-generator', zDim: 4, conditional: true, numClasses: 3, classNames: ['cat', 'dog', 'bird'], imageSize: 8, channels: 1,
  });
  // The page loads TensorFlow.js from its own folder: no CDN, so it works offline.
  const html = readFileSync(path.join(dir, 'index.html'), 'utf8');
  t.regex(html, /<script src="tf\.min\.js"><\/script>/);
  t.notRegex(html, /https?:/);

  const unconditional = buildGenerator('sndcgan', { zDim: 4, numClasses: 0, width: 2, imageSize: 8, channels: 3, seed: 5 });
  await exportGenerator(unconditional, dir);
  t.like(JSON.parse(readFileSync(path.join(dir, 'generator.json'), 'utf8')), { conditional: false, numClasses: 0, classNames: [], channels: 3 });
  // Unnamed classes are named by their index.
  await exportGenerator(generator, dir);
  t.deepEqual(JSON.parse(readFileSync(path.join(dir, 'generator.json'), 'utf8')).classNames, ['0', '1', '2']);
  generator.dispose();
  unconditional.dispose();
});
