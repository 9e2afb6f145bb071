/**
 * Shared by the fused-Adam tests on cpu (tests/training/fused-adam.test.ts) and onednn
 * (tests/backend/onednn/optim.test.ts): seeded variables of several shapes, seeded gradients per
 * step, and a run of an optimizer over them that returns every parameter and moment as arrays.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../src/util/rng.js';

/** A 4-D conv kernel, a matrix, a bias, a scalar and a size-1 vector. */
export const SHAPES: readonly number[][] = [[3, 3, 4, 5], [17, 9], [9], [], [1]];

/** The GAN's Adam (β1 0) and tfjs's defaults (β1 0.9) with a large rate, so steps are not tiny. */
export const HYPER: readonly [number, number, number][] = [
  [2e-4, 0, 0.999],
  [1e-2, 0.9, 0.999],
];

function uniform(rng: Rng, shape: readonly number[], scale: number): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Float32Array.from({ length: n }, () => scale * (2 * rng.next() - 1)), [...shape], 'float32');
}

/** Variables named `${prefix}/w${i}` with seeded values. */
export function makeVariables(prefix: string, seed: number): tf.Variable[] {
  const rng = new Rng(seed, 1);
  return SHAPES.map((shape, i) => tf.variable(uniform(rng, shape, 1), true, `${prefix}/w${i}`));
}

/**
 * Gradients for step `step`, by variable name: seeded, of magnitudes 1e-2 to 1e2; variable 2 has
 * none (null, as tfjs's map form allows) on odd steps.
 */
export function gradients(variables: readonly tf.Variable[], seed: number, step: number): Record<string, tf.Tensor | null> {
  const rng = new Rng(seed * 1000 + step, 2);
  return Object.fromEntries(variables.map((v, i) => [v.name, i === 2 && step % 2 === 1 ? null : uniform(rng, v.shape, 10 ** (i - 2))]));
}

/** Runs `steps` updates from step `from` on; disposes the gradients. */
export function train(optimizer: tf.Optimizer, variables: readonly tf.Variable[], seed: number, from: number, steps: number): void {
  for (let step = from; step < from + steps; step++) {
    const grads = gradients(variables, seed, step);
    optimizer.applyGradients(grads as tf.NamedTensorMap);
    tf.dispose(Object.values(grads).filter((g): g is tf.Tensor => g !== null));
  }
}

/** Every variable's values, then every optimizer weight's (iteration count, m's, v's), as arrays. */
export async function snapshot(optimizer: tf.Optimizer, variables: readonly tf.Variable[]): Promise<Float32Array[]> {
  const weights = await optimizer.getWeights();
  const values = [...variables, ...weights.map((w) => w.tensor)].map((t) => Float32Array.from(t.dataSync()));
  weights.filter((w) => w.name === 'iter').forEach((w) => w.tensor.dispose());
  return values;
}

/** The largest |a − b| over all arrays; Infinity when their counts or lengths differ. */
export function maxDifference(a: readonly Float32Array[], b: readonly Float32Array[]): number {
  if (a.length !== b.length) return Infinity;
  let worst = 0;
  a.forEach((x, i) => {
    if (x.length !== b[i].length) worst = Infinity;
    else x.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - b[i][j]))));
  });
  return worst;
}

/** Whether every value is bit-identical. */
export function identical(a: readonly Float32Array[], b: readonly Float32Array[]): boolean {
  return a.length === b.length && a.every((x, i) => Buffer.from(x.buffer).equals(Buffer.from(b[i].buffer)));
}
