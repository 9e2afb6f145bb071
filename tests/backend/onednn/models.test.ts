/**
 * The bench-32 networks on the onednn backend: gradients of G and D (SNDCGAN with conditional batch
 * norm, spectral norm, projection and rotation heads) match the cpu backend, and 50 training
 * iterations (discriminatorStep + generatorStep) leave the tensor count unchanged. Width 4 and
 * 16×16 images keep the cpu side fast; every kernel the full-size networks use is exercised.
 *
 * Tolerance 1e-4 relative (helpers.ts): float32 differences of ~1e-7 per kernel compound through
 * a dozen layers and the normalisations; plus 1e-7 absolute for the transposed convs' biases, whose
 * gradients are zero up to rounding because batch norm follows them.
 */
import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { loadAddon } from '../../../src/backend/onednn/index.js';
import { sndcganDiscriminator, sndcganGenerator } from '../../../src/nn/architectures/sndcgan.js';
import { WeightAverage } from '../../../src/training/gan/ema.js';
import { fusedAdam } from '../../../src/training/common/fused-adam.js';
import { discriminatorStep, generatorStep, type GanModels, type StepOptions } from '../../../src/training/gan/steps.js';
import { trainableVariables } from '../../../src/training/common/variables.js';
import { Rng } from '../../../src/util/rng.js';
import { compare, nativeTest, random, tensor } from './helpers.js';

const RTOL = 1e-4;
const ATOL = 1e-7;
const SIZE = 16;
const CLASSES = 10;
const Z_DIM = 16;
const BATCH = 16;
const STEP_OPTIONS: StepOptions = { loss: 'hinge', rotatedBatchFraction: 4, rotationWeightD: 1.0, rotationWeightG: 0.2 };

function models(): GanModels {
  const common = { numClasses: CLASSES, width: 4, imageSize: SIZE, channels: 3 } as const;
  return {
    generator: sndcganGenerator({ ...common, zDim: Z_DIM, seed: 1 }),
    discriminator: sndcganDiscriminator({ ...common, seed: 100, rotationHead: true, classifierHead: false }),
    conditional: true,
    rotation: true,
    coTraining: false,
  };
}

function labels(rng: Rng): number[] {
  return Array.from({ length: BATCH }, () => rng.int(CLASSES));
}

nativeTest('gradients of every G and D weight match cpu (bench-32 networks at width 4, 16×16)', async (t) => {
  const rng = new Rng(41);
  const m = models();
  const z = random(rng, [BATCH, Z_DIM], -2, 2);
  const x = random(rng, [BATCH, SIZE, SIZE, 3]);
  const y = labels(rng);
  const yInput = () => tf.tensor2d(y, [BATCH, 1], 'int32');
  // D in inference mode: its spectral-norm vectors stay fixed, so both backends see the same σ.
  const logits = (images: tf.Tensor) => (m.discriminator.apply([images, yInput()], { training: false }) as tf.Tensor[]);
  const generated = () => m.generator.apply([tensor(z), yInput()], { training: true }) as tf.Tensor;
  const gVars = trainableVariables(m.generator), dVars = trainableVariables(m.discriminator);

  const gLoss = () => {
    const [logit, rotation] = logits(generated());
    return tf.add(tf.neg(tf.mean(logit)), tf.mul(0.2, tf.mean(tf.square(rotation)))) as tf.Scalar;
  };
  const dLoss = () => {
    const [real] = logits(tensor(x));
    const [fake, rotation] = logits(generated());
    const hinge = tf.add(tf.mean(tf.relu(tf.sub(1, real))), tf.mean(tf.relu(tf.add(1, fake))));
    return tf.add(hinge, tf.mean(tf.square(rotation))) as tf.Scalar;
  };
  const gradients = (loss: () => tf.Scalar, vars: tf.Variable[]) => () => {
    const { value, grads } = tf.variableGrads(loss, vars);
    return [value, ...vars.map((v) => grads[v.name])];
  };
  await compare(t, gradients(gLoss, gVars), RTOL, 'G', ATOL);
  await compare(t, gradients(dLoss, dVars), RTOL, 'D', ATOL);
  await compare(t, () => m.generator.predict([tensor(z), yInput()]) as tf.Tensor, RTOL, 'G inference');
  m.generator.dispose();
  m.discriminator.dispose();
});

nativeTest('50 training iterations (fused Adam, G EMA) on onednn keep the tensor count flat and the losses finite', (t) => {
  const rng = new Rng(42);
  const m = models();
  const dOptimizer = fusedAdam(2e-4, 0, 0.999);
  const gOptimizer = fusedAdam(2e-4, 0, 0.999);
  const ema = new WeightAverage(trainableVariables(m.generator), { decay: 0.999, startStep: 0 });
  const realImages = tensor(random(rng, [BATCH, SIZE, SIZE, 3])) as tf.Tensor4D;
  const realLabels = tf.tensor1d(labels(rng), 'int32');
  const iteration = () => {
    const z = tensor(random(rng, [BATCH, Z_DIM], -2, 2)) as tf.Tensor2D;
    const fakeLabels = tf.tensor1d(labels(rng), 'int32');
    const d = discriminatorStep(m, dOptimizer, { realImages, realLabels, z, fakeLabels }, STEP_OPTIONS);
    const g = generatorStep(m, gOptimizer, { z, fakeLabels }, STEP_OPTIONS);
    ema.update(1);
    tf.dispose([z, fakeLabels]);
    return [d.dLoss, g.gLoss];
  };
  iteration(); // creates the optimizers' slots
  const before = tf.memory().numTensors;
  for (let i = 0; i < 50; i++) {
    const losses = iteration();
    if (!losses.every(Number.isFinite)) t.fail(`iteration ${i}: losses ${losses}`);
  }
  t.is(tf.memory().numTensors, before);
  tf.dispose([realImages, realLabels]);
  ema.dispose();
  dOptimizer.dispose();
  gOptimizer.dispose();
  m.generator.dispose();
  m.discriminator.dispose();
});

test('a missing addon is reported with the commands that build it', (t) => {
  const error = t.throws(() => loadAddon('/nonexistent/s3gan_onednn.node'));
  t.regex(error?.message ?? '', /apt-get install -y libdnnl-dev, then npm run build:native/);
});
