import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { WeightAverage } from '../../src/training/ema.js';

test.before(async () => {
  await tf.setBackend('cpu');
});

test('the average copies the weights before startStep and decays after it', (t) => {
  const weight = tf.variable(tf.tensor1d([1, 2]));
  const ema = new WeightAverage([weight], { decay: 0.9, startStep: 2 });

  weight.assign(tf.tensor1d([3, 4]));
  ema.update(0);
  t.deepEqual(Array.from(ema.averages[0].dataSync()), [3, 4], 'step 0 < startStep: a copy');

  weight.assign(tf.tensor1d([13, 14]));
  ema.update(2);
  // 0.9·[3, 4] + 0.1·[13, 14] = [4, 5]
  const averaged = Array.from(ema.averages[0].dataSync());
  t.true(Math.abs(averaged[0] - 4) < 1e-5 && Math.abs(averaged[1] - 5) < 1e-5, `got ${averaged}`);

  const target = tf.variable(tf.zeros([2]));
  const afterTarget = tf.memory().numTensors;
  ema.copyTo([target]);
  t.deepEqual(Array.from(target.dataSync()).map(Math.round), [4, 5]);
  t.is(tf.memory().numTensors, afterTarget, 'copy leaks nothing');
  for (let step = 3; step < 8; step++) ema.update(step);
  t.is(tf.memory().numTensors, afterTarget, 'updates leak nothing');

  t.throws(() => new WeightAverage([weight], { decay: 1, startStep: 0 }), { message: /decay must be in \[0, 1\)/ });
  ema.dispose();
  tf.dispose([weight, target]);
});
