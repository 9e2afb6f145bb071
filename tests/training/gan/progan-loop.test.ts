/**
 * Tiny ProGAN runs growing 4 → 8 (gan.architecture=progan, WGAN-GP + drift): the growth follows
 * the images shown (4×4 at batch 8, then 8×8 fading in at batch 4), Adam restarts at each phase,
 * the tensor count stays flat across the phase change, a grid per resolution is written, and a run
 * killed in the middle of the fade-in and resumed equals an uninterrupted one, bit for bit.
 */
import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { MetricsLog } from '../../../src/artifacts/metrics-log.js';
import { configSchema, type ConfigInput } from '../../../src/config/schema.js';
import type { ImageSplit } from '../../../src/data/types.js';
import { getMethod, type MethodName } from '../../../src/methods/methods.js';
import { loadGenerator } from '../../../src/api/generator.js';
import { getGrowth } from '../../../src/nn/architectures/progan.js';
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

/**
 * 16 images per phase: steps 1–2 train 4×4 at batch 8 (images 0–16), steps 3–6 fade 8×8 in at
 * batch 4 (α = 0, ¼, ½, ¾), steps 7–8 train 8×8 stably.
 */
const PROGAN: ConfigInput['gan'] = {
  architecture: 'progan',
  method: 'gan',
  loss: 'wasserstein',
  penalty: 'wgan-gp',
  driftWeight: 0.001,
  gLearningRate: 1e-3,
  dLearningRate: 1e-3,
  adamBeta1: 0,
  adamBeta2: 0.99,
  progan: { imagesPerPhase: 16, batchSizes: { 4: 8, 8: 4 } },
};

