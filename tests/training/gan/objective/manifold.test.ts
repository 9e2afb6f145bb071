import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { ganSchema } from '../../../../src/config/schema.js';
import { METHODS, type MethodName } from '../../../../src/methods/methods.js';
import type { DiscriminatorRecord } from '../../../../src/nn/architectures/discriminator-record.js';
import { buildObjective, methodObjective, type ForwardOutputs, type ObjectiveTerm } from '../../../../src/training/gan/objective/index.js';
import { checkGradient, close, scalar } from '../../../losses/manifold/helpers.js';

test.before(async () => {
  await tf.setBackend('cpu');
});

/** σ = 1: k(x, y) = exp(−‖x − y‖² / 2). Batches of 2 two-dimensional features, memory of 2 batches. */
const SETTINGS = {
  loss: 'hinge' as const,
  rotationWeightD: 1,
  rotationWeightG: 0.2,
  batchSize: 2,
  manifoldBandwidth: 1,
  manifoldDecay: 0.5,
  manifoldMemoryBatches: 2,
  manifoldCentroidWeight: 2,
  manifoldRadiusWeight: 3,
  manifoldCorrelationWeight: 0.5,
};

function manifoldTerm(settings: Record<string, unknown> = {}): ObjectiveTerm {
  const [term] = buildObjective(['manifold'], { settings: { ...SETTINGS, ...settings }, featureDim: 2 }).terms;
  return term;
}

/** Forward outputs whose D records carry only the given features (the term reads nothing else). */
function forwardOf(real: tf.Tensor2D, fake: tf.Tensor2D): ForwardOutputs {
  const record = (features: tf.Tensor2D): DiscriminatorRecord => ({ logit: tf.zeros([features.shape[0], 1]), features });
  const labels = tf.zeros([2], 'int32') as tf.Tensor1D;
  return { real: { record: record(real) }, fake: { record: record(fake) }, fakeImages: tf.zeros([2, 1, 1, 1]), fakeLabels: labels, networks: {} };
}

const EMPTY = () => ({ realPoints: tf.zeros([4, 2]), realWeights: tf.zeros([4]) });

test('known answer: centroid, radius and correlation of hand-made features, through the term', (t) => {
  tf.tidy(() => {
    // Real r1 = (0, 0), r2 = (1, 0); fake f1 = (0, 0), f2 = (0, 2). Squared distances: r1r2 1,
    // f1f2 4, r1f1 0, r1f2 4, r2f1 1, r2f2 5.
    const real = tf.tensor2d([[0, 0], [1, 0]]);
    const fake = tf.tensor2d([[0, 0], [0, 2]]);
    const term = manifoldTerm();
    t.is(term.network, 'generator');
    t.true(term.readsReal);
    t.is(term.lossKey, 'gManifoldLoss');
    const result = term.compute(forwardOf(real, fake), EMPTY());
    // ‖μr − μf‖² = (1 + e^−½)/2 + (1 + e^−2)/2 − 2·(1 + e^−2 + e^−½ + e^−2.5)/4 = (1 − e^−2.5)/2.
    const centroid = (1 - Math.exp(-2.5)) / 2;
    // ‖φ(x_i) − μ‖² = 1 − 2⟨φ(x_i), μ⟩ + ‖μ‖² = (1 − k12)/2 for both points of a pair: R = √((1 − k12)/2).
    const radius = (Math.sqrt((1 - Math.exp(-0.5)) / 2) - Math.sqrt((1 - Math.exp(-2)) / 2)) ** 2;
    // Real varies along x only, fake along y only: the correlation matrices are diag(1, 0) and diag(0, 1).
    const correlation = 0.5;
    const metrics = result.metrics!;
    close(t, scalar(metrics.manifoldCentroid), centroid, 'centroid');
    close(t, scalar(metrics.manifoldRadius), radius, 'radius');
    close(t, scalar(metrics.manifoldCorrelation), correlation, 'correlation', 1e-4);
    close(t, scalar(metrics.manifoldSquaredBandwidth), 1, 'σ²');
    close(t, scalar(result.loss), 2 * centroid + 3 * radius + 0.5 * correlation, 'total = 2·centroid + 3·radius + ½·correlation', 1e-4);

    // The memory takes the batch in front at weight (1 − ½)/2 per point; the empty slots stay at 0.
    const next = result.nextState!;
    t.deepEqual(next.realPoints.arraySync(), [[0, 0], [1, 0], [0, 0], [0, 0]]);
    t.deepEqual(next.realWeights.arraySync(), [0.25, 0.25, 0, 0]);

    // Next step, the real batch equals the fakes; the memory still holds r1, r2 at half the weight:
    // μ_real = ⅔ μf + ⅓ μr, so ‖μ_real − μf‖² = (1/9)·(1 − e^−2.5)/2 (0 without the memory).
    const second = term.compute(forwardOf(fake, fake), next);
    close(t, scalar(second.metrics!.manifoldCentroid), centroid / 9, 'centroid with the moving average');
    t.deepEqual(second.nextState!.realWeights.arraySync(), [0.25, 0.25, 0.125, 0.125]);
    t.deepEqual(second.nextState!.realPoints.arraySync(), [[0, 0], [0, 2], [0, 0], [1, 0]]);
  });
});

