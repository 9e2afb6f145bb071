import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { MetricsLog } from '../../src/artifacts/metrics-log.js';
import { configSchema, type ConfigInput } from '../../src/config/schema.js';
import type { ImageSplit } from '../../src/data/types.js';
import { getMethod } from '../../src/methods/methods.js';
import { DivergenceError } from '../../src/training/common/divergence.js';
import { trainGan, type GanLoopInputs } from '../../src/training/gan/loop.js';
import { trainRotationEncoder, type PretrainLoopInputs } from '../../src/training/pretrain/loop.js';
import { generatorStep } from '../../src/training/gan/steps.js';
import { InterruptedError, signalStopRequest, type StopRequest } from '../../src/util/interrupt.js';
import { Rng } from '../../src/util/rng.js';
import { mnistTrainSubset, SILENT } from '../fixtures.js';
import { tempDir } from '../temp.js';

test.before(async () => {
  await tf.setBackend('cpu');
});

/** 24 random 8×8 grey images, classes 0,1,2 in turn (as in loop.test.ts). */
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

/** Records every 3 steps, checkpoints on the step schedule only at the end (step 6). */
function ganInputs(dir: string, overrides: Partial<GanLoopInputs> = {}, gan: ConfigInput['gan'] = {}): GanLoopInputs {
  const split = tinySplit();
  const config = configSchema.parse({
    seed: 3,
    data: { imageSize: 8, prefetchBatches: 0 },
    gan: { width: 2, zDim: 4, batchSize: 4, steps: 6, logEverySteps: 3, sampleEverySteps: 0, checkpointEverySteps: 6, emaStartStep: 2, rotatedBatchFraction: 1, ...gan },
  });
  return {
    config,
    method: getMethod('s3gan'),
    split,
    numClasses: 3,
    labels: split.labels,
    paths: { checkpoints: path.join(dir, 'checkpoints'), samples: path.join(dir, 'samples'), metrics: path.join(dir, 'metrics.jsonl') },
    progressStream: SILENT,
    ...overrides,
  };
}

async function pretrainInputs(dir: string, overrides: Partial<PretrainLoopInputs> = {}): Promise<PretrainLoopInputs> {
  const config = configSchema.parse({
    seed: 0,
    data: { imageSize: 8, fit: 'resize', prefetchBatches: 0 },
    pretrain: { width: 4, batchSize: 8, steps: 6, heldOutFraction: 0.1, logEverySteps: 3, logHeldOutImages: 4, checkpointEverySteps: 6 },
  });
  return {
    config,
    split: await mnistTrainSubset(64),
    paths: { checkpoints: path.join(dir, 'checkpoints'), metrics: path.join(dir, 'metrics.jsonl'), encoder: path.join(dir, 'encoder') },
    progressStream: SILENT,
    ...overrides,
  };
}

/** Logged numbers without the wall-clock fields. */
async function logged(dir: string) {
  return (await MetricsLog.read(path.join(dir, 'metrics.jsonl'))).map(({ time: _time, imagesPerSecond: _rate, ...rest }) => rest);
}

/** A StopRequest that a test triggers (at a step, through onStep), counting its listeners. */
function fakeStop(atStep: number, signal: NodeJS.Signals) {
  let requested: NodeJS.Signals | undefined;
  const listening = { count: 0 };
  const stop: StopRequest = {
    get requested() {
      return requested;
    },
    listen() {
      listening.count++;
      return () => void listening.count--;
    },
  };
  return { stop, listening, onStep: (step: number) => void (step === atStep && (requested = signal)) };
}

/** A clock that jumps `minutes` forward right after step `atStep`. */
function jumpingClock(atStep: number, minutes: number) {
  let ms = 0;
  return { now: () => ms, onStep: (step: number) => void (step === atStep && (ms += minutes * 60_000)) };
}

const generatorWeights = (dir: string) => readFile(path.join(dir, 'checkpoints', 'step-00000006', 'generator', 'weights.bin'));

test.serial('GAN: a stop request after step 4 writes a checkpoint there and throws; the rerun resumes from it and equals an uninterrupted run', async (t) => {
  const whole = tempDir('s3gan-int-gan-whole-');
  await trainGan(ganInputs(whole));

  const dir = tempDir('s3gan-int-gan-');
  const { stop, listening, onStep } = fakeStop(4, 'SIGINT');
  const before = tf.memory().numTensors;
  const error = await t.throwsAsync(trainGan(ganInputs(dir, { stop, onStep })), { instanceOf: InterruptedError });
  t.is(tf.memory().numTensors, before, 'nothing leaks on the way out');
  t.is(error!.exitCode, 130);
  t.regex(error!.message, /^GAN training interrupted at step 4: checkpoint written to .*step-00000004; rerun the same command to continue$/);
  t.is(listening.count, 0, 'the loop stopped listening');
  t.deepEqual(await readdir(path.join(dir, 'checkpoints')), ['step-00000004']);

  const resumed = await trainGan(ganInputs(dir));
  t.is(resumed.resumedFrom, 4);
  // Step 6's record averages steps 4..6: step 4's numbers travelled in the checkpoint.
  t.deepEqual(await logged(dir), await logged(whole));
  t.true((await generatorWeights(dir)).equals(await generatorWeights(whole)), 'final generator weights are bit-identical');
});

