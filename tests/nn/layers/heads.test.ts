import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { ClassifierHead, ProjectionHead, RotationHead, registerLayers } from '../../../src/nn/layers/index.js';
import { maxAbsDiff, roundTrip, topSingularValue } from './helpers.js';

test.before(async () => {
  await tf.setBackend('cpu');
});

/** The layer's weight whose name ends with `suffix`. */
function weight(layer: tf.layers.Layer, suffix: string): tf.LayerVariable {
  const found = layer.weights.find((w) => w.originalName.endsWith(suffix));
  if (found === undefined) throw new Error(`no weight ${suffix}`);
  return found;
}

const H = [
  [1, 2, -1],
  [0.5, 0, 3],
  [-2, 1, 1],
];
const KERNEL = [[0.5], [-1], [2]];
const EMBED = [
  [1, 0, 0],
  [0, 2, -1],
];

test('ProjectionHead (no SN): logit = w·h + b + <embed[y], h>, by hand', (t) => {
  const head = new ProjectionHead({ numClasses: 2, spectralNorm: false });
  const h = tf.tensor2d(H);
  const y = tf.tensor1d([1, 0, 1], 'int32');
  tf.dispose(head.apply([h, y]) as tf.Tensor);
  tf.tidy(() => {
    weight(head, 'kernel').write(tf.tensor2d(KERNEL));
    weight(head, 'bias').write(tf.tensor1d([0.25]));
    weight(head, 'embed').write(tf.tensor2d(EMBED));
  });
  const labels = [1, 0, 1];
  const expected = H.map((row, i) => {
    const dense = row.reduce((s, v, j) => s + v * KERNEL[j][0], 0.25);
    return dense + row.reduce((s, v, j) => s + v * EMBED[labels[i]][j], 0);
  });
  t.deepEqual(head.computeOutputShape([h.shape, y.shape]), [3, 1]);
  const before = tf.memory().numTensors;
  const out = head.apply([h, y], { training: true }) as tf.Tensor;
  t.deepEqual(out.shape, [3, 1]);
  Array.from(out.dataSync()).forEach((v, i) => t.true(Math.abs(v - expected[i]) < 1e-5, `row ${i}: ${v} vs ${expected[i]}`));
  out.dispose();
  t.is(tf.memory().numTensors, before, 'no tensor leaked');
  tf.dispose([h, y]);
});

test('ProjectionHead throws on an unlabelled (-1) or out-of-range label when checkLabels', (t) => {
  const head = new ProjectionHead({ numClasses: 2 });
  const h = tf.tensor2d(H);
  const good = tf.tensor1d([0, 1, 1], 'int32');
  tf.dispose(head.apply([h, good]) as tf.Tensor);
  const before = tf.memory().numTensors;
  const bad = tf.tensor1d([0, -1, 1], 'int32');
  t.throws(() => head.apply([h, bad]), { message: /labels must lie in \[0, 2\).*\[-1, 1\]/ });
  const high = tf.tensor1d([0, 2, 1], 'int32');
  t.throws(() => head.apply([h, high]), { message: /labels must lie/ });
  tf.dispose([bad, high]);
  t.is(tf.memory().numTensors, before, 'a failed call leaks nothing');
  tf.dispose([h, good]);
});

test.serial('ProjectionHead on cpu checks labels through the gather: no min/max, cast or reshape per call', async (t) => {
  const head = new ProjectionHead({ numClasses: 2 });
  const h = tf.tensor2d(H);
  const y = tf.tensor1d([0, 1, 1], 'int32');
  tf.dispose(head.apply([h, y]) as tf.Tensor);
  const profile = await tf.profile(() => tf.dispose(head.apply([h, y], { training: true }) as tf.Tensor));
  const names = profile.kernels.map((k) => k.name);
  for (const name of ['Min', 'Max', 'Pack', 'Cast', 'Reshape']) t.false(names.includes(name), `${name} in [${names}]`);
  tf.dispose([h, y]);
});