function inputs(dir: string, gan: ConfigInput['gan'] = {}, method: MethodName = 'gan', overrides: Partial<GanLoopInputs> = {}): GanLoopInputs {
  const split = tinySplit();
  const config = configSchema.parse({
    seed: 3,
    data: { imageSize: 8, prefetchBatches: 0 },
    gan: { width: 2, zDim: 4, batchSize: 4, steps: 8, logEverySteps: 1, sampleEverySteps: 0, checkpointEverySteps: 2, keepCheckpoints: 8, emaStartStep: 2, ...PROGAN, ...gan },
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

const checkpointFile = (dir: string, step: number, file: string) => readFile(path.join(dir, 'checkpoints', `step-${String(step).padStart(8, '0')}`, file));

/** Adam's iteration count in a checkpoint's optimizer file. */
async function adamIterations(dir: string, step: number, name: string): Promise<number> {
  const specs = JSON.parse((await checkpointFile(dir, step, `${name}.json`)).toString('utf8')) as tf.io.WeightsManifestEntry[];
  const bytes = await checkpointFile(dir, step, `${name}.bin`);
  const weights = tf.io.decodeWeights(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length), specs);
  const iterations = weights.iter.dataSync()[0];
  tf.dispose(Object.values(weights));
  return iterations;
}

test.serial('growth follows the images shown, Adam restarts per phase, flat tensor count, a grid per resolution', async (t) => {
  const dir = tempDir('s3gan-progan-');
  const counts: number[] = [];
  const before = tf.memory().numTensors;
  const result = await trainGan(inputs(dir, {}, 'gan', { onStep: () => counts.push(tf.memory().numTensors) }));
  t.is(tf.memory().numTensors, before, 'everything the run made is disposed');
  t.deepEqual(counts, Array(counts.length).fill(counts[0]), 'tensor count flat, across the phase changes and the batch size change too');
  t.is(result.imagesSeen, 2 * 8 + 6 * 4);
  const records = await logged(dir);
  t.deepEqual(records.map((r) => r.growthResolution), [4, 4, 8, 8, 8, 8, 8, 8]);
  t.deepEqual(records.map((r) => r.fadeAlpha), [1, 1, 0, 0.25, 0.5, 0.75, 1, 1]);
  t.deepEqual(records.map((r) => r.imagesSeen), [8, 16, 20, 24, 28, 32, 36, 40]);
  t.true(records.every((r) => Number.isFinite(r.penaltyWganGp) && Number.isFinite(r.dDrift) && (r.dDrift as number) > 0), 'WGAN-GP and drift logged');
  // Phase 0 ends after step 2; the fade-in (phase 1) restarts Adam at step 3, the stable phase at step 7.
  t.is(await adamIterations(dir, 2, 'optimizer-d'), 2);
  t.is(await adamIterations(dir, 4, 'optimizer-d'), 2);
  t.is(await adamIterations(dir, 6, 'optimizer-g'), 4);
  t.is(await adamIterations(dir, 8, 'optimizer-g'), 2);
  for (const grid of ['resolution-4x4.png', 'resolution-8x8.png', 'step-00000008.png']) t.true(existsSync(path.join(dir, 'samples', grid)), grid);
});

test.serial('killed in the middle of a fade-in and resumed equals an uninterrupted run', async (t) => {
  const whole = tempDir('s3gan-progan-whole-');
  await trainGan(inputs(whole));
  const killed = tempDir('s3gan-progan-killed-');
  // Killed after step 5 (α = ½); the newest checkpoint is step 4's, in the middle of the fade-in.
  t.is((await trainGan(inputs(killed, {}, 'gan', { stopAfterStep: 5 }))).step, 5);
  t.is((await trainGan(inputs(killed))).resumedFrom, 4);
  t.deepEqual(await logged(killed), await logged(whole));
  for (const file of ['discriminator/weights.bin', 'generator/weights.bin', 'generator-ema/weights.bin', 'optimizer-d.bin', 'optimizer-g.bin']) {
    t.true((await checkpointFile(killed, 8, file)).equals(await checkpointFile(whole, 8, file)), file);
  }
  t.true((await readFile(path.join(killed, 'samples', 'resolution-4x4.png'))).equals(await readFile(path.join(whole, 'samples', 'resolution-4x4.png'))));
});

test.serial('conditional ProGAN (projection D, class embedding in G) trains, exports and loads at its growth', async (t) => {
  const dir = tempDir('s3gan-progan-cond-');
  const exports = path.join(dir, 'export');
  const base = inputs(dir, { classEmbeddingDim: 4, steps: 4 }, 'cgan-full', { classNames: ['a', 'b', 'c'] });
  const result = await trainGan({ ...base, paths: { ...base.paths, exports } });
  t.is(result.step, 4);
  t.true((await logged(dir)).every((r) => Number.isFinite(r.dLoss)));
  const generator = await loadGenerator(exports, { ema: true });
  try {
    t.true(generator.conditional);
    t.is(generator.numClasses, 3);
    t.deepEqual(generator.classNames, ['a', 'b', 'c']);
    // Step 4 trained 8×8 fading in at α = ¼ (images 20–24): the export keeps that growth.
    t.deepEqual(getGrowth(generator.model), { resolution: 8, alpha: 0.25 });
  } finally {
    generator.dispose();
  }
});

const REFUSED = [
  { label: 'a method with a rotation head', gan: { rotatedBatchFraction: 1 }, method: 'ssgan', message: /^gan\.architecture=progan has no rotation or classifier head on D: method ssgan/ },
  { label: 'a conditional method without a class embedding', gan: {}, method: 'cgan-full', message: /^gan\.classEmbeddingDim must be > 0/ },
  { label: 'a batch size for a resolution it does not have', gan: { progan: { batchSizes: { 16: 4 } } }, method: 'gan', message: /^gan\.progan\.batchSizes: '16' is not a resolution/ },
  { label: 'a batch size the stddev groups do not divide', gan: { progan: { batchSizes: { 8: 6 } } }, method: 'gan', message: /^gan\.progan\.batchSizes: 6 at 8×8 is not a multiple of 4/ },
] as const;

for (const c of REFUSED) {
  test.serial(`refused before anything is written: ${c.label}`, async (t) => {
    const dir = tempDir('s3gan-progan-refused-');
    const error = await t.throwsAsync(trainGan(inputs(dir, c.gan, c.method)), { instanceOf: UserError });
    t.regex(error!.message, c.message);
    t.false(existsSync(path.join(dir, 'checkpoints')));
    t.false(existsSync(path.join(dir, 'metrics.jsonl')));
  });
}
