import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { applyDiscriminator, ARCHITECTURE_NAMES, buildDiscriminator, type ArchitectureName } from '../../../src/nn/architectures/index.js';
import { labels } from './helpers.js';

test.before(async () => {
  await tf.setBackend('cpu');
});

const SIZE = 16;
const WIDTH = 2;
const BATCH = 3;
const CLASSES = 5;

// h, the pooled last layer every head reads: SNDCGAN sum-pools 8w channels, the ResNet sum-pools
// 4w, DCGAN flattens its (s/16)² × 8w map.
const FEATURES: Record<ArchitectureName, number> = { sndcgan: 8 * WIDTH, resnet: 4 * WIDTH, dcgan: (SIZE / 16) ** 2 * 8 * WIDTH };

const HEADS = [
  { rotationHead: false, classifierHead: false },
  { rotationHead: true, classifierHead: false },
  { rotationHead: true, classifierHead: true },
  { rotationHead: false, classifierHead: true },
];

for (const architecture of ARCHITECTURE_NAMES) {
  for (const heads of HEADS) {
    test(`${architecture} ${JSON.stringify(heads)}: the record names every output, features [B, F], and changes nothing in the model`, (t) => {
      const d = buildDiscriminator(architecture, { numClasses: CLASSES, width: WIDTH, imageSize: SIZE, channels: 1, seed: 3, ...heads });
      const weightNames = d.weights.map((w) => w.name);
      const outputCount = d.outputs.length;
      const x = tf.randomUniform([BATCH, SIZE, SIZE, 1], -1, 1, 'float32', 4);
      const y = labels([0, 4, 2]);
      const direct = d.apply([x, y], { training: false }) as tf.Tensor | tf.Tensor[];
      const positional = Array.isArray(direct) ? direct : [direct];
      const before = tf.memory().numTensors;
      const record = tf.tidy(() => {
        const r = applyDiscriminator(d, [x, y], { training: false });
        return {
          logit: { shape: r.logit.shape, values: Array.from(r.logit.dataSync()) },
          rotationLogits: r.rotationLogits && { shape: r.rotationLogits.shape, values: Array.from(r.rotationLogits.dataSync()) },
          classLogits: r.classLogits && { shape: r.classLogits.shape, values: Array.from(r.classLogits.dataSync()) },
          features: r.features.shape,
        };
      });
      t.is(tf.memory().numTensors, before, 'no tensor left behind');
      t.deepEqual(record.features, [BATCH, FEATURES[architecture]]);
      t.deepEqual(record.logit.shape, [BATCH, 1]);
      t.deepEqual(record.rotationLogits?.shape, heads.rotationHead ? [BATCH, 4] : undefined);
      t.deepEqual(record.classLogits?.shape, heads.classifierHead ? [BATCH, CLASSES] : undefined);
      // The same numbers as the model's own positional outputs (logit, rotation?, class?).
      const expected = [record.logit, record.rotationLogits, record.classLogits].filter((o) => o !== undefined);
      t.deepEqual(expected.map((o) => o.values), positional.map((o) => Array.from(o.dataSync())));
      // The saved model is untouched: same outputs, same weights.
      t.is(d.outputs.length, outputCount);
      t.deepEqual(d.weights.map((w) => w.name), weightNames);
      tf.dispose([x, y, ...positional]);
    });
  }
}

test('unconditional: features are the input of the projection head (its logit is h · w + b)', (t) => {
  const d = buildDiscriminator('sndcgan', { numClasses: 0, width: WIDTH, imageSize: 8, channels: 1, seed: 5, rotationHead: false, classifierHead: false });
  const x = tf.randomUniform([2, 8, 8, 1], -1, 1, 'float32', 6);
  const record = applyDiscriminator(d, x, { training: false });
  const projection = d.getLayer('d_projection');
  const recomputed = projection.apply(record.features) as tf.Tensor;
  t.deepEqual(Array.from(recomputed.dataSync()), Array.from(record.logit.dataSync()));
  tf.dispose([x, record.logit, record.features, recomputed]);
});