test('ProjectionHead with SN divides the embedding by its σ; unconditional form is the dense only', (t) => {
  const head = new ProjectionHead({ numClasses: 2, powerIterations: 50 });
  const h = tf.tensor2d(H);
  const y = tf.tensor1d([1, 0, 1], 'int32');
  tf.dispose(head.apply([h, y]) as tf.Tensor);
  tf.tidy(() => {
    weight(head, 'kernel').write(tf.tensor2d(KERNEL));
    weight(head, 'embed').write(tf.tensor2d(EMBED));
  });
  const before = tf.memory().numTensors;
  const out = head.apply([h, y], { training: true }) as tf.Tensor;
  const kernelNorm = Math.hypot(0.5, -1, 2);
  const embedSigma = topSingularValue(EMBED);
  const labels = [1, 0, 1];
  const expected = H.map((row, i) => {
    const dense = row.reduce((s, v, j) => s + (v * KERNEL[j][0]) / kernelNorm, 0);
    return dense + row.reduce((s, v, j) => s + (v * EMBED[labels[i]][j]) / embedSigma, 0);
  });
  Array.from(out.dataSync()).forEach((v, i) => t.true(Math.abs(v - expected[i]) < 1e-3, `row ${i}: ${v} vs ${expected[i]}`));
  out.dispose();
  t.is(tf.memory().numTensors, before, 'no tensor leaked');

  const plain = new ProjectionHead({ numClasses: 0, spectralNorm: false });
  tf.dispose(plain.apply(h) as tf.Tensor);
  t.is(plain.weights.length, 2, 'kernel and bias only: no embedding, no u without SN');
  tf.tidy(() => {
    weight(plain, 'kernel').write(tf.tensor2d(KERNEL));
  });
  const logits = plain.apply(h) as tf.Tensor;
  t.deepEqual(plain.computeOutputShape(h.shape), [3, 1]);
  const expectedPlain = H.map((row) => row.reduce((s, v, j) => s + v * KERNEL[j][0], 0));
  Array.from(logits.dataSync()).forEach((v, i) => t.true(Math.abs(v - expectedPlain[i]) < 1e-5));
  tf.dispose([logits, h, y]);
});

test('RotationHead and ClassifierHead give [B, 4] and [B, numClasses] logits', (t) => {
  const h = tf.randomNormal([5, 8], 0, 1, 'float32', 3);
  const rotation = new RotationHead({ seed: 1 });
  const classifier = new ClassifierHead({ numClasses: 10, seed: 2 });
  tf.dispose([rotation.apply(h), classifier.apply(h)] as tf.Tensor[]);
  const before = tf.memory().numTensors;
  const r = rotation.apply(h, { training: true }) as tf.Tensor;
  const c = classifier.apply(h, { training: true }) as tf.Tensor;
  t.deepEqual(r.shape, [5, 4]);
  t.deepEqual(c.shape, [5, 10]);
  t.deepEqual(rotation.computeOutputShape(h.shape), r.shape);
  t.deepEqual(classifier.computeOutputShape(h.shape), c.shape);
  t.true(tf.tidy(() => tf.max(tf.abs(r)).dataSync()[0]) > 0, 'logits are not all zero');
  tf.dispose([r, c]);
  t.is(tf.memory().numTensors, before, 'no tensor leaked');
  h.dispose();
});

test('heads survive a save/load round trip; registerLayers lists every class', async (t) => {
  t.deepEqual(registerLayers(), [
    'SNConv2D',
    'SNConv2DTranspose',
    'SNDense',
    'ConditionalBatchNorm',
    'SharedEmbeddingBatchNorm',
    'ProjectionHead',
    'RotationHead',
    'ClassifierHead',
    'GlobalSumPooling2D',
    'ProGanGeneratorBody',
    'ProGanDiscriminatorBody',
    'EqualizedProjectionHead',
  ]);
  const hIn = tf.input({ shape: [6] });
  const yIn = tf.input({ shape: [], dtype: 'int32' });
  const logit = new ProjectionHead({ numClasses: 3, seed: 5 }).apply([hIn, yIn]) as tf.SymbolicTensor;
  const rot = new RotationHead({ seed: 6 }).apply(hIn) as tf.SymbolicTensor;
  const cls = new ClassifierHead({ numClasses: 3, seed: 7 }).apply(hIn) as tf.SymbolicTensor;
  t.deepEqual([logit.shape, rot.shape, cls.shape], [
    [null, 1],
    [null, 4],
    [null, 3],
  ]);
  const model = tf.model({ inputs: [hIn, yIn], outputs: [logit, rot, cls] });
  const h = tf.randomNormal([4, 6], 0, 1, 'float32', 8);
  const y = tf.tensor1d([2, 0, 1, 2], 'int32');
  const uBefore = Array.from(weight(model.layers[2], 'embed_u').read().dataSync());
  for (let i = 0; i < 3; i++) tf.dispose(model.apply([h, y], { training: true }) as tf.Tensor[]);
  const uAfter = Array.from(weight(model.layers[2], 'embed_u').read().dataSync());
  t.notDeepEqual(uAfter, uBefore, 'training moved the embedding u');
  const loaded = await roundTrip(model);
  t.deepEqual(Array.from(weight(loaded.layers[2], 'embed_u').read().dataSync()), uAfter);
  t.is(loaded.layers[2].getConfig().numClasses, 3);
  const before = tf.memory().numTensors;
  // apply, not predict: predict expands the 1-D label input to [B, 1], which shape [] rejects.
  const a = model.apply([h, y]) as tf.Tensor[];
  const b = loaded.apply([h, y]) as tf.Tensor[];
  a.forEach((out, i) => t.true(maxAbsDiff(out, b[i]) < 1e-6, `output ${i} identical`));
  tf.dispose([...a, ...b]);
  t.is(tf.memory().numTensors, before);
  tf.dispose([h, y]);
  model.dispose();
  loaded.dispose();
});
