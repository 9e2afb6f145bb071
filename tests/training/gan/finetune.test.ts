/**
 * Fine-tuning on tiny GANs: the source's G, G-EMA and D are copied exactly before any step (or only
 * G, or only D), weights sized by another class count start fresh and are listed, FreezeD keeps the
 * frozen blocks at the source's weights through training, and a fine-tuning killed and resumed
 * equals an uninterrupted one.
 */
import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { readModelArtifacts } from '../../../src/artifacts/model-files.js';
import { MetricsLog } from '../../../src/artifacts/metrics-log.js';
import { configSchema } from '../../../src/config/schema.js';
import type { ImageSplit } from '../../../src/data/types.js';
import { getMethod, type MethodName } from '../../../src/methods/methods.js';
import { checkSourceFits, readFinetuneSource } from '../../../src/training/gan/finetune-source.js';
import { discriminatorBlocks, freezeDiscriminatorBlocks, initialiseFromSource, type FinetuneInit } from '../../../src/training/gan/finetune-weights.js';
import { trainGan, type GanLoopInputs } from '../../../src/training/gan/loop.js';
import { createGanTraining } from '../../../src/training/gan/setup.js';
import { UserError } from '../../../src/util/errors.js';
import { Rng } from '../../../src/util/rng.js';
import { SILENT } from '../../fixtures.js';
import { tempDir } from '../../temp.js';

test.before(async () => {
  await tf.setBackend('cpu');
});

/** 24 random 8×8 grey images, classes 0..numClasses-1 in turn. */
function tinySplit(numClasses: number, seed = 1): ImageSplit {
  const rng = new Rng(seed);
  const count = 24;
  return {
    images: Uint8Array.from({ length: count * 64 }, () => rng.int(256)),
    shape: [count, 8, 8, 1],
    labels: Int32Array.from({ length: count }, (_, i) => i % numClasses),
    ids: Array.from({ length: count }, (_, i) => `img${i}`),
  };
}

function config(seed: number, steps = 4) {
  return configSchema.parse({
    seed,
    data: { imageSize: 8, prefetchBatches: 0 },
    gan: { width: 2, zDim: 4, batchSize: 4, steps, logEverySteps: 1, sampleEverySteps: 0, checkpointEverySteps: 2, keepCheckpoints: 3, emaStartStep: 0 },
  });
}

function inputs(dir: string, seed: number, numClasses: number, overrides: Partial<GanLoopInputs> = {}, method: MethodName = 'cgan-full'): GanLoopInputs {
  const split = tinySplit(numClasses, seed);
  return {
    config: config(seed),
    method: getMethod(method),
    split,
    numClasses,
    labels: split.labels,
    paths: { checkpoints: path.join(dir, 'checkpoints'), samples: path.join(dir, 'samples'), metrics: path.join(dir, 'metrics.jsonl') },
    progressStream: SILENT,
    ...overrides,
  };
}

/** A trained source (3 classes, 2 steps) and its newest checkpoint. */
async function trainedSource(numClasses = 3): Promise<string> {
  const dir = tempDir('s3gan-finetune-source-');
  await trainGan({ ...inputs(dir, 1, numClasses), config: config(1, 2) });
  return path.join(dir, 'checkpoints', 'step-00000002');
}

/** The weights saved in a model directory, by name, as plain arrays. */
async function savedWeights(dir: string): Promise<Map<string, number[]>> {
  const artifacts = await readModelArtifacts(dir);
  const tensors = tf.io.decodeWeights(artifacts.weightData!, artifacts.weightSpecs!);
  const out = new Map(Object.entries(tensors).map(([name, t]) => [name, Array.from(t.dataSync())]));
  tf.dispose(Object.values(tensors));
  return out;
}

function modelWeights(model: tf.LayersModel): Map<string, number[]> {
  return new Map(model.weights.map((w) => [w.originalName, Array.from(w.read().dataSync())]));
}