test('the median bandwidth is half the median squared distance over both batches', (t) => {
  tf.tidy(() => {
    const real = tf.tensor2d([[0, 0], [1, 0]]);
    const fake = tf.tensor2d([[0, 0], [0, 2]]);
    // Pairs of {r1, r2, f1, f2}: 1, 0, 4, 1, 5, 4 → median (1 + 4)/2 = 2.5, σ² = 1.25.
    const result = manifoldTerm({ manifoldBandwidth: 'median' }).compute(forwardOf(real, fake), EMPTY());
    close(t, scalar(result.metrics!.manifoldSquaredBandwidth), 1.25, 'σ²');
  });
});

test("the gradient reaches the fake features (matching finite differences) and never the real ones", (t) => {
  const term = manifoldTerm();
  const real = tf.tensor2d([[0.1, -0.3], [0.8, 0.2]]);
  const fake = tf.tensor2d([[0.4, 0.5], [-0.2, 0.9]]);
  const memory = { realPoints: tf.tensor2d([[0, 0], [0, 0], [0.5, 0.5], [-0.5, 0.1]]), realWeights: tf.tensor1d([0, 0, 0.125, 0.125]) };
  checkGradient(t, (x) => term.compute(forwardOf(real, x), memory).loss, fake, 'manifold term w.r.t. fake features');
  for (const bandwidth of [1, 'median'] as const) {
    const withBandwidth = manifoldTerm({ manifoldBandwidth: bandwidth });
    const realGradient = tf.tidy(() => tf.grad((x: tf.Tensor) => withBandwidth.compute(forwardOf(x as tf.Tensor2D, fake), memory).loss)(real).arraySync());
    t.deepEqual(realGradient, [[0, 0], [0, 0]], `σ = ${bandwidth}: the real features are constants`);
  }
  tf.dispose([real, fake, memory.realPoints, memory.realWeights]);
});

test('gan.manifoldWeight 0 leaves every other method its old objective; > 0 appends the term to G with that weight', (t) => {
  const show = (method: MethodName, overrides: Record<string, unknown> = {}) => {
    const objective = methodObjective(METHODS[method], ganSchema.parse(overrides));
    const terms = (network: 'discriminator' | 'generator') => objective.termsOf(network).map((term) => `${term.name}×${term.weight}`);
    const shown = { d: terms('discriminator'), g: terms('generator'), readsReal: objective.generatorReadsReal, state: Object.keys(objective.stateTensors()) };
    objective.dispose();
    return shown;
  };
  for (const method of Object.keys(METHODS) as MethodName[]) {
    if (method === 'mmgan') continue;
    const old = buildObjective(METHODS[method].objective, { settings: ganSchema.parse({}) });
    t.deepEqual(show(method), { d: old.termsOf('discriminator').map((term) => `${term.name}×${term.weight}`), g: old.termsOf('generator').map((term) => `${term.name}×${term.weight}`), readsReal: old.generatorReadsReal, state: [] }, method);
    t.false(show(method).g.some((term) => term.startsWith('manifold×')), method);
    old.dispose();
  }
  t.deepEqual(show('s3gan', { manifoldWeight: 0.3 }), {
    d: ['adversarial×1', 'rotation×1'],
    g: ['adversarial×1', 'rotation×0.2', 'manifold×0.3'],
    readsReal: true,
    state: ['generator/manifold/realPoints', 'generator/manifold/realWeights'],
  });
  t.deepEqual(show('mmgan').g, ['manifold×1'], 'mmgan: the manifold term alone, weight 1');
  t.deepEqual(show('mmgan').d, ['adversarial×1'], "mmgan: D's usual adversarial loss");
  t.deepEqual(show('mmgan', { manifoldWeight: 0.5 }).g, ['manifold×0.5']);
});

test('the memory is sized by D\'s features and the batch; other shapes are refused', (t) => {
  const objective = buildObjective(['manifold'], { settings: { ...SETTINGS, batchSize: 3, manifoldMemoryBatches: 5 }, featureDim: 7 });
  t.deepEqual(
    Object.fromEntries(Object.entries(objective.stateTensors()).map(([key, value]) => [key, value.shape])),
    { 'generator/manifold/realPoints': [15, 7], 'generator/manifold/realWeights': [15] },
  );
  objective.dispose();
  tf.tidy(() => {
    const features = tf.zeros([2, 3]) as tf.Tensor2D;
    t.throws(() => manifoldTerm().compute(forwardOf(features, features), EMPTY()), { message: /memory holds batches of \[2, 2\] features, got \[2, 3\]/ });
  });
});
