/**
 * ProGAN's drift term (docs/ALGORITHMS.md § ProGAN): E[D(x)²] over the real logits, weighted by
 * gan.driftWeight and added to D's terms only when that weight is > 0.
 */
import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { configSchema } from '../../../../src/config/schema.js';
import { getMethod } from '../../../../src/methods/methods.js';
import { buildObjective, methodObjective } from '../../../../src/training/gan/objective/build.js';
import type { ForwardOutputs } from '../../../../src/training/gan/objective/term.js';

test.before(async () => {
  await tf.setBackend('cpu');
});

test('the drift term is the mean squared real logit, weighted by gan.driftWeight', (t) => {
  const objective = buildObjective(['drift'], { settings: { loss: 'wasserstein', rotationWeightD: 1, rotationWeightG: 0.2, driftWeight: 0.001 } });
  const logit = tf.tensor2d([1, -2, 3], [3, 1]);
  const before = tf.memory().numTensors;
  const forward = { real: { record: { logit, features: logit } }, networks: {} } as unknown as ForwardOutputs;
  // As inside a step's optimizer.minimize: one tidy scope.
  const logs: Record<string, tf.Scalar> = {};
  const total = tf.tidy(() => objective.sum('discriminator', forward, logs, new Map()).dataSync()[0]);
  const drift = logs.dDrift.dataSync()[0];
  tf.dispose(Object.values(logs));
  t.true(Math.abs(drift - 14 / 3) < 1e-6, 'unweighted: (1 + 4 + 9) / 3');
  t.true(Math.abs(total - 0.001 * (14 / 3)) < 1e-9, 'weighted by ε = 0.001');
  t.is(tf.memory().numTensors, before);
  logit.dispose();
  objective.dispose();
});

test('gan.driftWeight > 0 adds the drift term to D, 0 leaves the objective as it was', (t) => {
  const names = (driftWeight: number) => {
    const objective = methodObjective(getMethod('gan'), configSchema.parse({ gan: { driftWeight } }).gan);
    const terms = objective.termsOf('discriminator').map((term) => term.name);
    objective.dispose();
    return terms;
  };
  t.deepEqual(names(0), names(0).filter((name) => name !== 'drift'));
  t.deepEqual(names(0.001), [...names(0), 'drift']);
});