/** A fresh training for `numClasses` with another seed than the source's. */
function targetTraining(numClasses: number, method: MethodName = 'cgan-full') {
  const c = config(7);
  return createGanTraining(c.gan, getMethod(method), { numClasses, imageSize: 8, channels: 1 }, c.seed);
}

const INITS: { init: FinetuneInit; generator: boolean; discriminator: boolean }[] = [
  { init: 'both', generator: true, discriminator: true },
  { init: 'generator', generator: true, discriminator: false },
  { init: 'discriminator', generator: false, discriminator: true },
];

for (const c of INITS) {
  test.serial(`init ${c.init}: the chosen networks equal the source's exactly before any step, the others keep their own`, async (t) => {
    const source = await trainedSource();
    const training = targetTraining(3);
    try {
      const fresh = { g: modelWeights(training.models.generator), d: modelWeights(training.models.discriminator!) };
      const tensors = tf.memory().numTensors;
      const lines = await initialiseFromSource(training, source, { init: c.init, sourceClasses: 3, targetClasses: 3 });
      t.is(tf.memory().numTensors, tensors, 'tensor count unchanged');
      t.deepEqual(lines, [], 'same classes: nothing adapted');
      const expect = async (model: tf.LayersModel, dir: string, copied: boolean, own: Map<string, number[]>) => {
        const want = copied ? await savedWeights(path.join(source, dir)) : own;
        t.deepEqual(modelWeights(model), new Map([...want].filter(([name]) => modelWeights(model).has(name))), `${dir} ${copied ? 'copied' : 'untouched'}`);
      };
      await expect(training.models.generator, 'generator', c.generator, fresh.g);
      if (c.generator) await expect(training.emaGenerator, 'generator-ema', true, new Map());
      await expect(training.models.discriminator!, 'discriminator', c.discriminator, fresh.d);
      t.not(JSON.stringify([...fresh.g]), JSON.stringify([...(await savedWeights(path.join(source, 'generator')))]), 'the target\'s own init differs from the source');
    } finally {
      training.dispose();
    }
  });
}

test.serial('another class count: class embeddings and heads start fresh, one line each, every other weight is copied', async (t) => {
  const source = await trainedSource(3);
  const training = targetTraining(5);
  try {
    const freshD = modelWeights(training.models.discriminator!);
    const lines = await initialiseFromSource(training, source, { init: 'both', sourceClasses: 3, targetClasses: 5 });
    t.true(lines.length > 0);
    t.true(lines.every((line) => /^(generator|generator-ema|discriminator) \S+ \([\w, ]+\): 3 classes in the source, 5 here, initialised fresh$/.test(line)), lines.join('\n'));
    t.true(lines.includes('discriminator d_projection (embed): 3 classes in the source, 5 here, initialised fresh'), lines.join('\n'));
    t.true(lines.some((line) => line.startsWith('generator ')), 'conditional batch norm is listed');
    const sourceD = await savedWeights(path.join(source, 'discriminator'));
    for (const [name, value] of modelWeights(training.models.discriminator!)) {
      const slash = name.lastIndexOf('/');
      const listed = lines.some((line) => line.startsWith(`discriminator ${name.slice(0, slash)} (`) && line.split(/[()]/)[1].split(', ').includes(name.slice(slash + 1)));
      if (listed) t.deepEqual(value, freshD.get(name), `${name} fresh`);
      else t.deepEqual(value, sourceD.get(name), `${name} copied`);
    }
  } finally {
    training.dispose();
  }
});

