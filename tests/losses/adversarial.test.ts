import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import {
  ADVERSARIAL_LOSSES,
  adversarialLoss,
  getAdversarialLoss,
  hingeLoss,
  type AdversarialLoss,
  type AdversarialLossName,
} from '../../src/losses/adversarial.js';
import { UserError } from '../../src/util/errors.js';

// Fixed logits shared by every case: real = [2, 0.5, −1], fake = [−2, 0, 1.5] (B = B' = 3).
const REAL = [2, 0.5, -1];
const FAKE = [-2, 0, 1.5];

// Hand-computed expectations, one entry per Compare GAN loss.
const EXPECTED: Record<AdversarialLossName, { dLossReal: number; dLossFake: number; gLoss: number }> = {
  // hinge:
  //   dLossReal = mean(relu(1 − 2), relu(1 − 0.5), relu(1 + 1)) = (0 + 0.5 + 2) / 3 = 0.833333
  //   dLossFake = mean(relu(1 − 2), relu(1 + 0), relu(1 + 1.5)) = (0 + 1 + 2.5) / 3 = 1.166667
  //   gLoss = −mean(−2, 0, 1.5) = −(−0.5 / 3) = 0.166667
  hinge: { dLossReal: 2.5 / 3, dLossFake: 3.5 / 3, gLoss: 0.5 / 3 },
  // non-saturating, softplus(x) = ln(1 + eˣ):
  //   softplus(−2) = 0.126928, softplus(−0.5) = 0.474077, softplus(1) = 1.313262
  //   softplus(0) = 0.693147, softplus(1.5) = 1.701413, softplus(2) = 2.126928, softplus(−1.5) = 0.201413
  //   dLossReal = mean(softplus(−2), softplus(−0.5), softplus(1)) = 1.914267 / 3 = 0.638089
  //   dLossFake = mean(softplus(−2), softplus(0), softplus(1.5)) = 2.521488 / 3 = 0.840496
  //   gLoss = mean(softplus(2), softplus(0), softplus(−1.5)) = 3.021488 / 3 = 1.007163
  'non-saturating': { dLossReal: 0.638089, dLossFake: 0.840496, gLoss: 1.007163 },
  // wasserstein:
  //   dLossReal = −mean(2, 0.5, −1) = −0.5; dLossFake = mean(−2, 0, 1.5) = −0.166667
  //   gLoss = −mean(fake) = 0.166667
  wasserstein: { dLossReal: -0.5, dLossFake: -0.5 / 3, gLoss: 0.5 / 3 },
  // least-squares on σ(logit) (Compare GAN):
  //   σ(real) = 0.880797, 0.622459, 0.268941 → (σ − 1)² = 0.014209, 0.142537, 0.534447
  //     dLossReal = ½ · 0.691193 / 3 = 0.115199
  //   σ(fake) = 0.119203, 0.5, 0.817574 → σ² = 0.014209, 0.25, 0.668428
  //     dLossFake = ½ · 0.932637 / 3 = 0.155440
  //   (σ(fake) − 1)² = 0.775803, 0.25, 0.033279 → gLoss = ½ · 1.059082 / 3 = 0.176514
  'least-squares': { dLossReal: 0.115199, dLossFake: 0.15544, gLoss: 0.176514 },
};

function scalar(x: tf.Tensor): number {
  return x.dataSync()[0];
}

function close(t: { true(v: boolean, m?: string): void }, actual: number, expected: number, what: string): void {
  t.true(Math.abs(actual - expected) < 1e-5, `${what}: ${actual} vs ${expected}`);
}

test.before(async () => {
  await tf.setBackend('cpu');
});

test('the registry holds exactly the four Compare GAN losses', (t) => {
  t.deepEqual(Object.keys(ADVERSARIAL_LOSSES).sort(), ['hinge', 'least-squares', 'non-saturating', 'wasserstein']);
  t.is(getAdversarialLoss('hinge'), hingeLoss);
});

test('an unknown loss name is a UserError that lists the known names', (t) => {
  const error = t.throws(() => getAdversarialLoss('hinged'), { instanceOf: UserError });
  t.regex(error.message, /unknown adversarial loss 'hinged'/);
  for (const name of Object.keys(ADVERSARIAL_LOSSES)) t.true(error.message.includes(name), name);
  t.throws(() => getAdversarialLoss('toString'), { instanceOf: UserError }, 'prototype keys are not losses');
});

