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