test.serial('a source of another width is refused naming the weight; another architecture naming gan.architecture', async (t) => {
  const source = await trainedSource();
  const c = configSchema.parse({ data: { imageSize: 8 }, gan: { width: 3, zDim: 4 } });
  const training = createGanTraining(c.gan, getMethod('cgan-full'), { numClasses: 3, imageSize: 8, channels: 1 }, 0);
  try {
    const error = await t.throwsAsync(initialiseFromSource(training, source, { init: 'both', sourceClasses: 3, targetClasses: 3 }), { instanceOf: UserError });
    t.regex(error!.message, /^finetune\.from: .* weight \S+ is \[.*\], the configured generator needs \[.*\]: gan\.width/);
  } finally {
    training.dispose();
  }
  const read = await readFinetuneSource(source);
  t.deepEqual(read.geometry, { imageSize: 8, channels: 1 });
  const resnet = configSchema.parse({ data: { imageSize: 8 }, gan: { architecture: 'resnet', width: 2, zDim: 4 } });
  t.throws(() => checkSourceFits(read, resnet, 1), { instanceOf: UserError, message: /gan\.architecture sndcgan, the target config resnet/ });
  t.throws(() => checkSourceFits(read, config(0), 3), { instanceOf: UserError, message: /has image channels 1, the target config 3/ });
});

async function logged(dir: string) {
  return (await MetricsLog.read(path.join(dir, 'metrics.jsonl'))).map(({ time: _time, imagesPerSecond: _rate, ...rest }) => rest);
}

/** The loop's prepare hook as the finetune stage builds it: the source at step 0, FreezeD always. */
function finetuneHook(source: string, freezeDBlocks: number): GanLoopInputs['prepare'] {
  return async (training, resumedFrom) => {
    if (resumedFrom === 0) await initialiseFromSource(training, source, { init: 'both', sourceClasses: 3, targetClasses: 3 });
    freezeDiscriminatorBlocks(training.models.discriminator!, freezeDBlocks);
  };
}

test.serial('FreezeD: the frozen blocks keep the source\'s weights through training, the others change; killed and resumed equals uninterrupted', async (t) => {
  const source = await trainedSource();
  const whole = tempDir('s3gan-finetune-whole-');
  await trainGan(inputs(whole, 7, 3, { prepare: finetuneHook(source, 2) }));
  const before = await savedWeights(path.join(source, 'discriminator'));
  const after = await savedWeights(path.join(whole, 'checkpoints', 'step-00000004', 'discriminator'));
  // sndcgan: each conv is a block; the spectral-norm u vectors are estimates advanced by every forward pass.
  for (const name of ['d_conv0/kernel', 'd_conv0/bias', 'd_conv1/kernel', 'd_conv1/bias']) t.deepEqual(after.get(name), before.get(name), `${name} frozen`);
  for (const name of ['d_conv2/kernel', 'd_projection/kernel']) t.notDeepEqual(after.get(name), before.get(name), `${name} trained`);

  const killed = tempDir('s3gan-finetune-killed-');
  t.is((await trainGan(inputs(killed, 7, 3, { prepare: finetuneHook(source, 2), stopAfterStep: 3 }))).step, 3);
  // The resume reads the run's own step-2 checkpoint; the source is not read again.
  await trainGan(inputs(killed, 7, 3, { prepare: finetuneHook(path.join(killed, 'no-such-source'), 2) }));
  t.deepEqual(await logged(killed), await logged(whole));
  for (const model of ['generator', 'generator-ema', 'discriminator']) {
    const file = (dir: string) => readFile(path.join(dir, 'checkpoints', 'step-00000004', model, 'weights.bin'));
    t.true((await file(killed)).equals(await file(whole)), model);
  }
});

test('FreezeD counts D\'s blocks from the image side and refuses more blocks than D has', (t) => {
  const training = targetTraining(3);
  try {
    const blocks = discriminatorBlocks(training.models.discriminator!);
    t.deepEqual(blocks.slice(0, 2), [['d_conv0'], ['d_conv1']]);
    t.throws(() => freezeDiscriminatorBlocks(training.models.discriminator!, blocks.length + 1), { instanceOf: UserError, message: /^finetune\.freezeDBlocks: 8 blocks asked, the discriminator has 7$/ });
    const before = training.models.discriminator!.trainableWeights.length;
    t.deepEqual(freezeDiscriminatorBlocks(training.models.discriminator!, 1), ['d_conv0']);
    t.is(training.models.discriminator!.trainableWeights.length, before - 2, 'd_conv0 kernel and bias leave the trainable list');
  } finally {
    training.dispose();
  }
});
