import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { ARCHITECTURE_NAMES, buildDiscriminator, buildGenerator } from '../../../src/nn/architectures/index.js';

test.before(async () => {
  await tf.setBackend('cpu');
});

function weights(model: tf.LayersModel): Float32Array[] {
  return model.weights.map((w) => w.read().dataSync() as Float32Array);
}

// Seed 0 is the config default, and tfjs treats a seed of 0 as "unseeded": every architecture must
// still build the same weights twice from it.
for (const architecture of ARCHITECTURE_NAMES) {
  test(`${architecture}: the same seed (0 included) builds identical weights`, (t) => {
    const imageSize = architecture === 'dcgan' ? 16 : 8;
    for (const seed of [0, 5]) {
      const g = () => buildGenerator(architecture, { zDim: 4, numClasses: 3, width: 2, imageSize, channels: 1, seed });
      const d = () => buildDiscriminator(architecture, { numClasses: 3, width: 2, imageSize, channels: 1, seed, rotationHead: true, classifierHead: true });
      for (const build of [g, d]) {
        const [a, b] = [build(), build()];
        t.deepEqual(weights(a), weights(b), `seed ${seed}`);
        a.dispose();
        b.dispose();
      }
    }
  });
}
