import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { sndcganDiscriminator, sndcganGenerator } from '../../src/nn/architectures/sndcgan.js';
import { METHODS } from '../../src/methods/methods.js';
import { discriminatorStep, generatorStep, type GanModels, type StepOptions } from '../../src/training/gan/steps.js';
import { trainableVariables } from '../../src/training/common/variables.js';

test.before(async () => {
  await tf.setBackend('cpu');
});

const OPTIONS: StepOptions = { loss: 'hinge', rotatedBatchFraction: 1, rotationWeightD: 1, rotationWeightG: 0.2 };

// Every method of docs/ALGORITHMS.md § Methods: methods sharing a network shape (e.g. s2gan, cgan-full, cgan-few,
// cgan-kmeans, cgan-random: conditional, no extra heads) differ only in where labels come from.
const VARIANTS = Object.values(METHODS).map((method) => ({
  name: `${method.name} (${method.summary})`,
  conditional: method.conditional,
  rotation: method.rotation,
  coTraining: method.coTraining,
}));

function models(conditional: boolean, rotation: boolean, coTraining = false): GanModels {
  const numClasses = conditional ? 3 : 0;
  const common = { numClasses, width: 2, imageSize: 8, channels: 1 as const };
  return {
    generator: sndcganGenerator({ ...common, zDim: 4, seed: 1 }),
    discriminator: sndcganDiscriminator({ ...common, seed: 2, rotationHead: rotation, classifierHead: coTraining }),
    conditional,
    rotation,
    coTraining,
  };
}

/** With `unlabelled`, the second and fourth real images carry UNLABELLED (−1), as in co-training. */
function batch(seed: number, unlabelled = false) {
  return {
    realImages: tf.randomUniform([4, 8, 8, 1], -1, 1, 'float32', seed) as tf.Tensor4D,
    realLabels: tf.tensor1d(unlabelled ? [0, -1, 2, -1] : [0, 1, 2, 1], 'int32'),
    z: tf.randomNormal([4, 4], 0, 1, 'float32', seed + 1) as tf.Tensor2D,
    fakeLabels: tf.tensor1d([2, 0, 1, 0], 'int32'),
  };
}

function snapshot(variables: tf.Variable[]): Float32Array[] {
  return variables.map((v) => v.dataSync().slice() as Float32Array);
}

function changed(before: Float32Array[], variables: tf.Variable[]): boolean[] {
  return variables.map((v, i) => v.dataSync().some((x, j) => x !== before[i][j]));
}

for (const variant of VARIANTS) {
  test(`${variant.name}: D step changes only D, G step only G; losses finite; tensor count flat over 5 steps`, (t) => {
    const m = models(variant.conditional, variant.rotation, variant.coTraining);
    const dOptimizer = tf.train.adam(1e-2, 0, 0.999);
    const gOptimizer = tf.train.adam(1e-2, 0, 0.999);
    const inputs = batch(10, variant.coTraining);
    // Build the networks and the optimizers' slots before measuring.
    discriminatorStep(m, dOptimizer, inputs, OPTIONS);
    generatorStep(m, gOptimizer, inputs, OPTIONS);

    const gVars = trainableVariables(m.generator);
    const dVars = trainableVariables(m.discriminator);
    let g0 = snapshot(gVars);
    let d0 = snapshot(dVars);
    const d = discriminatorStep(m, dOptimizer, inputs, OPTIONS);
    t.true(changed(g0, gVars).every((c) => !c), 'D step leaves G untouched');
    t.true(changed(d0, dVars).some((c) => c), 'D step updates D');
    t.true(Number.isFinite(d.dLoss) && Number.isFinite(d.dLossReal) && Number.isFinite(d.dLossFake));
    t.is(Number.isNaN(d.dRotationLoss), !variant.rotation);
    t.is(Number.isNaN(d.dClassifierLoss), !variant.coTraining);
    if (variant.coTraining) t.true(d.dClassifierAccuracy >= 0 && d.dClassifierAccuracy <= 1);

    g0 = snapshot(gVars);
    d0 = snapshot(dVars);
    const g = generatorStep(m, gOptimizer, inputs, OPTIONS);
    t.true(changed(d0, dVars).every((c) => !c), 'G step leaves D untouched');
    t.true(changed(g0, gVars).some((c) => c), 'G step updates G');
    t.true(Number.isFinite(g.gLoss));
    if (variant.rotation) t.true(g.dRotationAccuracyFake >= 0 && g.dRotationAccuracyFake <= 1);

    const before = tf.memory().numTensors;
    for (let step = 0; step < 5; step++) {
      discriminatorStep(m, dOptimizer, inputs, OPTIONS);
      generatorStep(m, gOptimizer, inputs, OPTIONS);
    }
    t.is(tf.memory().numTensors, before, 'no tensor leaked over 5 steps');
    tf.dispose(Object.values(inputs));
  });
}