for (const name of Object.keys(EXPECTED) as AdversarialLossName[]) {
  for (const shape of ['[B]', '[B, 1]'] as const) {
    test(`${name} matches the hand-computed values for ${shape} logits`, (t) => {
      const real = shape === '[B]' ? tf.tensor1d(REAL) : tf.tensor2d(REAL, [3, 1]);
      const fake = shape === '[B]' ? tf.tensor1d(FAKE) : tf.tensor2d(FAKE, [3, 1]);
      const before = tf.memory().numTensors;
      const out: AdversarialLoss = adversarialLoss(name, { realLogits: real, fakeLogits: fake });
      const expected = EXPECTED[name];
      for (const key of ['dLossReal', 'dLossFake', 'gLoss'] as const) {
        t.deepEqual(out[key].shape, [], `${key} is a scalar`);
        close(t, scalar(out[key]), expected[key], `${name} ${key}`);
      }
      close(t, scalar(out.dLoss), expected.dLossReal + expected.dLossFake, `${name} dLoss`);
      tf.dispose(out as unknown as tf.TensorContainer);
      t.is(tf.memory().numTensors, before, 'only the four outputs were allocated');
      tf.dispose([real, fake]);
    });
  }
}

test('real and fake batches may differ in size', (t) => {
  // hinge with real = [2, 0.5, −1] and fake = [−0.5, 3]:
  //   dLossFake = mean(relu(0.5), relu(4)) = 2.25, gLoss = −mean(−0.5, 3) = −1.25
  const before = tf.memory().numTensors;
  tf.tidy(() => {
    const out = hingeLoss({ realLogits: tf.tensor1d(REAL), fakeLogits: tf.tensor2d([-0.5, 3], [2, 1]) });
    close(t, scalar(out.dLossReal), 2.5 / 3, 'dLossReal');
    close(t, scalar(out.dLossFake), 2.25, 'dLossFake');
    close(t, scalar(out.gLoss), -1.25, 'gLoss');
  });
  t.is(tf.memory().numTensors, before);
});

test('logits of another shape are rejected', (t) => {
  const before = tf.memory().numTensors;
  const wide = tf.zeros([3, 2]);
  const real = tf.tensor1d(REAL);
  t.throws(() => hingeLoss({ realLogits: real, fakeLogits: wide }), { message: /fakeLogits must have shape/ });
  t.throws(() => hingeLoss({ realLogits: wide, fakeLogits: real }), { message: /realLogits must have shape/ });
  tf.dispose([wide, real]);
  t.is(tf.memory().numTensors, before, 'a rejected call leaks nothing');
});

test('the hinge generator gradient is −1/B per fake logit', (t) => {
  const fake = tf.tensor1d(FAKE);
  const real = tf.tensor1d(REAL);
  const before = tf.memory().numTensors;
  const grad = tf.grad((f: tf.Tensor) => hingeLoss({ realLogits: real, fakeLogits: f }).gLoss)(fake);
  t.deepEqual(grad.shape, [3]);
  for (const g of grad.dataSync()) close(t, g, -1 / 3, 'd gLoss / d fake');
  grad.dispose();
  t.is(tf.memory().numTensors, before, 'tf.grad left only its result, now disposed');
  tf.dispose([fake, real]);
});

test('the hinge discriminator gradient is zero where the margin is met', (t) => {
  // d dLossReal / d real = −[1 − real > 0] / B = [0 (2 ≥ 1), −1/3, −1/3].
  const real = tf.tensor1d(REAL);
  const fake = tf.tensor1d(FAKE);
  const before = tf.memory().numTensors;
  const grad = tf.grad((r: tf.Tensor) => hingeLoss({ realLogits: r, fakeLogits: fake }).dLoss)(real);
  const values = Array.from(grad.dataSync());
  [0, -1 / 3, -1 / 3].forEach((expected, i) => close(t, values[i], expected, `row ${i}`));
  grad.dispose();
  t.is(tf.memory().numTensors, before);
  tf.dispose([real, fake]);
});
