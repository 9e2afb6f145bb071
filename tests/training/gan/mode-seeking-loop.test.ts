import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { MetricsLog } from '../../../src/artifacts/metrics-log.js';
import { configSchema, type ConfigInput } from '../../../src/config/schema.js';
import type { ImageSplit } from '../../../src/data/types.js';
import { getMethod, type MethodName } from '../../../src/methods/methods.js';
import { checkBatchSize, trainGan, type GanLoopInputs } from '../../../src/training/gan/loop.js';
import { InterruptedError, type StopRequest } from '../../../src/util/interrupt.js';
import { UserError } from '../../../src/util/errors.js';
import { Rng } from '../../../src/util/rng.js';
import { SILENT } from '../../fixtures.js';
import { tempDir } from '../../temp.js';

test.before(async () => {
  await tf.setBackend('cpu');
});

/** 24 random 8×8 grey images, classes 0,1,2 in turn (as in tests/training/loop.test.ts). */
function tinySplit(): ImageSplit {
  const rng = new Rng(1);
  const count = 24;
  return {
    images: Uint8Array.from({ length: count * 64 }, () => rng.int(256)),
    shape: [count, 8, 8, 1],
    labels: Int32Array.from({ length: count }, (_, i) => i % 3),
    ids: Array.from({ length: count }, (_, i) => `img${i}`),
  };
}

/** A tiny s3gan run with the mode-seeking term (weight 0.05 unless `gan` says otherwise). */
function inputs(dir: string, overrides: Partial<GanLoopInputs> = {}, gan: ConfigInput['gan'] = {}, method: MethodName = 's3gan'): GanLoopInputs {
  const split = tinySplit();
  const config = configSchema.parse({
    seed: 3,
    data: { imageSize: 8, prefetchBatches: 0 },
    gan: { width: 2, zDim: 4, batchSize: 4, steps: 6, logEverySteps: 1, sampleEverySteps: 0, checkpointEverySteps: 2, keepCheckpoints: 2, emaStartStep: 2, rotatedBatchFraction: 1, modeSeekingWeight: 0.05, ...gan },
  });
  return {
    config,
    method: getMethod(method),
    split,
    numClasses: 3,
    labels: split.labels,
    paths: { checkpoints: path.join(dir, 'checkpoints'), samples: path.join(dir, 'samples'), metrics: path.join(dir, 'metrics.jsonl') },
    progressStream: SILENT,
    ...overrides,
  };
}

/** Logged numbers without the wall-clock fields. */
async function logged(dir: string) {
  return (await MetricsLog.read(path.join(dir, 'metrics.jsonl'))).map(({ time: _time, imagesPerSecond: _rate, ...rest }) => rest);
}

const generatorWeights = (dir: string) => readFile(path.join(dir, 'checkpoints', 'step-00000006', 'generator', 'weights.bin'));

test.serial('a run with gan.modeSeekingWeight > 0 logs gModeSeeking every step, trains differently from weight 0 and leaks no tensor', async (t) => {
  const dir = tempDir('s3gan-ms-loop-');
  const counts: number[] = [];
  const before = tf.memory().numTensors;
  await trainGan(inputs(dir, { onStep: () => counts.push(tf.memory().numTensors) }));
  t.is(tf.memory().numTensors, before, 'everything the run made is disposed');
  t.deepEqual(counts.slice(1), Array(5).fill(counts[1]), 'tensor count flat from step 2 on');
  const records = await logged(dir);
  t.deepEqual(records.map((r) => r.step), [1, 2, 3, 4, 5, 6]);
  for (const key of ['gLoss', 'gModeSeeking', 'gModeSeekingRatio', 'gRotationLoss']) {
    t.true(records.every((r) => typeof r[key] === 'number' && Number.isFinite(r[key] as number)), key);
  }
  t.true(records.every((r) => (r.gModeSeeking as number) > 0));

  const off = tempDir('s3gan-ms-loop-off-');
  await trainGan(inputs(off, {}, { modeSeekingWeight: 0 }));
  const plain = await logged(off);
  t.false('gModeSeeking' in plain[0], 'weight 0: no term');
  t.deepEqual(plain[0].dLoss, records[0].dLoss, 'the first D step is the same');
  t.notDeepEqual(plain[0].gLoss, records[0].gLoss, 'the G step is not');
  t.false((await generatorWeights(off)).equals(await generatorWeights(dir)));
});

test.serial('an unconditional method (ssgan) trains with the term', async (t) => {
  const dir = tempDir('s3gan-ms-loop-ssgan-');
  await trainGan(inputs(dir, {}, { steps: 2 }, 'ssgan'));
  const records = await logged(dir);
  t.is(records.length, 2);
  t.true(records.every((r) => Number.isFinite(r.gModeSeeking as number)));
});

test.serial('killed after step 3 and rerun with the term: the resumed run logs the same numbers and weights as an uninterrupted one', async (t) => {
  const whole = tempDir('s3gan-ms-whole-');
  await trainGan(inputs(whole));
  const killed = tempDir('s3gan-ms-killed-');
  t.is((await trainGan(inputs(killed, { stopAfterStep: 3 }))).step, 3);
  const resumed = await trainGan(inputs(killed));
  t.is(resumed.resumedFrom, 2);
  t.deepEqual(await logged(killed), await logged(whole));
  t.true((await generatorWeights(killed)).equals(await generatorWeights(whole)), 'final generator weights are bit-identical');
});

test.serial('a stop request after step 4 with the term: the rerun resumes from its checkpoint and equals an uninterrupted run', async (t) => {
  const whole = tempDir('s3gan-ms-int-whole-');
  await trainGan(inputs(whole, {}, { checkpointEverySteps: 6, logEverySteps: 3 }));
  const dir = tempDir('s3gan-ms-int-');
  let requested: NodeJS.Signals | undefined;
  const stop: StopRequest = {
    get requested() {
      return requested;
    },
    listen: () => () => undefined,
  };
  await t.throwsAsync(trainGan(inputs(dir, { stop, onStep: (step) => void (step === 4 && (requested = 'SIGINT')) }, { checkpointEverySteps: 6, logEverySteps: 3 })), { instanceOf: InterruptedError });
  const resumed = await trainGan(inputs(dir, {}, { checkpointEverySteps: 6, logEverySteps: 3 }));
  t.is(resumed.resumedFrom, 4);
  t.deepEqual(await logged(dir), await logged(whole));
  t.true((await generatorWeights(dir)).equals(await generatorWeights(whole)));
});

test('gan.modeSeekingWeight > 0 with a batch of one is refused naming both keys', (t) => {
  const config = configSchema.parse({ gan: { batchSize: 1, modeSeekingWeight: 0.1 } });
  const error = t.throws(() => checkBatchSize(config.gan, getMethod('cgan-full')), { instanceOf: UserError });
  t.regex(error!.message, /gan\.modeSeekingWeight.*gan\.batchSize must be at least 2, got 1/);
  t.notThrows(() => checkBatchSize(configSchema.parse({ gan: { batchSize: 1 } }).gan, getMethod('cgan-full')));
});
