/**
 * MvM in the GAN loop (docs/ALGORITHMS.md § MvM), on real MNIST at 8 pixels with tiny networks:
 * mvm (unconditional) and cmvm (conditional, fakes for the real batch's labels) train with no
 * discriminator, log every term, keep the tensor count flat, resume exactly after a kill, and the
 * metric network's optimizer sees the triplet gradient alone.
 */
import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { readdirSync, readFileSync, truncateSync } from 'node:fs';
import * as path from 'node:path';
import { MetricsLog } from '../../../src/artifacts/metrics-log.js';
import { configSchema, ganSchema, type ConfigInput } from '../../../src/config/schema.js';
import type { ImageSplit } from '../../../src/data/types.js';
import { drawTripletPermutations, metricTripletLoss } from '../../../src/losses/manifold/mvm.js';
import { getMethod, METHODS, type MethodName } from '../../../src/methods/methods.js';
import { checkpointDamage } from '../../../src/training/common/checkpoint-integrity.js';
import { trainableVariables } from '../../../src/training/common/variables.js';
import { GAN_CHECKPOINT_LAYOUT } from '../../../src/training/gan/checkpoint.js';
import { trainGan, type GanLoopInputs } from '../../../src/training/gan/loop.js';
import { methodObjective } from '../../../src/training/gan/objective/index.js';
import { embed, METRIC_NETWORK } from '../../../src/training/gan/objective/manifold-matching.js';
import { createGanTraining } from '../../../src/training/gan/setup.js';
import { generatorStep } from '../../../src/training/gan/steps.js';
import { Rng } from '../../../src/util/rng.js';
import { mnistTrainSubset, SILENT } from '../../fixtures.js';
import { tempDir } from '../../temp.js';

test.before(async () => {
  await tf.setBackend('cpu');
});

const NUM_CLASSES = 10;
const SHAPE = { numClasses: NUM_CLASSES, imageSize: 8, channels: 1 as const };
const TINY_GAN = { width: 2, zDim: 4, batchSize: 8, metricWidth: 2, metricEmbeddingSize: 3, emaStartStep: 2 };

let mnist: ImageSplit | undefined;
async function split(): Promise<ImageSplit> {
  mnist ??= await mnistTrainSubset(64);
  return mnist;
}

function config(gan: ConfigInput['gan'] = {}) {
  return configSchema.parse({
    seed: 4,
    data: { imageSize: 8, fit: 'resize', prefetchBatches: 0 },
    gan: { ...TINY_GAN, steps: 6, logEverySteps: 1, sampleEverySteps: 0, checkpointEverySteps: 2, keepCheckpoints: 2, ...gan },
  });
}

async function inputs(method: MethodName, dir: string, overrides: Partial<GanLoopInputs> = {}): Promise<GanLoopInputs> {
  const images = await split();
  return {
    config: config(),
    method: getMethod(method),
    split: images,
    numClasses: NUM_CLASSES,
    // cmvm reads a labels file in a run; here the true labels stand in for the pseudo-labels.
    labels: images.labels,
    paths: { checkpoints: path.join(dir, 'checkpoints'), samples: path.join(dir, 'samples'), metrics: path.join(dir, 'metrics.jsonl') },
    progressStream: SILENT,
    ...overrides,
  };
}

/** Logged numbers without the wall-clock fields. */
async function losses(file: string) {
  return (await MetricsLog.read(file)).map(({ time: _time, imagesPerSecond: _rate, ...rest }) => rest);
}

const MVM_KEYS = ['gLoss', 'matchingLoss', 'matchingDiameter', 'matchingCentroid', 'metricLoss', 'metricSeparatedFraction'];

