import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { hingeLoss } from '../../src/losses/adversarial.js';
import {
  DEFAULT_ROTATION_WEIGHT_D,
  DEFAULT_ROTATION_WEIGHT_G,
  rotatedBatch,
  rotationLoss,
  s3ganDiscriminatorLoss,
  s3ganGeneratorLoss,
} from '../../src/losses/rotation.js';
import { rot90 } from '../../src/data/rotate.js';
import { UserError } from '../../src/util/errors.js';

// Rotation logits [3, 4] and labels [0, 2, 3]:
//   row 0: [2, 1, 0, −1], label 0: CE = ln(e² + e + 1 + e⁻¹) − 2 = ln 11.475217 − 2 = 0.440190; argmax 0 ✓
//   row 1: [0, 0, 0, 0],  label 2: CE = ln 4 = 1.386294; argmax 0 (ties → first) ✗
//   row 2: [1, 3, 0, 0],  label 3: CE = ln(e + e³ + 2) − 0 = ln 24.803819 = 3.210998; argmax 1 ✗
//   loss = (0.440190 + 1.386294 + 3.210998) / 3 = 1.679161, accuracy = 1/3
const LOGITS = [2, 1, 0, -1, 0, 0, 0, 0, 1, 3, 0, 0];
const LABELS = [0, 2, 3];
const EXPECTED_CE = 1.679161;

function close(t: { true(v: boolean, m?: string): void }, actual: number, expected: number, what: string): void {
  t.true(Math.abs(actual - expected) < 1e-5, `${what}: ${actual} vs ${expected}`);
}

test.before(async () => {
  await tf.setBackend('cpu');
});

test('rotationLoss is the mean softmax cross-entropy and the argmax accuracy', (t) => {
  const logits = tf.tensor2d(LOGITS, [3, 4]);
  const labels = tf.tensor1d(LABELS, 'int32');
  const before = tf.memory().numTensors;
  const out = rotationLoss(logits, labels);
  t.deepEqual(out.loss.shape, []);
  close(t, out.loss.dataSync()[0], EXPECTED_CE, 'loss');
  close(t, out.accuracy.dataSync()[0], 1 / 3, 'accuracy');
  tf.dispose([out.loss, out.accuracy]);
  t.is(tf.memory().numTensors, before);
  tf.dispose([logits, labels]);
});

test('rotationLoss gradient is (softmax − one-hot) / N', (t) => {
  // Row 1 has uniform logits, so its gradient is ([¼, ¼, ¼, ¼] − [0, 0, 1, 0]) / 3.
  const logits = tf.tensor2d(LOGITS, [3, 4]);
  const labels = tf.tensor1d(LABELS, 'int32');
  const before = tf.memory().numTensors;
  const grad = tf.grad((x: tf.Tensor) => rotationLoss(x as tf.Tensor2D, labels).loss)(logits);
  const row1 = Array.from(grad.dataSync()).slice(4, 8);
  [0.25, 0.25, -0.75, 0.25].forEach((g, i) => close(t, row1[i], g / 3, `row 1 column ${i}`));
  grad.dispose();
  t.is(tf.memory().numTensors, before);
  tf.dispose([logits, labels]);
});

test('rotationLoss rejects logits that are not [N, 4] and float labels', (t) => {
  const before = tf.memory().numTensors;
  tf.tidy(() => {
    t.throws(() => rotationLoss(tf.zeros([3, 3]) as tf.Tensor2D, tf.tensor1d(LABELS, 'int32')), {
      message: /rotationLogits must have shape \[N, 4\]/,
    });
    t.throws(() => rotationLoss(tf.tensor2d(LOGITS, [3, 4]), tf.tensor1d(LABELS)), {
      message: /rotationLabels must be int32/,
    });
  });
  t.is(tf.memory().numTensors, before);
});