test.serial('GAN: gan.checkpointEveryMinutes writes a checkpoint at whatever step the time runs out, and resuming from it is exact', async (t) => {
  const whole = tempDir('s3gan-int-gan-time-whole-');
  await trainGan(ganInputs(whole));

  const dir = tempDir('s3gan-int-gan-time-');
  const clock = jumpingClock(2, 10);
  await trainGan(ganInputs(dir, { now: clock.now, onStep: clock.onStep, stopAfterStep: 5 }, { checkpointEveryMinutes: 10 }));
  t.deepEqual(await readdir(path.join(dir, 'checkpoints')), ['step-00000002'], 'only the timed checkpoint (steps 3..5 came within 10 minutes of it)');

  const resumed = await trainGan(ganInputs(dir, {}, { checkpointEveryMinutes: 10 }));
  t.is(resumed.resumedFrom, 2);
  t.deepEqual(await logged(dir), await logged(whole));
  t.true((await generatorWeights(dir)).equals(await generatorWeights(whole)));

  const off = tempDir('s3gan-int-gan-time-off-');
  const offClock = jumpingClock(2, 1e6);
  await trainGan(ganInputs(off, { now: offClock.now, onStep: offClock.onStep, stopAfterStep: 5 }, { checkpointEveryMinutes: 0 }));
  t.false(existsSync(path.join(off, 'checkpoints', 'step-00000002')), '0 turns the timed checkpoints off');
});

test.serial('pretraining: SIGTERM after step 4 writes a checkpoint (exit code 143); the rerun resumes and equals an uninterrupted run', async (t) => {
  const whole = tempDir('s3gan-int-pre-whole-');
  await trainRotationEncoder(await pretrainInputs(whole));

  const dir = tempDir('s3gan-int-pre-');
  const { stop, listening, onStep } = fakeStop(4, 'SIGTERM');
  const error = await t.throwsAsync(trainRotationEncoder(await pretrainInputs(dir, { stop, onStep })), { instanceOf: InterruptedError });
  t.is(error!.exitCode, 143);
  t.regex(error!.message, /^pretraining interrupted at step 4: checkpoint written to .*step-00000004; rerun/);
  t.is(listening.count, 0);
  t.false(existsSync(path.join(dir, 'encoder')), 'no end-of-run writes');

  const resumed = await trainRotationEncoder(await pretrainInputs(dir));
  t.is(resumed.resumedFrom, 4);
  t.deepEqual(await logged(dir), await logged(whole));
  const weights = (d: string) => readFile(path.join(d, 'encoder', 'weights.bin'));
  t.true((await weights(dir)).equals(await weights(whole)), 'final encoder weights are bit-identical');
});

test.serial('pretraining: a timed checkpoint between two records resumes to the same numbers', async (t) => {
  const whole = tempDir('s3gan-int-pre-time-whole-');
  await trainRotationEncoder(await pretrainInputs(whole));

  const dir = tempDir('s3gan-int-pre-time-');
  const clock = jumpingClock(2, 0.5);
  const base = await pretrainInputs(dir);
  const config = { ...base.config, pretrain: { ...base.config.pretrain, checkpointEveryMinutes: 0.5 } };
  await trainRotationEncoder({ ...base, config, now: clock.now, onStep: clock.onStep, stopAfterStep: 5 });
  t.deepEqual(await readdir(path.join(dir, 'checkpoints')), ['step-00000002']);
  const resumed = await trainRotationEncoder({ ...base, config });
  t.is(resumed.resumedFrom, 2);
  t.deepEqual(await logged(dir), await logged(whole));
});

test.serial('a divergence at step 1, with no checkpoint anywhere, says there is nothing to resume', async (t) => {
  const dir = tempDir('s3gan-int-nan-');
  const poisoned: typeof generatorStep = (...args) => ({ ...generatorStep(...args), gLoss: Number.NaN });
  const error = await t.throwsAsync(trainGan(ganInputs(dir, { steps: { generator: poisoned } })), { instanceOf: DivergenceError });
  t.regex(error!.message, /generator step 1: gLoss = NaN; no checkpoint was written yet, so there is nothing to resume: lower gan\.dLearningRate/);
  t.notRegex(error!.message, /resume from that checkpoint/);
});

test.serial('the CLI stop request listens only while asked, takes the first signal, then restores the default action', (t) => {
  const lines: string[] = [];
  const stop = signalStopRequest({ write: (chunk: string) => lines.push(chunk) });
  const before = process.listenerCount('SIGINT');
  t.is(stop.requested, undefined);
  const unlisten = stop.listen();
  t.is(process.listenerCount('SIGINT'), before + 1);
  t.is(process.listenerCount('SIGTERM'), 1);
  process.emit('SIGINT');
  t.is(stop.requested, 'SIGINT');
  t.regex(lines.join(''), /SIGINT: stopping after the current step to write a checkpoint \(send it again to quit at once\)/);
  t.is(process.listenerCount('SIGINT'), before, 'no handler left: a second Ctrl-C ends the process at once');
  t.is(process.listenerCount('SIGTERM'), 0);
  unlisten();
  t.is(process.listenerCount('SIGINT'), before);
});