for (const method of ['mvm', 'cmvm'] as const) {
  test.serial(`${method}: trains with no discriminator, logs every term, tensor count flat over 20 steps`, async (t) => {
    const dir = tempDir(`s3gan-${method}-`);
    const counts: number[] = [];
    const before = tf.memory().numTensors;
    const result = await trainGan(await inputs(method, dir, { config: config({ steps: 20, logEverySteps: 5, checkpointEverySteps: 10 }), onStep: () => counts.push(tf.memory().numTensors) }));
    t.is(tf.memory().numTensors, before, 'everything the run made is disposed');
    t.deepEqual(counts.slice(1), Array(19).fill(counts[1]), 'tensor count flat from step 2 on');
    t.is(result.imagesSeen, 20 * 8, 'one real batch per step, seen by G and F');
    const records = await MetricsLog.read(path.join(dir, 'metrics.jsonl'));
    t.deepEqual(records.map((r) => r.step), [5, 10, 15, 20]);
    for (const key of MVM_KEYS) t.true(records.every((r) => typeof r[key] === 'number' && Number.isFinite(r[key] as number)), key);
    t.true(records.every((r) => r.gLoss === r.matchingLoss), 'G minimises the matching loss alone');
    t.false('dLoss' in records[0], 'no discriminator');
    const checkpoint = path.join(dir, 'checkpoints', 'step-00000020');
    t.deepEqual(readdirSync(checkpoint).sort(), [
      'generator', 'generator-ema', 'metric', 'optimizer-g.bin', 'optimizer-g.json', 'optimizer-metric.bin', 'optimizer-metric.json', 'state.json',
    ]);
    const state = JSON.parse(readFileSync(path.join(checkpoint, 'state.json'), 'utf8')) as { files: unknown; method: string };
    t.is(state.method, method);
    t.deepEqual(state.files, { models: ['generator', 'generator-ema', METRIC_NETWORK], optimizers: ['optimizer-g', 'optimizer-metric'] });
    t.is(await checkpointDamage(checkpoint, GAN_CHECKPOINT_LAYOUT), undefined, 'the integrity check reads the listed files');
    truncateSync(path.join(checkpoint, 'optimizer-metric.bin'), 4);
    t.regex((await checkpointDamage(checkpoint, GAN_CHECKPOINT_LAYOUT)) ?? '', /optimizer-metric\.bin holds 4 bytes/, "a damaged metric optimizer is seen");
  });

  test.serial(`${method}: killed after step 3 and rerun, the resumed run logs and saves exactly what an uninterrupted one does`, async (t) => {
    const whole = tempDir(`s3gan-${method}-whole-`);
    await trainGan(await inputs(method, whole));
    const killed = tempDir(`s3gan-${method}-killed-`);
    t.is((await trainGan(await inputs(method, killed, { stopAfterStep: 3 }))).step, 3);
    const resumed = await trainGan(await inputs(method, killed));
    t.is(resumed.resumedFrom, 2, 'resumes from the checkpoint of step 2');
    t.deepEqual(await losses(path.join(killed, 'metrics.jsonl')), await losses(path.join(whole, 'metrics.jsonl')));
    const last = (dir: string, file: string) => readFileSync(path.join(dir, 'checkpoints', 'step-00000006', file));
    for (const file of ['generator/weights.bin', 'metric/weights.bin', 'optimizer-metric.bin', 'optimizer-g.bin']) t.deepEqual(last(killed, file), last(whole, file), file);
  });
}

