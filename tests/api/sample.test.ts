import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import * as path from 'node:path';
import { loadGenerator, sample, train, UserError, type Generator } from '../../src/index.js';
import { tempDir } from '../temp.js';
import { tinyGan, tinyMnist } from './fixtures.js';

const runDir = path.join(tempDir('s3gan-api-sample-'), 'run');

/**
 * Two steps into training, the generator's images are all but constant (N(0, 0.02) weights, batch
 * norm's moving statistics still at their start): scaled up, they vary from pixel to pixel, so that
 * equal images from equal seeds say something.
 */
function louder(generator: Generator): void {
  for (const weight of generator.model.weights) {
    if (!weight.name.includes('moving')) weight.write(tf.tidy(() => tf.mul(weight.read(), 20)));
  }
}

test.before(async () => {
  await train({ run: runDir, steps: 2, set: { ...tinyGan(tinyMnist()), 'gan.method': 'cgan-full' } });
});

test.serial('loadGenerator + sample: the same seed gives the same images, another seed others; classes are honoured', async (t) => {
  const generator = await loadGenerator(runDir, { ema: true });
  t.like(generator, { conditional: true, numClasses: 10, zDim: 4, imageSize: 8, channels: 1, step: 2 });
  t.deepEqual(generator.classNames, ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
  louder(generator);
  const tensors = tf.memory().numTensors;
  const a = sample(generator, { n: 12, seed: 5 });
  const b = sample(generator, { n: 12, seed: 5 });
  const c = sample(generator, { n: 12, seed: 6 });
  t.is(tf.memory().numTensors, tensors);
  t.deepEqual(a.shape, [12, 8, 8, 1]);
  t.is(a.pixels.length, 12 * 8 * 8);
  t.deepEqual([...a.labels], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]);
  t.true(new Set(a.pixels).size > 20);
  t.deepEqual(a.pixels, b.pixels);
  t.notDeepEqual(a.pixels, c.pixels);
  t.deepEqual([...sample(generator, { classes: 7, n: 3, seed: 5 }).labels], [7, 7, 7]);
  t.deepEqual([...sample(generator, { classes: [2, 9], seed: 5 }).labels], [2, 9]);
  t.throws(() => sample(generator, { classes: 10, n: 1 }), { instanceOf: UserError, message: /classes: 10 is not a class of this generator \(0\.\.9\)/ });
  t.throws(() => sample(generator, {}), { instanceOf: UserError, message: /^n: / });
  t.throws(() => sample(generator, { n: 0 }), { instanceOf: UserError, message: /^n: expected an integer ≥ 1/ });
  generator.dispose();
  t.is(tf.memory().numTensors, tensors - generator.model.weights.length);
});

test.serial("the export folder gives the checkpoint's generator; a directory without one is refused", async (t) => {
  const fromRun = await loadGenerator(runDir, { ema: true });
  const fromExport = await loadGenerator(path.join(runDir, 'gan/export'), { ema: true });
  const fromDir = await loadGenerator(path.join(runDir, 'gan/export/generator-ema'));
  t.like(fromExport, { conditional: true, numClasses: 10, zDim: 4, imageSize: 8, channels: 1, step: null });
  t.is(fromDir.source, fromExport.source);
  // The export rewrites conditional batch norm with built-in layers: equal up to float rounding.
  const [difference, scale] = tf.tidy(() => {
    const z = tf.randomNormal([10, 4], 0, 1, 'float32', 1);
    const y = tf.tensor2d([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [10, 1], 'int32');
    const x = fromRun.model.predict([z, y]) as tf.Tensor;
    return [tf.max(tf.abs(tf.sub(x, fromExport.model.predict([z, y]) as tf.Tensor))).dataSync()[0], tf.max(tf.abs(x)).dataSync()[0]];
  });
  t.true(scale > 0 && difference <= 1e-3 * scale, `${difference} vs ${scale}`);
  for (const g of [fromRun, fromExport, fromDir]) g.dispose();
  await t.throwsAsync(loadGenerator(tempDir('s3gan-api-empty-')), { instanceOf: UserError, message: /no generator here/ });
  await t.throwsAsync(loadGenerator(runDir, { step: 7 }), { instanceOf: UserError, message: /no step-00000007/ });
});