test('with rotation, the D loss includes w_d times the rotation loss', (t) => {
  const m = models(true, true);
  const inputs = batch(20);
  // A zero learning rate measures the loss without moving the weights.
  const frozen = tf.train.sgd(0);
  const plain = discriminatorStep(m, frozen, inputs, { ...OPTIONS, rotationWeightD: 0 });
  const weighted = discriminatorStep(m, frozen, inputs, { ...OPTIONS, rotationWeightD: 2 });
  t.true(Math.abs(plain.dLoss - (plain.dLossReal + plain.dLossFake)) < 1e-4);
  t.true(Math.abs(weighted.dLoss - (weighted.dLossReal + weighted.dLossFake + 2 * weighted.dRotationLoss)) < 1e-4);
  tf.dispose(Object.values(inputs));
});

test('co-training: the D loss adds the classifier cross-entropy over the labelled rows only', (t) => {
  const m = models(true, false, true);
  const frozen = tf.train.sgd(0);
  const inputs = batch(30, true);
  const d = discriminatorStep(m, frozen, inputs, OPTIONS);
  t.true(Math.abs(d.dLoss - (d.dLossReal + d.dLossFake + d.dClassifierLoss)) < 1e-4);
  // Independent check of the classifier term: the head's CE over rows 0 and 2 (labels 0 and 2).
  const expected = tf.tidy(() => {
    const outputs = m.discriminator.apply([inputs.realImages, tf.zeros([4, 1], 'int32')], { training: false }) as tf.Tensor[];
    const logProbs = tf.logSoftmax(outputs[1] as tf.Tensor2D).arraySync() as number[][];
    return -(logProbs[0][0] + logProbs[2][2]) / 2;
  });
  // The step's training-mode pass runs one more spectral-norm power iteration than this inference
  // pass sees, which moves σ (and so the logits) slightly: hence 1e-3, not float precision.
  t.true(Math.abs(d.dClassifierLoss - expected) < 1e-3, `${d.dClassifierLoss} vs ${expected}`);
  const doubled = discriminatorStep(m, frozen, inputs, { ...OPTIONS, classifierWeight: 2 });
  t.true(Math.abs(doubled.dLoss - (doubled.dLossReal + doubled.dLossFake + 2 * doubled.dClassifierLoss)) < 1e-4);
  tf.dispose(Object.values(inputs));
});

test('co-training: a batch with no labelled image trains the head on nothing (loss 0), not on class 0', (t) => {
  const m = models(true, false, true);
  const inputs = batch(40);
  inputs.realLabels.dispose();
  const unlabelled = { ...inputs, realLabels: tf.tensor1d([-1, -1, -1, -1], 'int32') };
  const d = discriminatorStep(m, tf.train.sgd(0), unlabelled, OPTIONS);
  t.is(d.dClassifierLoss, 0);
  t.true(Math.abs(d.dLoss - (d.dLossReal + d.dLossFake)) < 1e-5);
  tf.dispose(Object.values(unlabelled));
});
