/**
 * The penalty terms (WGAN-GP, DRAGAN, R1, L2 on D's kernels) on a tiny smooth D whose input
 * gradient is known in closed form: D(x) = Σ w ⊙ x + ½·Σ x² per sample, so ∇_x D = w + x.
 * Each value equals a hand computation in double, and each term's gradient with respect to w (a
 * gradient of a gradient) equals central finite differences.
 */
import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { buildObjective } from '../../../../src/training/gan/objective/build.js';
import type { ForwardOutputs, TermSettings } from '../../../../src/training/gan/objective/term.js';
import { SLOPE_EPSILON } from '../../../../src/losses/penalties.js';

test.before(async () => {
  await tf.setBackend('cpu');
});

const SHAPE = [2, 2, 2, 1] as const;
const REAL = [0.5, -0.25, 1, 0, -1, 0.75, 0.25, -0.5];
const FAKE = [-0.5, 0.5, 0, 0.25, 0.5, -0.75, 1, 0];
/** D's weights w, one per pixel of a 2×2×1 image. */
const W = [0.3, -0.2, 0.1, 0.4];
const U_SAMPLE = [0.25, 0.75];
const U_PIXEL = [0.1, 0.9, 0.5, 0.3, 0.7, 0.2, 0.6, 0.4];
const SETTINGS: TermSettings = { loss: 'hinge', rotationWeightD: 1, rotationWeightG: 0.2, penaltyWeight: 10, l2Weight: 1e-4 };

/** The forward outputs a D step would give the penalty terms, with the smooth D above. */
function forward(w: tf.Tensor, uniform: number[] | undefined, weights: tf.Variable[] = [w as tf.Variable]): ForwardOutputs {
  const realImages = tf.tensor4d(REAL, [...SHAPE]);
  const fakeImages = tf.tensor4d(FAKE, [...SHAPE]);
  const perSample = uniform?.length === SHAPE[0];
  return {
    realImages,
    fakeImages,
    fakeLabels: tf.zeros([2], 'int32'),
    networks: {},
    get fake(): never {
      throw new Error('penalties do not read the fake record');
    },
    scoreAsReal: (x) => tf.sum(tf.add(tf.mul(x, tf.reshape(w, [...SHAPE].slice(1))), tf.mul(tf.square(x), 0.5)), [1, 2, 3]),
    discriminatorWeights: weights,
    uniform: uniform === undefined ? undefined : perSample ? tf.tensor1d(uniform) : tf.tensor4d(uniform, [...SHAPE]),
  };
}

/** Per-sample rows of 4 (one image of 2×2×1). */
const rows = (values: number[]): number[][] => [values.slice(0, 4), values.slice(4)];

function unitSlope(points: number[]): number {
  return rows(points).reduce((sum, row) => {
    const squares = row.reduce((s, x, i) => s + (W[i] + x) ** 2, 0);
    return sum + (Math.sqrt(SLOPE_EPSILON + squares) - 1) ** 2;
  }, 0) / rows(points).length;
}

/** The unweighted loss of the single D term `name` at w. */
function termLoss(name: string, w: tf.Tensor, uniform: number[] | undefined): tf.Scalar {
  const objective = buildObjective([name], { settings: SETTINGS });
  try {
    const [term] = objective.termsOf('discriminator');
    return term.compute(forward(w, uniform), {}).loss;
  } finally {
    objective.dispose();
  }
}

function value(name: string, uniform?: number[]): number {
  return tf.tidy(() => termLoss(name, tf.tensor1d(W), uniform).dataSync()[0]);
}

test('WGAN-GP equals the hand computation: x̂ = x + u(x̃ − x) per sample, mean (√(1e-4 + Σ g²) − 1)²', (t) => {
  const points = REAL.map((x, i) => x + U_SAMPLE[Math.floor(i / 4)] * (FAKE[i] - x));
  const expected = unitSlope(points);
  t.true(Math.abs(value('wganGp', U_SAMPLE) - expected) < 1e-6 * Math.max(1, expected), `${value('wganGp', U_SAMPLE)} vs ${expected}`);
});

test('DRAGAN equals the hand computation: reals + σ(U − 0.5), clipped to [−1, 1]', (t) => {
  const mean = REAL.reduce((a, b) => a + b, 0) / REAL.length;
  const sigma = Math.sqrt(REAL.reduce((a, b) => a + (b - mean) ** 2, 0) / REAL.length);
  const points = REAL.map((x, i) => Math.min(1, Math.max(-1, x + sigma * (U_PIXEL[i] - 0.5))));
  const expected = unitSlope(points);
  t.true(Math.abs(value('dragan', U_PIXEL) - expected) < 1e-6 * Math.max(1, expected));
});

test('R1 equals the hand computation: ½ mean Σ (∇D(x_real))²', (t) => {
  const expected = rows(REAL).reduce((sum, row) => sum + row.reduce((s, x, i) => s + (W[i] + x) ** 2, 0), 0) / 2 / 2;
  t.true(Math.abs(value('r1') - expected) < 1e-6 * expected);
});

test('L2 equals Σ w²/2 over the kernels and leaves biases out', (t) => {
  const kernel = tf.variable(tf.tensor1d([0.5, -1, 2]), true, 'penalty_test_d/kernel');
  const bias = tf.variable(tf.tensor1d([3]), true, 'penalty_test_d/bias');
  const w = tf.tensor1d(W);
  const objective = buildObjective(['l2'], { settings: SETTINGS });
  const loss = tf.tidy(() => objective.termsOf('discriminator')[0].compute(forward(w, undefined, [kernel, bias]), {}).loss.dataSync()[0]);
  t.true(Math.abs(loss - (0.25 + 1 + 4) / 2) < 1e-6);
  t.is(objective.termsOf('discriminator')[0].weight, 1e-4);
  objective.dispose();
  tf.dispose([kernel, bias, w]);
});

for (const [name, uniform] of [['wganGp', U_SAMPLE], ['dragan', U_PIXEL], ['r1', undefined]] as const) {
  test(`${name}: the gradient with respect to D's weights (a gradient of a gradient) equals finite differences`, (t) => {
    const before = tf.memory().numTensors;
    const initial = tf.tensor1d(W);
    const w = tf.variable(initial, true);
    initial.dispose();
    const { value: loss, grads } = tf.variableGrads(() => termLoss(name, w, uniform ? [...uniform] : undefined), [w]);
    const analytic = grads[w.name].dataSync();
    const h = 1e-3;
    for (let i = 0; i < 4; i++) {
      const at = (delta: number): number => tf.tidy(() => {
        const shifted = W.slice();
        shifted[i] += delta;
        return termLoss(name, tf.tensor1d(shifted), uniform ? [...uniform] : undefined).dataSync()[0];
      });
      const finite = (at(h) - at(-h)) / (2 * h);
      t.true(Math.abs(analytic[i] - finite) < 2e-3 * Math.max(1, Math.abs(finite)), `w[${i}]: ${analytic[i]} vs ${finite}`);
    }
    tf.dispose([loss, w, ...Object.values(grads)]);
    t.is(tf.memory().numTensors, before);
  });
}
