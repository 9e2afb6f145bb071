import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { sndcganDiscriminator, sndcganGenerator } from '../../src/nn/architectures/sndcgan.js';
import { discriminatorStep, generatorStep, trainableVariables, type GanModels, type StepOptions } from '../../src/training/steps.js';

test.before(async () => {
  await tf.setBackend('cpu');
});

const OPTIONS: StepOptions = { loss: 'hinge', rotatedBatchFraction: 1, rotationWeightD: 1, rotationWeightG: 0.2 };

// Every method of the S3GAN family that this step covers: conditional × rotation.
const VARIANTS: { name: string; conditional: boolean; rotation: boolean }[] = [
  { name: 's3gan (conditional + rotation)', conditional: true, rotation: true },
  { name: 's2gan / cgan (conditional)', conditional: true, rotation: false },
  { name: 'ssgan (unconditional + rotation)', conditional: false, rotation: true },
  { name: 'gan (unconditional)', conditional: false, rotation: false },
];

function models(conditional: boolean, rotation: boolean): GanModels {
  const numClasses = conditional ? 3 : 0;
  const common = { numClasses, width: 2, imageSize: 8, channels: 1 as const };
  return {
    generator: sndcganGenerator({ ...common, zDim: 4, seed: 1 }),
    discriminator: sndcganDiscriminator({ ...common, seed: 2, rotationHead: rotation, classifierHead: false }),
    conditional,
    rotation,
  };
}

function batch(seed: number) {
  return {
    realImages: tf.randomUniform([4, 8, 8, 1], -1, 1, 'float32', seed) as tf.Tensor4D,
    realLabels: tf.tensor1d([0, 1, 2, 1], 'int32'),
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
    const m = models(variant.conditional, variant.rotation);
    const dOptimizer = tf.train.adam(1e-2, 0, 0.999);
    const gOptimizer = tf.train.adam(1e-2, 0, 0.999);
    const inputs = batch(10);
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
