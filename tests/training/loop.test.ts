import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import * as path from 'node:path';
import { MetricsLog } from '../../src/artifacts/metrics-log.js';
import { configSchema, type ConfigInput } from '../../src/config/schema.js';
import { UNLABELLED, type ImageSplit } from '../../src/data/types.js';
import { getMethod } from '../../src/methods/methods.js';
import { readCheckpointState } from '../../src/training/gan/checkpoint.js';
import { DivergenceError } from '../../src/training/common/divergence.js';
import { trainGan, type GanLoopInputs } from '../../src/training/gan/loop.js';
import { generatorStep } from '../../src/training/gan/steps.js';
import { Rng } from '../../src/util/rng.js';
import { SILENT } from '../fixtures.js';
import { tempDir } from '../temp.js';

test.before(async () => {
  await tf.setBackend('cpu');
});

const NUM_CLASSES = 3;

/** 24 random 8×8 grey images, classes 0,1,2 in turn. */
function tinySplit(): ImageSplit {
  const rng = new Rng(1);
  const count = 24;
  return {
    images: Uint8Array.from({ length: count * 64 }, () => rng.int(256)),
    shape: [count, 8, 8, 1],
    labels: Int32Array.from({ length: count }, (_, i) => i % NUM_CLASSES),
    ids: Array.from({ length: count }, (_, i) => `img${i}`),
  };
}

function config(gan: ConfigInput['gan'] = {}) {
  return configSchema.parse({
    seed: 3,
    data: { imageSize: 8, prefetchBatches: 0 },
    gan: { width: 2, zDim: 4, batchSize: 4, steps: 6, logEverySteps: 1, sampleEverySteps: 3, checkpointEverySteps: 2, keepCheckpoints: 2, emaStartStep: 2, rotatedBatchFraction: 1, ...gan },
  });
}

function inputs(dir: string, overrides: Partial<GanLoopInputs> = {}): GanLoopInputs {
  const split = tinySplit();
  return {
    config: config(),
    method: getMethod('s3gan'),
    split,
    numClasses: NUM_CLASSES,
    labels: split.labels,
    paths: { checkpoints: path.join(dir, 'checkpoints'), samples: path.join(dir, 'samples'), metrics: path.join(dir, 'metrics.jsonl') },
    progressStream: SILENT,
    ...overrides,
  };
}

/** Logged numbers without the wall-clock fields. */
async function losses(file: string) {
  return (await MetricsLog.read(file)).map(({ time: _time, imagesPerSecond: _rate, ...rest }) => rest);
}

test.serial('a run logs every step, keeps the newest checkpoints, writes sample grids and leaks no tensor', async (t) => {
  const dir = tempDir('s3gan-loop-');
  const counts: number[] = [];
  const checkpointed: number[] = [];
  const before = tf.memory().numTensors;
  const result = await trainGan(inputs(dir, { onStep: () => counts.push(tf.memory().numTensors), onCheckpoint: async (step) => void checkpointed.push(step) }));
  t.is(tf.memory().numTensors, before, 'everything the run made is disposed');
  t.deepEqual(counts.slice(1), Array(5).fill(counts[1]), 'tensor count flat from step 2 on (Adam slots exist after step 1)');
  t.is(result.step, 6);
  t.is(result.imagesSeen, 24);
  const records = await MetricsLog.read(path.join(dir, 'metrics.jsonl'));
  t.deepEqual(records.map((r) => r.step), [1, 2, 3, 4, 5, 6]);
  for (const key of ['dLoss', 'gLoss', 'dRotationLoss', 'dRotationAccuracyReal', 'dRotationAccuracyFake']) {
    t.true(records.every((r) => typeof r[key] === 'number' && Number.isFinite(r[key] as number)), key);
  }
  t.false('dClassifierAccuracy' in records[0], 's3gan has no classifier head');
  t.deepEqual(await readdir(path.join(dir, 'checkpoints')), ['step-00000004', 'step-00000006']);
  t.deepEqual(await readdir(path.join(dir, 'samples')), ['step-00000000.png', 'step-00000003.png', 'step-00000006.png'], 'the untrained grid, then every sampleEverySteps');
  t.deepEqual(checkpointed, [2, 4, 6], 'the checkpoint hook follows each checkpoint');
  const state = await readCheckpointState(path.join(dir, 'checkpoints', 'step-00000006'));
  t.is(state.step, 6);
  t.is(state.batchesSeen, 6);
});

test.serial('killed after step 3 and rerun: the resumed run logs the same numbers as an uninterrupted one', async (t) => {
  const whole = tempDir('s3gan-loop-whole-');
  await trainGan(inputs(whole));
  const killed = tempDir('s3gan-loop-killed-');
  const first = await trainGan(inputs(killed, { stopAfterStep: 3 }));
  t.is(first.step, 3);
  t.deepEqual((await losses(path.join(killed, 'metrics.jsonl'))).map((r) => r.step), [1, 2, 3], 'step 3 was logged before the kill');
  const resumed = await trainGan(inputs(killed));
  t.is(resumed.resumedFrom, 2, 'resumes from the checkpoint of step 2');
  t.deepEqual(await losses(path.join(killed, 'metrics.jsonl')), await losses(path.join(whole, 'metrics.jsonl')));
  const again = await trainGan(inputs(killed));
  t.is(again.resumedFrom, 6, 'a finished run is not trained again');
});

test.serial('a NaN loss stops the run naming the step, and the last good checkpoint stays intact', async (t) => {
  const dir = tempDir('s3gan-loop-nan-');
  const poisoned: typeof generatorStep = (models, optimizer, batch, options) => {
    const result = generatorStep(models, optimizer, batch, options);
    return models && (batch.z.shape[0] > 0 && poisonedStep.current === 5) ? { ...result, gLoss: NaN } : result;
  };
  const poisonedStep = { current: 0 };
  const error = await t.throwsAsync(
    trainGan(inputs(dir, { onStep: (step) => (poisonedStep.current = step + 1), steps: { generator: poisoned } })),
    { instanceOf: DivergenceError },
  );
  t.regex(error!.message, /generator step 5: gLoss = NaN/);
  t.regex(error!.message, /step-00000004/);
  t.deepEqual(await readdir(path.join(dir, 'checkpoints')), ['step-00000002', 'step-00000004']);
  t.is((await readCheckpointState(path.join(dir, 'checkpoints', 'step-00000004'))).step, 4);
  t.false(existsSync(path.join(dir, 'samples', 'step-00000006.png')));
});

test.serial('co-training (s3gan-co) trains with unlabelled images and logs the classifier accuracy', async (t) => {
  const dir = tempDir('s3gan-loop-co-');
  const split = tinySplit();
  const labels = Int32Array.from(split.labels, (label, i) => (i < 6 ? label : UNLABELLED));
  await trainGan(inputs(dir, { method: getMethod('s3gan-co'), labels, config: config({ steps: 2, checkpointEverySteps: 2 }) }));
  const records = await MetricsLog.read(path.join(dir, 'metrics.jsonl'));
  t.is(records.length, 2);
  t.true(records.every((r) => typeof r.dClassifierAccuracy === 'number' && typeof r.dClassifierLoss === 'number'));
});
