/**
 * The fused Adam on the cpu backend against tfjs's AdamOptimizer: the same numbers (bit for bit,
 * hence within the 1e-6 the optimizer promises), the same checkpoint bytes, exact resume from its
 * own checkpoints and from tfjs Adam's, one kernel call per variable, and no leaked tensors.
 */
import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { ADAM_UPDATE, registerFusedCpuKernels } from '../../src/backend/fused-updates.js';
import { fusedAdam } from '../../src/training/common/fused-adam.js';
import { loadOptimizerState, saveOptimizerState } from '../../src/training/common/optimizer-state.js';
import { HYPER, identical, makeVariables, maxDifference, snapshot, SHAPES, train } from './adam-cases.js';

test.before(async () => {
  await tf.setBackend('cpu');
});

let runs = 0;
/** A fresh variable prefix per use: tfjs variable names are global. */
const prefix = (label: string) => `${label}${runs++}`;

test.serial('the fused Adam equals tfjs Adam over 20 steps, bit for bit', async (t) => {
  for (const [learningRate, beta1, beta2] of HYPER) {
    const reference = makeVariables(prefix('ref'), 7);
    const fused = makeVariables(prefix('fused'), 7);
    const tfjsAdam = tf.train.adam(learningRate, beta1, beta2);
    const fusedOptimizer = fusedAdam(learningRate, beta1, beta2);
    train(tfjsAdam, reference, 3, 0, 20);
    train(fusedOptimizer, fused, 3, 0, 20);
    const expected = await snapshot(tfjsAdam, reference);
    const actual = await snapshot(fusedOptimizer, fused);
    t.true(maxDifference(actual, expected) <= 1e-6, `lr ${learningRate} β1 ${beta1}: max difference ${maxDifference(actual, expected)}`);
    t.true(identical(actual, expected), `lr ${learningRate} β1 ${beta1}: not bit-identical`);
    tf.dispose([...reference, ...fused]);
    tfjsAdam.dispose();
    fusedOptimizer.dispose();
  }
});

test.serial('one fused kernel call per variable with a gradient, and far fewer kernel calls than tfjs Adam', async (t) => {
  const count = async (optimizer: tf.Optimizer, variables: tf.Variable[]) => {
    train(optimizer, variables, 5, 0, 2); // slots exist from here on
    const profile = await tf.profile(() => train(optimizer, variables, 5, 2, 1));
    return profile.kernels.map((k) => k.name);
  };
  const fusedVariables = makeVariables(prefix('count'), 1);
  const fused = await count(fusedAdam(1e-3, 0, 0.999), fusedVariables);
  t.is(fused.filter((name) => name === ADAM_UPDATE).length, SHAPES.length);
  const tfjsVariables = makeVariables(prefix('count'), 1);
  const composed = await count(tf.train.adam(1e-3, 0, 0.999), tfjsVariables);
  t.is(composed.filter((name) => name === ADAM_UPDATE).length, 0);
  // tfjs: 12 kernels per variable (4 Multiply, 3 Add, 3 RealDiv, Square, Sqrt) + 4 for β^t; fused: 1 + 4.
  t.true(fused.length <= SHAPES.length + 4, `fused: ${fused.length} kernel calls`);
  t.true(composed.length >= 12 * SHAPES.length, `tfjs: ${composed.length} kernel calls`);
  tf.dispose([...fusedVariables, ...tfjsVariables]);
});

test.serial('checkpoints: the same bytes as tfjs Adam, exact resume from its own and from tfjs Adam checkpoints', async (t) => {
  const [learningRate, beta1, beta2] = HYPER[1];
  // Uninterrupted: 10 steps, checkpoint, 10 more, with each optimizer.
  const refVariables = makeVariables(prefix('ref'), 11);
  const fusedVariables = makeVariables(prefix('fused'), 11);
  const tfjsAdam = tf.train.adam(learningRate, beta1, beta2);
  const fused = fusedAdam(learningRate, beta1, beta2);
  train(tfjsAdam, refVariables, 9, 0, 10);
  train(fused, fusedVariables, 9, 0, 10);
  const refState = await saveOptimizerState(tfjsAdam);
  const fusedState = await saveOptimizerState(fused);
  const names = (state: typeof refState, from: string) => state.specs.map((s) => ({ ...s, name: s.name.replace(from, '') }));
  t.deepEqual(names(fusedState, fusedVariables[0].name.split('/')[0]), names(refState, refVariables[0].name.split('/')[0]), 'same weight specs');
  t.true(Buffer.from(fusedState.data).equals(Buffer.from(refState.data)), 'same weight bytes');
  const halfway = (await snapshot(fused, fusedVariables)).slice(0, SHAPES.length);
  train(tfjsAdam, refVariables, 9, 10, 10);
  train(fused, fusedVariables, 9, 10, 10);
  const uninterrupted = await snapshot(fused, fusedVariables);

  // Resumed: fresh variables at the checkpointed values and a fresh fused optimizer, from either checkpoint.
  for (const [label, state] of [['fused checkpoint', fusedState], ['tfjs Adam checkpoint', refState]] as const) {
    const resumedVariables = makeVariables(prefix('resumed'), 11);
    resumedVariables.forEach((v, i) => v.assign(tf.tensor(halfway[i], v.shape)));
    const resumed = fusedAdam(learningRate, beta1, beta2);
    await loadOptimizerState(resumed, state);
    train(resumed, resumedVariables, 9, 10, 10);
    t.true(identical(await snapshot(resumed, resumedVariables), uninterrupted), `${label}: resume is not bit-identical`);
    tf.dispose(resumedVariables);
    resumed.dispose();
  }
  t.true(identical(await snapshot(tfjsAdam, refVariables), uninterrupted), 'tfjs Adam after 20 steps');
  tf.dispose([...refVariables, ...fusedVariables]);
  tfjsAdam.dispose();
  fused.dispose();
});

test.serial('the tensor count stays flat over 50 updates', (t) => {
  const variables = makeVariables(prefix('flat'), 2);
  const optimizer = fusedAdam(1e-3, 0, 0.999);
  train(optimizer, variables, 4, 0, 1);
  const before = tf.memory().numTensors;
  train(optimizer, variables, 4, 1, 50);
  t.is(tf.memory().numTensors, before);
  tf.dispose(variables);
  optimizer.dispose();
});

test.serial('without the fused kernel it runs tfjs Adam itself, with the same numbers', async (t) => {
  const reference = makeVariables(prefix('ref'), 13);
  const fallback = makeVariables(prefix('fallback'), 13);
  const tfjsAdam = tf.train.adam(1e-2, 0.9, 0.999);
  const optimizer = fusedAdam(1e-2, 0.9, 0.999);
  tf.unregisterKernel(ADAM_UPDATE, 'cpu');
  try {
    train(optimizer, fallback, 6, 0, 3);
    const profile = await tf.profile(() => train(optimizer, fallback, 6, 3, 1));
    t.true(profile.kernels.some((k) => k.name === tf.RealDiv) && !profile.kernels.some((k) => k.name === ADAM_UPDATE), 'composed ops ran');
  } finally {
    registerFusedCpuKernels();
  }
  train(tfjsAdam, reference, 6, 0, 4);
  t.true(identical(await snapshot(optimizer, fallback), await snapshot(tfjsAdam, reference)));
  tf.dispose([...reference, ...fallback]);
  tfjsAdam.dispose();
  optimizer.dispose();
});
