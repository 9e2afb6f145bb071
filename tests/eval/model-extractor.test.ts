import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { writeModelDir } from '../../src/artifacts/model-files.js';
import { adaptInput, toFeatureRows } from '../../src/eval/extractor.js';
import { loadModelExtractor } from '../../src/eval/model-extractor.js';
import { UserError } from '../../src/util/errors.js';
import { tempDir } from '../temp.js';

test.before(async () => {
  await tf.setBackend('cpu');
});

/** A tiny RGB layers model [12, 12, 3] → conv 'block' [6, 6, 4] → pooled 'pool' [4] → 'out' [2]. */
function tinyModel(): tf.LayersModel {
  const input = tf.input({ shape: [12, 12, 3] });
  const block = tf.layers.conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }), name: 'block' }).apply(input) as tf.SymbolicTensor;
  const pool = tf.layers.globalAveragePooling2d({ name: 'pool' }).apply(block) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 2, kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }), name: 'out' }).apply(pool) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

async function savedModel(): Promise<{ dir: string; model: tf.LayersModel }> {
  const dir = path.join(tempDir('s3gan-extractor-'), 'model');
  mkdirSync(dir);
  const model = tinyModel();
  await writeModelDir(dir, model);
  return { dir, model };
}

test.serial('a layers model on disk reads the named layer; 4-D outputs are averaged over space', async (t) => {
  const { dir, model } = await savedModel();
  const images = tf.randomUniform([5, 8, 8, 1], -1, 1, 'float32', 3) as tf.Tensor4D;
  // What the model computes on the adapted input: 8×8 grey in [−1, 1] → 12×12 RGB in [0, 1].
  const adapted = adaptInput(images, { size: 12, channels: 3, range: '0..1' });
  const expectedPool = tf.tidy(() => tf.model({ inputs: model.inputs, outputs: model.getLayer('pool').output as tf.SymbolicTensor }).predict(adapted) as tf.Tensor2D);

  const before = tf.memory().numTensors;
  const fromPool = await loadModelExtractor({ path: dir, layer: 'pool', inputRange: '0..1' });
  t.is(fromPool.description.kind, 'layers-model');
  t.is(fromPool.description.featureDim, 4);
  t.is(fromPool.description.inputSize, 12, 'the input side comes from the model');
  t.is(fromPool.description.name, 'model.json#pool');
  t.is(fromPool.numClasses, 0);
  const pooled = tf.tidy(() => fromPool.apply(images).features);
  t.deepEqual(pooled.shape, [5, 4]);
  t.true(tf.tidy(() => tf.max(tf.abs(tf.sub(pooled, expectedPool))).arraySync() as number) < 1e-5);

  // The conv block's [6, 6, 4] output averaged over space is the same as the pooling layer's.
  const fromBlock = await loadModelExtractor({ path: path.join(dir, 'model.json'), layer: 'block', inputRange: '0..1' });
  t.is(fromBlock.description.featureDim, 4);
  t.not(fromBlock.description.id, fromPool.description.id, 'another layer is another extractor (and cache key)');
  const blockFeatures = tf.tidy(() => fromBlock.apply(images).features);
  t.true(tf.tidy(() => tf.max(tf.abs(tf.sub(blockFeatures, expectedPool))).arraySync() as number) < 1e-5);

  tf.dispose([pooled, blockFeatures]);
  fromPool.dispose();
  fromBlock.dispose();
  t.is(tf.memory().numTensors, before, 'the extractors release what they loaded');
  tf.dispose([images, adapted, expectedPool]);
  model.dispose();
});

test.serial('a missing layer name or an unknown one is a UserError naming the option', async (t) => {
  const { dir, model } = await savedModel();
  model.dispose();
  await t.throwsAsync(loadModelExtractor({ path: dir, layer: undefined, inputRange: '-1..1' }), { instanceOf: UserError, message: /eval\.extractorLayer is required/ });
  await t.throwsAsync(loadModelExtractor({ path: dir, layer: 'pool3', inputRange: '-1..1' }), { instanceOf: UserError, message: /eval\.extractorLayer 'pool3': no such layer .*its layers: .*pool/ });
  await t.throwsAsync(loadModelExtractor({ path: dir, layer: 'pool', inputSize: 16, inputRange: '-1..1' }), { instanceOf: UserError, message: /eval\.extractorInputSize 16 does not fit/ });
  await t.throwsAsync(loadModelExtractor({ path: path.join(dir, 'nothing'), layer: 'pool', inputRange: '-1..1' }), { instanceOf: UserError, message: /eval\.extractorPath/ });
});

test('input adaptation: size, channels and range', (t) => {
  const grey = tf.tensor4d([-1, 0, 1, 0.5], [1, 2, 2, 1]);
  const rgb255 = adaptInput(grey, { size: 2, channels: 3, range: '0..255' });
  t.deepEqual(rgb255.shape, [1, 2, 2, 3]);
  t.deepEqual(Array.from(rgb255.dataSync()).slice(0, 6), [0, 0, 0, 127.5, 127.5, 127.5]);
  const unit = adaptInput(grey, { size: 4, channels: 1, range: '0..1' });
  t.deepEqual(unit.shape, [1, 4, 4, 1]);
  const pooled = toFeatureRows(tf.ones([2, 3, 3, 5]));
  t.deepEqual(pooled.shape, [2, 5]);
  tf.dispose([grey, rgb255, unit, pooled]);
});