test.serial("the G step leaves F alone, and F's update is one Adam step on the triplet loss alone", (t) => {
  const gan = ganSchema.parse({ ...TINY_GAN, method: 'mvm' });
  const a = createGanTraining(gan, METHODS.mvm, SHAPE, 1);
  const b = createGanTraining(gan, METHODS.mvm, SHAPE, 1);
  const batch = {
    realImages: tf.randomUniform([8, 8, 8, 1], -1, 1, 'float32', 3) as tf.Tensor4D,
    realLabels: tf.zeros([8], 'int32') as tf.Tensor1D,
    z: tf.randomNormal([8, 4], 0, 1, 'float32', 4) as tf.Tensor2D,
    fakeLabels: tf.zeros([8], 'int32') as tf.Tensor1D,
  };
  const weights = (model: tf.LayersModel) => model.getWeights().map((w) => Array.from(w.dataSync()));
  const [networkA] = a.objective.networks;
  const [networkB] = b.objective.networks;
  t.is(networkA.name, METRIC_NETWORK);
  t.is(a.models.discriminator, undefined, 'no discriminator is built');
  t.is(a.dOptimizer, undefined);

  const fBefore = weights(networkA.model);
  for (const training of [a, b]) generatorStep(training.models, training.gOptimizer, batch, training.stepOptions);
  t.deepEqual(weights(networkA.model), fBefore, "the G step's matching gradient does not reach F");
  const logged = networkA.update(a.models, batch, new Rng(9));

  // The same update by hand: fakes from the updated G without gradient, the permutations from the same
  // Rng, tfjs's own Adam with the reference's F settings, minimising the triplet loss and nothing else.
  const permutations = drawTripletPermutations(8, new Rng(9));
  const fakes = b.models.generator.apply(batch.z, { training: true }) as tf.Tensor4D;
  const adam = tf.train.adam(gan.metricLearningRate, gan.metricAdamBeta1, gan.metricAdamBeta2, gan.metricAdamEpsilon);
  const cost = adam.minimize(() => metricTripletLoss(embed(networkB.model, batch.realImages, undefined), embed(networkB.model, fakes, undefined), permutations).loss, true, trainableVariables(networkB.model));
  t.is(logged.metricLoss, cost!.dataSync()[0]);
  const expected = weights(networkB.model);
  weights(networkA.model).forEach((w, i) => w.forEach((value, j) => t.true(Math.abs(value - expected[i][j]) <= 1e-7, `weight ${i}[${j}]: ${value} vs ${expected[i][j]}`)));
  t.notDeepEqual(expected, fBefore, 'F moved');
  tf.dispose([cost!, fakes, permutations.positive, permutations.negative, ...Object.values(batch)]);
  adam.dispose();
  a.dispose();
  b.dispose();
});

test('the MvM objective: one G term, no D term, the metric network only when a run builds it', (t) => {
  const gan = ganSchema.parse({});
  for (const method of [METHODS.mvm, METHODS.cmvm]) {
    const terms = methodObjective(method, gan);
    t.deepEqual(terms.termsOf('discriminator'), [], method.name);
    t.deepEqual(terms.termsOf('generator').map((term) => [term.name, term.lossKey, term.weight]), [['manifoldMatching', 'matchingLoss', 1]]);
    t.false(terms.usesDiscriminator);
    t.true(terms.generatorReadsReal);
    t.is(terms.fakesFollowRealLabels, method.conditional, 'cmvm generates for the real batch\'s labels');
    t.deepEqual(terms.networks, []);
    const built = methodObjective(method, gan, SHAPE, 0);
    t.deepEqual(built.networks.map((network) => network.name), [METRIC_NETWORK]);
    t.is(built.networks[0].model.inputs.length, method.conditional ? 2 : 1, 'conditional F reads (image, label)');
    t.is(built.networks[0].model.outputs[0].shape[1], gan.metricEmbeddingSize);
    built.dispose();
  }
  for (const name of ['s3gan', 'gan', 's3gan-co'] as const) t.true(methodObjective(METHODS[name], gan).usesDiscriminator, name);
});

test('a bad MvM setting is refused naming its key', (t) => {
  for (const [key, value] of [['metricEmbeddingSize', 0], ['metricLearningRate', -1], ['tripletMargin', -0.5], ['metricAdamBeta1', 1.5]] as const) {
    const parsed = ganSchema.safeParse({ [key]: value });
    t.false(parsed.success, key);
    t.deepEqual(parsed.error?.issues[0].path, [key]);
  }
});
