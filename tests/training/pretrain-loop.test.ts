import test from 'ava';
import { mnistTrainSubset, SILENT } from '../fixtures.js';
import * as tf from '@tensorflow/tfjs';
import { readdir, readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { MetricsLog } from '../../src/artifacts/metrics-log.js';
import { readModelDir } from '../../src/artifacts/model-files.js';
import { configSchema, type ConfigInput } from '../../src/config/schema.js';
import { readPretrainCheckpointState } from '../../src/training/pretrain/checkpoint.js';
import { heldOutSplit, trainRotationEncoder, type PretrainLoopInputs } from '../../src/training/pretrain/loop.js';
import { UserError } from '../../src/util/errors.js';
import { tempDir } from '../temp.js';

test.before(async () => {
  await tf.setBackend('cpu');
});

/** MNIST resized to 8×8, width 4: small enough for the cpu backend, big enough to learn rotations. */
function config(pretrain: ConfigInput['pretrain'] = {}) {
  return configSchema.parse({
    seed: 0,
    data: { imageSize: 8, fit: 'resize', prefetchBatches: 0 },
    pretrain: { width: 4, batchSize: 8, steps: 6, heldOutFraction: 0.1, logEverySteps: 1, logHeldOutImages: 4, checkpointEverySteps: 2, keepCheckpoints: 2, ...pretrain },
  });
}

async function inputs(dir: string, overrides: Partial<PretrainLoopInputs> = {}): Promise<PretrainLoopInputs> {
  return {
    config: config(),
    split: await mnistTrainSubset(64),
    paths: { checkpoints: path.join(dir, 'checkpoints'), metrics: path.join(dir, 'metrics.jsonl'), encoder: path.join(dir, 'encoder') },
    progressStream: SILENT,
    ...overrides,
  };
}

/** Logged numbers without the wall-clock fields. */
async function logged(file: string) {
  return (await MetricsLog.read(file)).map(({ time: _time, imagesPerSecond: _rate, ...rest }) => rest);
}

test.serial('on real MNIST digits the rotation loss falls and the held-out accuracy rises well above chance', async (t) => {
  const dir = tempDir('s3gan-pretrain-learn-');
  const result = await trainRotationEncoder(
    await inputs(dir, {
      config: config({ steps: 24, batchSize: 16, learningRate: 3e-3, heldOutFraction: 0.1, logEverySteps: 6, logHeldOutImages: 40, checkpointEverySteps: 24 }),
      split: await mnistTrainSubset(400),
    }),
  );
  const records = await MetricsLog.read(path.join(dir, 'metrics.jsonl'));
  t.deepEqual(records.map((r) => r.step), [6, 12, 18, 24]);
  const [first, last] = [records[0], records.at(-1)!];
  t.log(records.map((r) => `step ${r.step}: loss ${(r.loss as number).toFixed(3)}, held-out ${(r.heldOutAccuracy as number).toFixed(3)}`).join('\n'));
  t.true((last.loss as number) < (first.loss as number) - 0.15, 'training loss falls');
  t.true((last.loss as number) < Math.log(4) - 0.2, 'and ends well below chance (ln 4)');
  t.true(result.heldOut!.accuracy >= 0.55, `held-out accuracy ${result.heldOut!.accuracy} is well above chance (0.25)`);
  t.true(result.heldOut!.accuracy > (first.heldOutAccuracy as number) + 0.1, 'held-out accuracy rises');
  t.is(result.heldOut!.images, 40);
  t.is(result.trainImages, 360);
  t.is(last.heldOutAccuracy, result.heldOut!.accuracy, 'the last record scores the whole held-out set');
});

test.serial('a run logs every step, keeps the newest checkpoints, writes the encoder and leaks no tensor', async (t) => {
  const dir = tempDir('s3gan-pretrain-');
  const counts: number[] = [];
  const before = tf.memory().numTensors;
  const result = await trainRotationEncoder(await inputs(dir, { onStep: () => counts.push(tf.memory().numTensors) }));
  t.is(tf.memory().numTensors, before, 'everything the run made is disposed');
  t.deepEqual(counts.slice(1), Array(5).fill(counts[1]), 'tensor count flat from step 2 on (Adam slots exist after step 1)');
  t.is(result.step, 6);
  t.is(result.imagesSeen, 48);
  t.deepEqual(result.blockFeatureSizes, [4, 8, 16, 32]);
  const records = await MetricsLog.read(path.join(dir, 'metrics.jsonl'));
  t.deepEqual(records.map((r) => r.step), [1, 2, 3, 4, 5, 6]);
  t.true(records.every((r) => r.stage === 'pretrain'));
  for (const key of ['loss', 'accuracy', 'heldOutAccuracy', 'heldOutLoss']) t.true(records.every((r) => Number.isFinite(r[key] as number)), key);
  t.deepEqual(records.map((r) => r.heldOutImages), [4, 4, 4, 4, 4, 6], 'a subset at each log, all 6 held-out images at the end');
  t.deepEqual(await readdir(path.join(dir, 'checkpoints')), ['step-00000004', 'step-00000006']);
  const state = await readPretrainCheckpointState(path.join(dir, 'checkpoints', 'step-00000006'));
  t.like(state, { step: 6, batchesSeen: 6, imagesSeen: 48 });
  const encoder = await readModelDir(path.join(dir, 'encoder'));
  t.is(encoder.outputs.length, 5);
  encoder.dispose();
});

test.serial('killed after step 3 and rerun: the resumed run logs the same numbers and ends with the same encoder', async (t) => {
  const whole = tempDir('s3gan-pretrain-whole-');
  await trainRotationEncoder(await inputs(whole));
  const killed = tempDir('s3gan-pretrain-killed-');
  const first = await trainRotationEncoder(await inputs(killed, { stopAfterStep: 3 }));
  t.is(first.step, 3);
  t.is(first.heldOut, undefined, 'no end-of-run score when stopped early');
  t.deepEqual((await logged(path.join(killed, 'metrics.jsonl'))).map((r) => r.step), [1, 2, 3]);
  const resumed = await trainRotationEncoder(await inputs(killed));
  t.is(resumed.resumedFrom, 2, 'resumes from the checkpoint of step 2');
  t.deepEqual(await logged(path.join(killed, 'metrics.jsonl')), await logged(path.join(whole, 'metrics.jsonl')));
  const weightsOf = (dir: string) => readFile(path.join(dir, 'encoder', 'weights.bin'));
  t.true((await weightsOf(killed)).equals(await weightsOf(whole)), 'final weights (batch-norm statistics included) are bit-identical');
  const again = await trainRotationEncoder(await inputs(killed));
  t.is(again.resumedFrom, 6, 'a finished run is not trained again');
  t.is(again.heldOut?.accuracy, resumed.heldOut?.accuracy);
});

test.serial('held-out images are never trained on; the choice is fixed by the seed', async (t) => {
  const dir = tempDir('s3gan-pretrain-heldout-');
  const trained = new Set<number>();
  // 64 images, 6 held out, batches of 8: 12 steps go through the 58 others in almost two epochs.
  await trainRotationEncoder(await inputs(dir, { config: config({ steps: 12 }), onStep: (_step, batch) => batch.forEach((i) => trained.add(i)) }));
  const { heldOut, train } = heldOutSplit(64, 0.1, 0);
  t.is(heldOut.length, 6);
  t.is(train.length, 58);
  t.false([...heldOut].some((i) => trained.has(i)), 'no held-out image was in any batch');
  t.true(trained.size >= 56, 'and the others were (an epoch drops its last partial batch)');
  t.deepEqual([...heldOut, ...train].sort((a, b) => a - b), Array.from({ length: 64 }, (_, i) => i));
  t.deepEqual(heldOutSplit(64, 0.1, 0), { heldOut, train }, 'same seed, same sets');
  t.notDeepEqual(heldOutSplit(64, 0.1, 1).heldOut, heldOut, 'another seed, other sets');
});

test.serial('a checkpoint from other settings is refused, naming the run directory fix', async (t) => {
  const dir = tempDir('s3gan-pretrain-mismatch-');
  await trainRotationEncoder(await inputs(dir, { config: config({ steps: 2 }) }));
  const error = await t.throwsAsync(trainRotationEncoder(await inputs(dir, { config: config({ steps: 4, batchSize: 4 }) })), { instanceOf: UserError });
  t.regex(error!.message, /other seed, data or pretrain settings.*use another run\.dir/);
  // The step count and learning rate may change: a finished run continues.
  const more = await trainRotationEncoder(await inputs(dir, { config: config({ steps: 4, learningRate: 1e-4 }) }));
  t.is(more.resumedFrom, 2);
  t.is(more.step, 4);
});
