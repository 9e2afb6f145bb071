import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { ganSchema } from '../../../../src/config/schema.js';
import { modeSeekingLoss } from '../../../../src/losses/mode-seeking.js';
import { METHODS } from '../../../../src/methods/methods.js';
import { sndcganDiscriminator, sndcganGenerator } from '../../../../src/nn/architectures/sndcgan.js';
import { buildObjective, methodObjective, Objective, type ForwardOutputs, type ObjectiveTerm } from '../../../../src/training/gan/objective/index.js';
import { discriminatorStep, generatorStep, type GanModels, type StepOptions } from '../../../../src/training/gan/steps.js';

test.before(async () => {
  await tf.setBackend('cpu');
});

const SETTINGS = { loss: 'hinge' as const, rotationWeightD: 1, rotationWeightG: 0.2, modeSeekingWeight: 0.05 };

test('gan.modeSeekingWeight > 0 adds the term last to every method\'s G terms, D terms unchanged; 0 adds nothing', (t) => {
  for (const method of Object.values(METHODS)) {
    const plain = methodObjective(method, ganSchema.parse({}));
    const seeking = methodObjective(method, ganSchema.parse({ modeSeekingWeight: 0.05 }));
    const show = (objective: Objective, network: 'discriminator' | 'generator') => objective.termsOf(network).map((term) => `${term.name}×${term.weight}`);
    t.false(show(plain, 'generator').some((term) => term.startsWith('modeSeeking')), method.name);
    t.false(plain.generatorPairsLabels, method.name);
    t.deepEqual(show(seeking, 'discriminator'), show(plain, 'discriminator'), method.name);
    t.deepEqual(show(seeking, 'generator'), [...show(plain, 'generator'), 'modeSeeking×0.05'], method.name);
    t.true(seeking.generatorPairsLabels, method.name);
    t.is(seeking.generatorReadsReal, plain.generatorReadsReal, `${method.name}: the term adds no real batch to the G step`);
    const term = seeking.termsOf('generator').at(-1)!;
    t.is(term.lossKey, 'gModeSeeking');
  }
  t.throws(() => buildObjective(['modeSeeking'], { settings: { ...SETTINGS, modeSeekingWeight: -1 } }), { message: /modeSeekingWeight/ });
});

function models(conditional: boolean): GanModels {
  const common = { numClasses: conditional ? 3 : 0, width: 2, imageSize: 8, channels: 1 as const };
  return {
    generator: sndcganGenerator({ ...common, zDim: 4, seed: 1, classEmbeddingDim: conditional ? 2 : 0 }),
    discriminator: sndcganDiscriminator({ ...common, seed: 2, rotationHead: false, classifierHead: false }),
    conditional,
    rotation: false,
    coTraining: false,
  };
}

function batch() {
  return {
    realImages: tf.randomUniform([4, 8, 8, 1], -1, 1, 'float32', 5) as tf.Tensor4D,
    realLabels: tf.tensor1d([0, 1, 2, 1], 'int32'),
    z: tf.randomNormal([4, 4], 0, 1, 'float32', 6) as tf.Tensor2D,
    fakeLabels: tf.tensor1d([2, 0, 1, 1], 'int32'),
  };
}

/** A weight-0 term of `network` that records the labels and z its step's forward outputs carry. */
function spy(network: 'discriminator' | 'generator') {
  const seen: { labels?: number[]; z?: number[] }[] = [];
  const term: ObjectiveTerm = {
    name: 'spy',
    network,
    weight: 0,
    lossKey: null,
    compute(forward: ForwardOutputs) {
      seen.push({ labels: Array.from(forward.fakeLabels.dataSync()), z: forward.z === undefined ? undefined : Array.from(forward.z.dataSync()) });
      return { loss: tf.scalar(0) };
    },
  };
  return { term, seen };
}

