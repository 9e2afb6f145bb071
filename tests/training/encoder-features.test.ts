import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { toNetworkInput, gatherPixels } from '../../src/data/batches.js';
import type { ImageSplit } from '../../src/data/types.js';
import { row } from '../../src/metrics/feature-matrix.js';
import { buildRotationEncoder, splitEncoderOutputs } from '../../src/nn/architectures/rotation-encoder.js';
import { encoderFeatures } from '../../src/training/pretrain/encoder-features.js';
import { UserError } from '../../src/util/errors.js';
import { Rng } from '../../src/util/rng.js';

test.before(async () => {
  await tf.setBackend('cpu');
});

/** 20 random 6×6 grey images (fitted to 8×8 by padding, as MNIST's 28 → 32). */
function tinySplit(): ImageSplit {
  const rng = new Rng(4);
  const count = 20;
  return {
    images: Uint8Array.from({ length: count * 36 }, () => rng.int(256)),
    shape: [count, 6, 6, 1],
    labels: new Int32Array(count),
    ids: Array.from({ length: count }, (_, i) => `img${i}`),
  };
}

const OPTIONS = { imageSize: 8, fit: 'pad' as const };

/** A trained-looking encoder: one training call moves its batch-norm statistics off their defaults. */
function encoder(split: ImageSplit): tf.LayersModel {
  const model = buildRotationEncoder({ architecture: 'resnet', width: 4, imageSize: 8, channels: 1, seed: 0 });
  tf.tidy(() => {
    const all = Int32Array.from({ length: 20 }, (_, i) => i);
    model.apply(toNetworkInput(split, gatherPixels(split, all), 20, 8, 'pad'), { training: true });
  });
  return model;
}

test('one matrix per block, [n, c_k], rows in the order of the indices, equal to one inference pass; no tensor left', async (t) => {
  const split = tinySplit();
  const model = encoder(split);
  const indices = Int32Array.from([7, 3, 19, 0, 3]);
  const before = tf.memory().numTensors;
  const progress: [number, number][] = [];
  const features = await encoderFeatures(model, split, indices, { ...OPTIONS, batchSize: 2, onProgress: (done, total) => progress.push([done, total]) });
  t.is(tf.memory().numTensors, before);
  t.deepEqual(features.map((f) => [f.rows, f.cols]), [[5, 4], [5, 8], [5, 16], [5, 32]]);
  t.true(features.every((f) => f.data instanceof Float64Array));
  t.deepEqual(progress, [[2, 5], [4, 5], [5, 5]]);

  // The same images in one batch, straight through the model in inference mode.
  const expected = tf.tidy(() => {
    const { blockFeatures } = splitEncoderOutputs(model.predict(toNetworkInput(split, gatherPixels(split, indices), 5, 8, 'pad')) as tf.Tensor[]);
    return blockFeatures.map((f) => Array.from(f.dataSync()));
  });
  features.forEach((f, k) => expected[k].forEach((value, i) => t.true(Math.abs(f.data[i] - value) < 1e-5, `block ${k} value ${i}`)));
  t.deepEqual(Array.from(row(features[2], 1)), Array.from(row(features[2], 4)), 'the same image gives the same row in any batch');
  model.dispose();
});

test('blocks picks and orders the matrices; a block that does not exist is a UserError', async (t) => {
  const split = tinySplit();
  const model = encoder(split);
  const indices = Int32Array.from([1, 2, 3]);
  const all = await encoderFeatures(model, split, indices, { ...OPTIONS, batchSize: 8 });
  const picked = await encoderFeatures(model, split, indices, { ...OPTIONS, batchSize: 8, blocks: [3, 1] });
  t.deepEqual(picked, [all[3], all[1]]);
  await t.throwsAsync(encoderFeatures(model, split, indices, { ...OPTIONS, batchSize: 8, blocks: [4] }), {
    instanceOf: UserError,
    message: /block 4 does not exist: the encoder has blocks 0\.\.3/,
  });
  const none = await encoderFeatures(model, split, new Int32Array(0), { ...OPTIONS, batchSize: 8, blocks: [0] });
  t.deepEqual(none.map((f) => [f.rows, f.cols]), [[0, 4]]);
  model.dispose();
});

test.serial('poolGrid 2: c_k · 4 columns per block (one cell per position below 2×2), whose cell means are the global averages', async (t) => {
  const split = tinySplit();
  const model = encoder(split);
  const indices = Int32Array.from([3, 0, 7]);
  const global = await encoderFeatures(model, split, indices, { ...OPTIONS, batchSize: 2 });
  const before = tf.memory().numTensors;
  const gridded = await encoderFeatures(model, split, indices, { ...OPTIONS, batchSize: 2, poolGrid: 2 });
  t.is(tf.memory().numTensors, before);
  // Maps of an 8×8 input: 8, 4, 2, 1 pixels per side; the last has a single cell.
  t.deepEqual(gridded.map((m) => m.cols), [4 * 4, 8 * 4, 16 * 4, 32]);
  for (let block = 0; block < 3; block++) {
    const c = global[block].cols;
    for (let i = 0; i < indices.length; i++) {
      const cells = row(gridded[block], i);
      row(global[block], i).forEach((value, channel) => {
        // Cells are flattened [cellRow, cellCol, channel]; equal-size cells average to the whole map.
        const mean = (cells[channel] + cells[c + channel] + cells[2 * c + channel] + cells[3 * c + channel]) / 4;
        t.true(Math.abs(mean - value) < 1e-5, `block ${block} image ${i} channel ${channel}: ${mean} vs ${value}`);
      });
    }
  }
  t.deepEqual(Array.from(gridded[3].data), Array.from(global[3].data));
  await t.throwsAsync(encoderFeatures(model, split, indices, { ...OPTIONS, batchSize: 2, poolGrid: 3 }), { instanceOf: UserError, message: /poolGrid 3 does not divide block 0's 8×8/ });
});
