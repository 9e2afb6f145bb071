/**
 * The generator's inputs, drawn on the JavaScript side from the run's seeded Rng: z ~ N(0, I) by the
 * Box–Muller transform, and the requested classes y' uniformly. Drawing here (not with tf.random*)
 * puts the whole noise stream in one small state that a checkpoint saves, so a resumed run draws
 * exactly what an uninterrupted run would have.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../util/rng.js';

/** n standard normal samples. */
export function normalSamples(rng: Rng, n: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    // 1 − u keeps the logarithm's argument in (0, 1].
    const radius = Math.sqrt(-2 * Math.log(1 - rng.next()));
    const angle = 2 * Math.PI * rng.next();
    out[i] = radius * Math.cos(angle);
    if (i + 1 < n) out[i + 1] = radius * Math.sin(angle);
  }
  return out;
}

/** z [batch, zDim] float32 ~ N(0, I). */
export function sampleZ(rng: Rng, batch: number, zDim: number): tf.Tensor2D {
  return tf.tensor2d(normalSamples(rng, batch * zDim), [batch, zDim], 'float32');
}

/** y' [batch] int32, uniform over numClasses (zeros when unconditional: the models ignore them). */
export function sampleClasses(rng: Rng, batch: number, numClasses: number): tf.Tensor1D {
  const labels = Int32Array.from({ length: batch }, () => (numClasses > 0 ? rng.int(numClasses) : 0));
  return tf.tensor1d(labels, 'int32');
}

/**
 * U[0, 1) draws for a D-step penalty: one per sample ([batch]) or one per element of the real
 * images ([batch, s, s, c]); undefined when no term asks.
 */
export function sampleUniform(rng: Rng, per: 'sample' | 'pixel' | undefined, imageShape: readonly number[]): tf.Tensor | undefined {
  if (per === undefined) return undefined;
  const shape = per === 'sample' ? [imageShape[0]] : [...imageShape];
  const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < values.length; i++) values[i] = rng.next();
  return tf.tensor(values, shape, 'float32');
}
