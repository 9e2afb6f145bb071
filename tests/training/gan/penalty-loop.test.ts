/**
 * Tiny training runs with each gradient penalty (and L2 on D's kernels): the penalty is logged
 * every step under its own key, the tensor count is flat across steps, the same seed gives the
 * same numbers and weights, and a run killed and resumed equals an uninterrupted one (the
 * penalty's U[0, 1] draws come from the checkpointed noise stream).
 */
import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { MetricsLog } from '../../../src/artifacts/metrics-log.js';
import { configSchema, type ConfigInput } from '../../../src/config/schema.js';
import type { ImageSplit } from '../../../src/data/types.js';
import { getMethod, type MethodName } from '../../../src/methods/methods.js';
import { methodObjective } from '../../../src/training/gan/objective/build.js';
import { trainGan, type GanLoopInputs } from '../../../src/training/gan/loop.js';
import { UserError } from '../../../src/util/errors.js';
import { Rng } from '../../../src/util/rng.js';
import { SILENT } from '../../fixtures.js';
import { tempDir } from '../../temp.js';

test.before(async () => {
  await tf.setBackend('cpu');
});

/** 24 random 8×8 grey images, classes 0,1,2 in turn. */
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

function inputs(dir: string, gan: ConfigInput['gan'], method: MethodName = 'cgan-full', overrides: Partial<GanLoopInputs> = {}): GanLoopInputs {
  const split = tinySplit();
  const config = configSchema.parse({
    seed: 5,
    data: { imageSize: 8, prefetchBatches: 0 },
    gan: { width: 2, zDim: 4, batchSize: 4, steps: 4, logEverySteps: 1, sampleEverySteps: 0, checkpointEverySteps: 2, keepCheckpoints: 2, emaStartStep: 2, rotatedBatchFraction: 1, ...gan },
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

async function logged(dir: string) {
  return (await MetricsLog.read(path.join(dir, 'metrics.jsonl'))).map(({ time: _time, imagesPerSecond: _rate, ...rest }) => rest);
}

const discriminatorWeights = (dir: string) => readFile(path.join(dir, 'checkpoints', 'step-00000004', 'discriminator', 'weights.bin'));

const CASES = [
  { label: 'WGAN-GP (wasserstein, 2 D steps)', gan: { loss: 'wasserstein', penalty: 'wgan-gp', dSteps: 2 }, key: 'penaltyWganGp' },
  { label: 'DRAGAN', gan: { penalty: 'dragan' }, key: 'penaltyDragan' },
  { label: 'R1', gan: { penalty: 'r1', penaltyWeight: 1 }, key: 'penaltyR1' },
  { label: 'L2 on the kernels', gan: { l2Weight: 1e-4 }, key: 'penaltyL2' },
] as const;

for (const c of CASES) {
  test.serial(`${c.label}: logged every step, flat tensor count, same seed same numbers, differs from no penalty`, async (t) => {
    const dir = tempDir('s3gan-penalty-');
    const counts: number[] = [];
    const before = tf.memory().numTensors;
    await trainGan(inputs(dir, c.gan, 'cgan-full', { onStep: () => counts.push(tf.memory().numTensors) }));
    t.is(tf.memory().numTensors, before, 'everything the run made is disposed');
    t.deepEqual(counts.slice(1), Array(counts.length - 1).fill(counts[1]), 'tensor count flat from step 2 on');
    const records = await logged(dir);
    t.deepEqual(records.map((r) => r.step), [1, 2, 3, 4]);
    t.true(records.every((r) => Number.isFinite(r[c.key] as number) && (r[c.key] as number) > 0), c.key);

    const again = tempDir('s3gan-penalty-again-');
    await trainGan(inputs(again, c.gan));
    t.deepEqual(await logged(again), records, 'same seed, same numbers');
    t.true((await discriminatorWeights(again)).equals(await discriminatorWeights(dir)));

    const off = tempDir('s3gan-penalty-off-');
    await trainGan(inputs(off, { ...c.gan, penalty: 'none', l2Weight: 0 }));
    const plain = await logged(off);
    t.false(c.key in plain[0], 'no penalty: no key');
    t.not(plain[0].dLoss, records[0].dLoss, 'the penalty enters L_D');
  });
}

test.serial('WGAN-GP with a rotation head on D (ssgan): killed and resumed equals uninterrupted', async (t) => {
  const gan = { loss: 'wasserstein', penalty: 'wgan-gp' } as const;
  const whole = tempDir('s3gan-penalty-whole-');
  await trainGan(inputs(whole, gan, 'ssgan'));
  const killed = tempDir('s3gan-penalty-killed-');
  t.is((await trainGan(inputs(killed, gan, 'ssgan', { stopAfterStep: 3 }))).step, 3);
  await trainGan(inputs(killed, gan, 'ssgan'));
  t.deepEqual(await logged(killed), await logged(whole));
  t.true((await discriminatorWeights(killed)).equals(await discriminatorWeights(whole)));
});

test('a penalty on a method without a discriminator (mvm) is refused naming the key', (t) => {
  const gan = configSchema.parse({ gan: { penalty: 'r1' } }).gan;
  const error = t.throws(() => methodObjective(getMethod('mvm'), gan), { instanceOf: UserError });
  t.regex(error!.message, /^gan\.penalty: method mvm trains no discriminator/);
});