test('rotatedBatch appends the last k images at 0°, 90°, 180°, 270° with labels in blocks', (t) => {
  // 8 images of 2×2×1 whose pixels are 10·i + (0, 1, 2, 3); fraction 2 → k = 8 / (4 · 2) = 1.
  const pixels = Array.from({ length: 8 * 4 }, (_, j) => 10 * Math.floor(j / 4) + (j % 4));
  const images = tf.tensor4d(pixels, [8, 2, 2, 1]);
  const before = tf.memory().numTensors;
  const out = rotatedBatch(images, 2);
  t.is(out.k, 1);
  t.deepEqual(out.images.shape, [12, 2, 2, 1]);
  t.deepEqual(Array.from(out.rotationLabels.dataSync()), [0, 1, 2, 3]);
  t.is(out.rotationLabels.dtype, 'int32');
  const data = Array.from(out.images.dataSync());
  t.deepEqual(data.slice(0, 32), pixels, 'the first B rows are the batch, unchanged');
  // The last image is [[70, 71], [72, 73]]; numpy.rot90 (counter-clockwise) gives:
  //   k=0 [70, 71, 72, 73], k=1 [71, 73, 70, 72], k=2 [73, 72, 71, 70], k=3 [72, 70, 73, 71]
  t.deepEqual(data.slice(32), [70, 71, 72, 73, 71, 73, 70, 72, 73, 72, 71, 70, 72, 70, 73, 71]);
  tf.tidy(() => {
    const last = images.slice([7], [1]);
    t.deepEqual(Array.from(out.images.slice([9], [1]).dataSync()), Array.from(rot90(last, 1).dataSync()));
  });
  tf.dispose([out.images, out.rotationLabels]);
  t.is(tf.memory().numTensors, before);
  images.dispose();
});

test('rotatedBatch with the bench setting: batch 64, fraction 4 → 16 extra rows', (t) => {
  const images = tf.zeros([64, 4, 4, 3]) as tf.Tensor4D;
  const before = tf.memory().numTensors;
  const out = rotatedBatch(images, 4);
  t.is(out.k, 4);
  t.deepEqual(out.images.shape, [80, 4, 4, 3]);
  t.deepEqual(Array.from(out.rotationLabels.dataSync()), [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3]);
  tf.dispose([out.images, out.rotationLabels]);
  t.is(tf.memory().numTensors, before);
  images.dispose();
});

test('rotatedBatch rejects a batch not divisible by 4 · rotatedBatchFraction', (t) => {
  const images = tf.zeros([12, 2, 2, 1]) as tf.Tensor4D;
  const before = tf.memory().numTensors;
  const error = t.throws(() => rotatedBatch(images, 2), { instanceOf: UserError });
  t.regex(error.message, /batch size 12 .* 4 · rotatedBatchFraction = 8/);
  t.throws(() => rotatedBatch(images, 0), { instanceOf: UserError, message: /positive integer/ });
  t.throws(() => rotatedBatch(images, 1.5), { instanceOf: UserError, message: /positive integer/ });
  const ok = rotatedBatch(images, 3);
  t.is(ok.k, 1, '12 = 4 · 3 is fine');
  tf.dispose([ok.images, ok.rotationLabels]);
  t.is(tf.memory().numTensors, before, 'rejected calls leak nothing');
  images.dispose();
});

test('S3GAN losses add the weighted rotation term (w_d = 1.0, w_g = 0.2 by default)', (t) => {
  t.is(DEFAULT_ROTATION_WEIGHT_D, 1.0);
  t.is(DEFAULT_ROTATION_WEIGHT_G, 0.2);
  const before = tf.memory().numTensors;
  tf.tidy(() => {
    // hinge on real = [2, 0.5, −1], fake = [−2, 0, 1.5]: dLoss = 2.5/3 + 3.5/3 = 2, gLoss = 1/6.
    const adversarial = hingeLoss({ realLogits: tf.tensor1d([2, 0.5, -1]), fakeLogits: tf.tensor1d([-2, 0, 1.5]) });
    const rotation = rotationLoss(tf.tensor2d(LOGITS, [3, 4]), tf.tensor1d(LABELS, 'int32'));
    const d = s3ganDiscriminatorLoss({ adversarial, realRotation: rotation });
    close(t, d.total.dataSync()[0], 2 + 1.0 * EXPECTED_CE, 'L_D = 2 + 1.0 · 1.679161');
    t.is(d.adversarial, adversarial.dLoss);
    t.is(d.rotation, rotation.loss);
    const g = s3ganGeneratorLoss({ adversarial, fakeRotation: rotation });
    close(t, g.total.dataSync()[0], 1 / 6 + 0.2 * EXPECTED_CE, 'L_G = 1/6 + 0.2 · 1.679161 = 0.502499');
    t.is(g.adversarial, adversarial.gLoss);
    const dHalf = s3ganDiscriminatorLoss({ adversarial, realRotation: rotation, weightD: 0.5 });
    close(t, dHalf.total.dataSync()[0], 2 + 0.5 * EXPECTED_CE, 'weightD = 0.5');
    const gNone = s3ganGeneratorLoss({ adversarial, fakeRotation: rotation, weightG: 0 });
    close(t, gNone.total.dataSync()[0], 1 / 6, 'weightG = 0 leaves the adversarial loss');
    t.throws(() => s3ganGeneratorLoss({ adversarial, fakeRotation: rotation, weightG: -1 }), {
      message: /weightG must be a finite number/,
    });
  });
  t.is(tf.memory().numTensors, before);
});
