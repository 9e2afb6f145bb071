import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { labelledClassificationLoss, projectionLabels } from '../../src/losses/classification.js';
import { UNLABELLED } from '../../src/data/types.js';

// Class logits [4, 3] with labels [0, UNLABELLED, 2, 2]; row 1 is unlabelled.
//   row 0: [2, 0, 0], label 0: CE = ln(e² + 2) − 2 = ln 9.389056 − 2 = 0.239545; argmax 0 ✓
//   row 2: [0, 1, 0], label 2: CE = ln(2 + e) − 0 = ln 4.718282 = 1.551445;    argmax 1 ✗
//   row 3: [0, 0, 3], label 2: CE = ln(2 + e³) − 3 = ln 22.085537 − 3 = 0.094923; argmax 2 ✓
//   loss = (0.239545 + 1.551445 + 0.094923) / 3 = 0.628638, accuracy = 2/3, labelledCount = 3
// Read as class 0, row 1 ([9, 9, −9]) would add ln(2e⁹ + e⁻⁹) − 9 = 0.693147 and count as correct.
const LABELS = [0, UNLABELLED, 2, 2];
const LOGITS = [2, 0, 0, 9, 9, -9, 0, 1, 0, 0, 0, 3];
const EXPECTED_CE = 0.628638;

function close(t: { true(v: boolean, m?: string): void }, actual: number, expected: number, what: string): void {
  t.true(Math.abs(actual - expected) < 1e-5, `${what}: ${actual} vs ${expected}`);
}

test.before(async () => {
  await tf.setBackend('cpu');
});

test('cross-entropy and accuracy are averaged over labelled rows only', (t) => {
  const logits = tf.tensor2d(LOGITS, [4, 3]);
  const labels = tf.tensor1d(LABELS, 'int32');
  const before = tf.memory().numTensors;
  const out = labelledClassificationLoss(logits, labels);
  close(t, out.loss.dataSync()[0], EXPECTED_CE, 'loss');
  close(t, out.accuracy.dataSync()[0], 2 / 3, 'accuracy');
  t.is(out.labelledCount.dataSync()[0], 3);
  t.is(out.labelledCount.dtype, 'int32');
  tf.dispose([out.loss, out.accuracy, out.labelledCount]);
  t.is(tf.memory().numTensors, before);
  tf.dispose([logits, labels]);
});

test("an unlabelled row's logits change neither loss nor accuracy, even when not finite", (t) => {
  const before = tf.memory().numTensors;
  tf.tidy(() => {
    const labels = tf.tensor1d(LABELS, 'int32');
    for (const row1 of [[-5, 100, 7], [0, 0, 0], [NaN, Infinity, -Infinity]]) {
      const logits = tf.tensor2d([...LOGITS.slice(0, 3), ...row1, ...LOGITS.slice(6)], [4, 3]);
      const out = labelledClassificationLoss(logits, labels);
      close(t, out.loss.dataSync()[0], EXPECTED_CE, `loss with row 1 = ${row1.join(', ')}`);
      close(t, out.accuracy.dataSync()[0], 2 / 3, `accuracy with row 1 = ${row1.join(', ')}`);
    }
  });
  t.is(tf.memory().numTensors, before);
});

test('unlabelled rows get zero gradient', (t) => {
  const logits = tf.tensor2d(LOGITS, [4, 3]);
  const labels = tf.tensor1d(LABELS, 'int32');
  const before = tf.memory().numTensors;
  const grad = tf.grad((x: tf.Tensor) => labelledClassificationLoss(x as tf.Tensor2D, labels).loss)(logits);
  const values = Array.from(grad.dataSync());
  values.slice(3, 6).forEach((g, i) => t.is(Math.abs(g), 0, `row 1 column ${i}`));
  // Row 3 (label 2): (softmax([0, 0, 3]) − [0, 0, 1]) / 3, softmax = [1, 1, e³] / (2 + e³).
  const z = 2 + Math.exp(3);
  [1 / z, 1 / z, Math.exp(3) / z - 1].forEach((g, i) => close(t, values[9 + i], g / 3, `row 3 column ${i}`));
  grad.dispose();
  t.is(tf.memory().numTensors, before);
  tf.dispose([logits, labels]);
});

test('with no labelled row the loss and accuracy are 0, not NaN', (t) => {
  const before = tf.memory().numTensors;
  tf.tidy(() => {
    const out = labelledClassificationLoss(tf.tensor2d(LOGITS, [4, 3]), tf.fill([4], UNLABELLED, 'int32') as tf.Tensor1D);
    t.is(out.loss.dataSync()[0], 0);
    t.is(out.accuracy.dataSync()[0], 0);
    t.is(out.labelledCount.dataSync()[0], 0);
  });
  t.is(tf.memory().numTensors, before);
});

test('shape and dtype mismatches are rejected', (t) => {
  const before = tf.memory().numTensors;
  tf.tidy(() => {
    const logits = tf.tensor2d(LOGITS, [4, 3]);
    t.throws(() => labelledClassificationLoss(logits, tf.tensor1d([0, 1, 2], 'int32')), { message: /labels must be int32 \[4\]/ });
    t.throws(() => labelledClassificationLoss(logits, tf.tensor1d([0, 1, 2, 0])), { message: /labels must be int32/ });
    t.throws(() => projectionLabels(tf.tensor1d([0, 1, 2, 0], 'int32'), tf.zeros([4]) as unknown as tf.Tensor2D), {
      message: /classLogits must have shape \[B, K\]/,
    });
  });
  t.is(tf.memory().numTensors, before);
});

test('projectionLabels keeps known labels and fills unlabelled rows with the argmax', (t) => {
  // labels [0, −1, 2, −1]; argmax of the rows = [1, 2, 0, 1].
  //   row 0 keeps 0 (not its argmax 1), row 1 → 2, row 2 keeps 2 (not 0), row 3 → 1.
  const labels = tf.tensor1d([0, UNLABELLED, 2, UNLABELLED], 'int32');
  const logits = tf.tensor2d([0, 5, 0, 0, 0, 4, 1, 0, 0, 0, 7, 0], [4, 3]);
  const before = tf.memory().numTensors;
  const out = projectionLabels(labels, logits);
  t.is(out.dtype, 'int32');
  t.deepEqual(Array.from(out.dataSync()), [0, 2, 2, 1]);
  out.dispose();
  t.is(tf.memory().numTensors, before);
  tf.dispose([labels, logits]);
});