test('the G step generates the second half for the first half\'s labels, z unchanged; the D step keeps its labels; gModeSeeking is the unweighted loss', (t) => {
  const m = models(true);
  const dSpy = spy('discriminator');
  const gSpy = spy('generator');
  const built = buildObjective(['adversarial', 'modeSeeking'], { settings: SETTINGS }).terms;
  const objective = new Objective([...built, dSpy.term, gSpy.term]);
  const options: StepOptions = { ...SETTINGS, rotatedBatchFraction: 1, objective };
  const inputs = batch();
  const z = Array.from(inputs.z.dataSync());

  discriminatorStep(m, tf.train.sgd(0), inputs, options);
  t.deepEqual(dSpy.seen[0].labels, [2, 0, 1, 1], 'the D step is unchanged');
  // With learning rate 0 the step leaves G as it is, so the loss can be recomputed from the same G (batch norm in training mode).
  const result = generatorStep(m, tf.train.sgd(0), inputs, options);
  t.deepEqual(gSpy.seen[0].labels, [2, 0, 2, 0], 'second half = first half\'s labels');
  t.deepEqual(gSpy.seen[0].z, z, 'z unchanged');
  const expected = tf.tidy(() => {
    const fakes = m.generator.apply([inputs.z, tf.tensor2d([2, 0, 2, 0], [4, 1], 'int32')], { training: true }) as tf.Tensor4D;
    const { loss, ratio } = modeSeekingLoss(fakes, inputs.z);
    return [loss.dataSync()[0], ratio.dataSync()[0]];
  });
  t.true(Math.abs(result.gModeSeeking - expected[0]) <= 1e-5 * expected[0], `gModeSeeking ${result.gModeSeeking} vs ${expected[0]}`);
  t.true(Math.abs(result.gModeSeekingRatio - expected[1]) <= 1e-5 * expected[1], `gModeSeekingRatio ${result.gModeSeekingRatio} vs ${expected[1]}`);
  t.true(result.gModeSeeking > 0 && Number.isFinite(result.gModeSeeking));

  // The weighted term is in gLoss: the same step without it differs by 0.05 · gModeSeeking.
  const without = generatorStep(m, tf.train.sgd(0), inputs, { ...options, objective: new Objective(built.filter((term) => term.name !== 'modeSeeking')) });
  t.false('gModeSeeking' in without);
  t.true(Math.abs(result.gLoss - without.gLoss - 0.05 * result.gModeSeeking) < 1e-4, `${result.gLoss} − ${without.gLoss} vs 0.05 · ${result.gModeSeeking}`);

  // Tensor count flat over G steps that update G.
  const optimizer = tf.train.adam(1e-2, 0, 0.999);
  generatorStep(m, optimizer, inputs, options);
  const warm = tf.memory().numTensors;
  for (let i = 0; i < 4; i++) generatorStep(m, optimizer, inputs, options);
  t.is(tf.memory().numTensors, warm, 'tensor count flat over steps');
  objective.dispose();
  tf.dispose(Object.values(inputs));
});

test('unconditional G: the pairing is a no-op for its labels and the term reads independent z pairs', (t) => {
  const m = models(false);
  const gSpy = spy('generator');
  const objective = new Objective([...buildObjective(['adversarial', 'modeSeeking'], { settings: SETTINGS }).terms, gSpy.term]);
  const inputs = { ...batch(), fakeLabels: tf.tensor1d([0, 0, 0, 0], 'int32') };
  const result = generatorStep(m, tf.train.sgd(0), inputs, { ...SETTINGS, rotatedBatchFraction: 1, objective });
  t.deepEqual(gSpy.seen[0].labels, [0, 0, 0, 0]);
  const expected = tf.tidy(() => modeSeekingLoss(m.generator.apply(inputs.z, { training: true }) as tf.Tensor4D, inputs.z).loss.dataSync()[0]);
  t.true(Math.abs(result.gModeSeeking - expected) <= 1e-5 * expected, `${result.gModeSeeking} vs ${expected}`);
  objective.dispose();
  tf.dispose(Object.values(inputs));
});
