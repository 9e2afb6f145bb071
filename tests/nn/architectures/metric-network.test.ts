import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { metricConvCount, metricNetwork } from '../../../src/nn/architectures/metric-network.js';
import { leakFreeTrainingCall } from './helpers.js';

test.before(async () => {
  await tf.setBackend('cpu');
});

test('conv count: stride-2 convs down to a 2×2 map (28 and 32 → 4, 64 → 5 as the reference, 8 → 2)', (t) => {
  t.is(metricConvCount(28), 4);
  t.is(metricConvCount(32), 4);
  t.is(metricConvCount(64), 5);
  t.is(metricConvCount(8), 2);
  t.is(metricConvCount(3), 1);
});

for (const [imageSize, channels] of [[28, 1], [32, 3]] as const) {
  test(`${imageSize}×${imageSize}×${channels}: x → embedding [B, E] through 4×4 stride-2 convs and LeakyReLU 0.2, no normalisation; no leaks`, (t) => {
    const model = metricNetwork({ imageSize, channels, width: 4, embeddingSize: 10, seed: 5 });
    const x = tf.randomUniform([3, imageSize, imageSize, channels], -1, 1, 'float32', 1);
    const [out] = leakFreeTrainingCall(t, model, x);
    t.deepEqual(out.shape, [3, 10]);
    t.true(out.values.every(Number.isFinite));
    const names = model.layers.map((l) => l.name);
    t.deepEqual(names, ['x', 'm_conv0', 'm_lrelu0', 'm_conv1', 'm_lrelu1', 'm_conv2', 'm_lrelu2', 'm_conv3', 'm_lrelu3', 'm_flatten', 'm_embedding']);
    const convs = model.layers.filter((l) => l.name.startsWith('m_conv')).map((l) => l.getConfig());
    t.deepEqual(convs.map((c) => c.filters), [4, 8, 16, 32]);
    t.true(convs.every((c) => JSON.stringify(c.kernelSize) === '[4,4]' && JSON.stringify(c.strides) === '[2,2]'));
    t.true(model.layers.filter((l) => l.name.startsWith('m_lrelu')).every((l) => l.getConfig().alpha === 0.2));
    t.false(model.layers.some((l) => /norm/i.test(l.getClassName())));
    // The flattened 2×2×8w map feeds the embedding.
    t.deepEqual(model.getLayer('m_flatten').outputShape, [null, 2 * 2 * 32]);
    tf.dispose(x);
    model.dispose();
  });
}

test('the same seed builds the same weights; another seed others', (t) => {
  const options = { imageSize: 8, channels: 1, width: 2, embeddingSize: 3, seed: 9 } as const;
  const [a, b, c] = [metricNetwork(options), metricNetwork(options), metricNetwork({ ...options, seed: 10 })];
  const first = (m: tf.LayersModel) => Array.from(m.getLayer('m_conv0').getWeights()[0].dataSync());
  t.deepEqual(first(a), first(b));
  t.notDeepEqual(first(a), first(c));
  [a, b, c].forEach((m) => m.dispose());
});
