import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { sndcganDiscriminator, sndcganGenerator } from '../../../../src/nn/architectures/sndcgan.js';
import { applyDiscriminator } from '../../../../src/nn/architectures/discriminator-record.js';
import { buildObjective, Objective, type ObjectiveTerm } from '../../../../src/training/gan/objective/index.js';
import { readObjectiveState, writeObjectiveState } from '../../../../src/training/gan/objective/state-file.js';
import { generatorStep, type GanModels, type StepOptions } from '../../../../src/training/gan/steps.js';
import { UserError } from '../../../../src/util/errors.js';
import { tempDir } from '../../../temp.js';

test.before(async () => {
  await tf.setBackend('cpu');
});

const SETTINGS = { loss: 'hinge' as const, rotationWeightD: 1, rotationWeightG: 0.2 };
const FEATURES = 16; // sndcgan: 8w with w = 2

/**
 * A G term of the kind the manifold-matching systems add: it reads D's features of real and fake
 * images, and keeps a moving average of the real features' mean (decay ½) as state.
 */
const featureMatching: ObjectiveTerm = {
  name: 'featureMatching',
  network: 'generator',
  weight: 0.5,
  readsReal: true,
  state: [{ name: 'realMean', shape: [FEATURES] }],
  compute(forward, state) {
    const realMean = tf.mean(forward.real!.record.features, 0);
    const average = tf.add(tf.mul(state.realMean, 0.5), tf.mul(realMean, 0.5));
    const loss = tf.mean(tf.square(tf.sub(tf.mean(forward.fake.record.features, 0), average))) as tf.Scalar;
    return { loss, metrics: { realFeatureNorm: tf.norm(realMean) as tf.Scalar }, nextState: { realMean: average } };
  },
};

function setup() {
  const common = { numClasses: 0, width: 2, imageSize: 8, channels: 1 as const };
  const models: GanModels = {
    generator: sndcganGenerator({ ...common, zDim: 4, seed: 1 }),
    discriminator: sndcganDiscriminator({ ...common, seed: 2, rotationHead: false, classifierHead: false }),
    conditional: false,
    rotation: false,
    coTraining: false,
  };
  const adversarial = buildObjective(['adversarial'], { settings: SETTINGS }).terms;
  const objective = new Objective([...adversarial, featureMatching]);
  const options: StepOptions = { ...SETTINGS, rotatedBatchFraction: 1, objective };
  const batch = {
    realImages: tf.randomUniform([4, 8, 8, 1], -1, 1, 'float32', 7) as tf.Tensor4D,
    realLabels: tf.tensor1d([0, 0, 0, 0], 'int32'),
    z: tf.randomNormal([4, 4], 0, 1, 'float32', 8) as tf.Tensor2D,
    fakeLabels: tf.tensor1d([0, 0, 0, 0], 'int32'),
  };
  return { models, objective, options, batch };
}

test('a G term reads D features of real and fake images, logs under its name and updates its state after the step', (t) => {
  const { models, objective, options, batch } = setup();
  t.true(objective.generatorReadsReal);
  const expectedMean = tf.tidy(() => tf.mul(tf.mean(applyDiscriminator(models.discriminator, batch.realImages, { training: false }).features, 0), 0.5).arraySync() as number[]);
  const result = generatorStep(models, tf.train.sgd(0), batch, options);
  t.true(Number.isFinite(result.gLoss) && Number.isFinite(result.featureMatching) && Number.isFinite(result.realFeatureNorm));
  t.true(Number.isNaN(result.gRotationLoss));
  const state = objective.stateTensors()['generator/featureMatching/realMean'];
  t.deepEqual(state.shape, [FEATURES]);
  (state.arraySync() as number[]).forEach((value, i) => t.true(Math.abs(value - expectedMean[i]) < 1e-5, `entry ${i}: ${value} vs ${expectedMean[i]}`));

  const before = tf.memory().numTensors;
  const optimizer = tf.train.sgd(1e-3);
  generatorStep(models, optimizer, batch, options);
  const warm = tf.memory().numTensors;
  for (let i = 0; i < 5; i++) generatorStep(models, optimizer, batch, options);
  t.is(tf.memory().numTensors, warm, 'tensor count flat over steps');
  t.true(warm >= before);
  t.throws(() => generatorStep(models, optimizer, { z: batch.z, fakeLabels: batch.fakeLabels }, options), { message: /needs a real batch/ });
  objective.dispose();
  tf.dispose(Object.values(batch));
});

test('the term state survives a checkpoint round trip exactly; a checkpoint without it is a UserError', async (t) => {
  const { models, objective, options, batch } = setup();
  generatorStep(models, tf.train.sgd(0), batch, options);
  const dir = tempDir();
  await writeObjectiveState(dir, objective);
  t.true(existsSync(path.join(dir, 'objective-state.bin')));
  const restored = new Objective(objective.terms);
  await readObjectiveState(dir, restored);
  const key = 'generator/featureMatching/realMean';
  t.deepEqual(Array.from(restored.stateTensors()[key].dataSync()), Array.from(objective.stateTensors()[key].dataSync()));
  await t.throwsAsync(readObjectiveState(tempDir(), restored), { instanceOf: UserError, message: /objective-state\.json/ });

  // Stateless objectives write nothing.
  const stateless = tempDir();
  const plain = buildObjective(['adversarial', 'rotation'], { settings: SETTINGS });
  await writeObjectiveState(stateless, plain);
  t.false(existsSync(path.join(stateless, 'objective-state.json')));
  [objective, restored, plain].forEach((o) => o.dispose());
  tf.dispose(Object.values(batch));
});
