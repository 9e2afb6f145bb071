/**
 * Seeded weight initialisers. tfjs's random initialisers treat a falsy seed (0) as "no seed" and draw
 * from Math.random, so a run with `seed: 0` (the default) would start from different weights every
 * time; seeds are therefore shifted by one before they reach tfjs.
 */
import * as tf from '@tensorflow/tfjs';

/** N(0, stddev²), reproducible for every seed ≥ 0. */
export function seededNormal(stddev: number, seed: number): ReturnType<typeof tf.initializers.randomNormal> {
  return tf.initializers.randomNormal({ mean: 0, stddev, seed: seed + 1 });
}
