import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { readModelDir, writeModelDir } from '../../../src/artifacts/model-files.js';
import {
  blockChannels,
  buildRotationEncoder,
  ENCODER_ARCHITECTURES,
  ENCODER_OUTPUTS,
  splitEncoderOutputs,
  type RotationEncoderOptions,
} from '../../../src/nn/architectures/rotation-encoder.js';
import { tempDir } from '../../temp.js';
import { leakFreeTrainingCall } from './helpers.js';

test.before(async () => {
  await tf.setBackend('cpu');
});

function weights(model: tf.LayersModel): Float32Array[] {
  return model.weights.map((w) => w.read().dataSync() as Float32Array);
}

function options(overrides: Partial<RotationEncoderOptions> = {}): RotationEncoderOptions {
  return { architecture: 'convnet', width: 4, imageSize: 16, channels: 1, seed: 3, ...overrides };
}

/** Built-in tfjs layers only: no spectral norm (a classifier, not a critic) and loadable by plain tfjs. */
const BUILT_IN = new Set(['InputLayer', 'Conv2D', 'BatchNormalization', 'ReLU', 'Add', 'GlobalAveragePooling2D', 'Dense']);

// convnet: the VGG-style stack; resnet: the pre-activation residual variant.
for (const architecture of ENCODER_ARCHITECTURES) {
  for (const [imageSize, channels] of [[8, 1], [16, 3], [32, 1]] as const) {
    test(`${architecture} ${imageSize}px×${channels}: logits [B, 4] and pooled blocks [B, w·2^k], leak-free`, (t) => {
      const encoder = buildRotationEncoder(options({ architecture, imageSize, channels }));
      const x = tf.randomUniform([3, imageSize, imageSize, channels], -1, 1, 'float32', 1);
      const outputs = leakFreeTrainingCall(t, encoder, x);
      t.deepEqual(
        outputs.map((o) => o.shape),
        [[3, 4], ...blockChannels(4).map((c) => [3, c])],
      );
      t.deepEqual(blockChannels(4), [4, 8, 16, 32]);
      t.is(encoder.outputs.length, ENCODER_OUTPUTS.length);
      t.true(outputs.every((o) => o.values.every(Number.isFinite)));
      // Block k works at imageSize / 2^k pixels (blocks 1–3 halve the resolution).
      for (let k = 0; k < 4; k++) {
        const side = Math.ceil(imageSize / 2 ** k);
        const layer = encoder.getLayer(architecture === 'convnet' ? `enc_block${k}_relu2` : `enc_block${k}_add`);
        t.deepEqual(layer.outputShape, [null, side, side, 4 * 2 ** k], `block ${k}`);
      }
      t.true(encoder.layers.every((layer) => BUILT_IN.has(layer.getClassName())), encoder.layers.map((l) => l.getClassName()).join(','));
      tf.dispose(x);
      encoder.dispose();
    });
  }

  test(`${architecture}: the same seed (0 included) builds identical weights, another seed other ones`, (t) => {
    for (const seed of [0, 5]) {
      const [a, b] = [buildRotationEncoder(options({ architecture, seed })), buildRotationEncoder(options({ architecture, seed }))];
      t.deepEqual(weights(a), weights(b), `seed ${seed}`);
      const c = buildRotationEncoder(options({ architecture, seed: seed + 1 }));
      t.notDeepEqual(weights(a), weights(c));
      [a, b, c].forEach((m) => m.dispose());
    }
  });

  test(`${architecture}: writeModelDir → readModelDir gives the same weights and outputs`, async (t) => {
    const encoder = buildRotationEncoder(options({ architecture }));
    const x = tf.randomUniform([5, 16, 16, 1], -1, 1, 'float32', 2);
    // A training call moves the batch-norm statistics away from their initial values.
    tf.dispose(encoder.apply(x, { training: true }) as tf.Tensor[]);
    const dir = tempDir('s3gan-encoder-');
    await writeModelDir(dir, encoder);
    const loaded = await readModelDir(dir);
    t.deepEqual(weights(loaded), weights(encoder));
    const before = tf.memory().numTensors;
    const [expected, actual] = [encoder, loaded].map((model) =>
      tf.tidy(() => {
        const { rotationLogits, blockFeatures } = splitEncoderOutputs(model.predict(x) as tf.Tensor[]);
        return [rotationLogits, ...blockFeatures].map((o) => Array.from(o.dataSync()));
      }),
    );
    t.is(tf.memory().numTensors, before);
    t.deepEqual(actual, expected);
    t.deepEqual(loaded.outputs.length, 5);
    tf.dispose(x);
    encoder.dispose();
    loaded.dispose();
  });
}

test('resnet and convnet differ (the residual variant has a stem and shortcuts)', (t) => {
  const convnet = buildRotationEncoder(options({ architecture: 'convnet' }));
  const resnet = buildRotationEncoder(options({ architecture: 'resnet' }));
  t.notThrows(() => resnet.getLayer('enc_stem'));
  t.notThrows(() => resnet.getLayer('enc_block1_shortcut'));
  t.throws(() => resnet.getLayer('enc_block0_shortcut'), undefined, 'block 0 keeps the stem width: identity shortcut');
  t.throws(() => convnet.getLayer('enc_stem'));
  convnet.dispose();
  resnet.dispose();
});
