import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { readdir, readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { MetricsLog } from '../../src/artifacts/metrics-log.js';
import { configSchema, type ConfigInput } from '../../src/config/schema.js';
import { UNLABELLED, type ImageSplit } from '../../src/data/types.js';
import { getMethod, type MethodName } from '../../src/methods/methods.js';
import { trainGan, type GanLoopInputs } from '../../src/training/gan/loop.js';
import { InterruptedError, type StopRequest } from '../../src/util/interrupt.js';
import { mnistTrainSubset, SILENT } from '../fixtures.js';
import { tempDir } from '../temp.js';

test.before(async () => {
  await tf.setBackend('cpu');
});

let mnist: ImageSplit | undefined;

/** MNIST resized to 8×8, batch 4, width 2; records every 3 steps, a step checkpoint only at the end. */
async function inputs(dir: string, method: MethodName, gan: ConfigInput['gan'] = {}, overrides: Partial<GanLoopInputs> = {}): Promise<GanLoopInputs> {
  mnist ??= await mnistTrainSubset(64);
  const config = configSchema.parse({
    seed: 5,
    data: { imageSize: 8, fit: 'resize', prefetchBatches: 0 },
    gan: { method, width: 2, zDim: 4, batchSize: 4, steps: 6, logEverySteps: 3, sampleEverySteps: 0, checkpointEverySteps: 6, emaStartStep: 2, rotatedBatchFraction: 1, ...gan },
  });
  return {
    config,
    method: getMethod(method),
    split: mnist,
    numClasses: 10,
    labels: mnist.labels,
    paths: { checkpoints: path.join(dir, 'checkpoints'), samples: path.join(dir, 'samples'), metrics: path.join(dir, 'metrics.jsonl') },
    progressStream: SILENT,
    ...overrides,
  };
}

/** Logged numbers without the wall-clock fields. */
async function logged(dir: string) {
  return (await MetricsLog.read(path.join(dir, 'metrics.jsonl'))).map(({ time: _time, imagesPerSecond: _rate, ...rest }) => rest);
}

const MANIFOLD_KEYS = ['gManifoldLoss', 'manifoldCentroid', 'manifoldRadius', 'manifoldCorrelation', 'manifoldSquaredBandwidth'];

test.serial('mmgan: 20 steps with a flat tensor count, every manifold part logged, nothing left behind', async (t) => {
  const dir = tempDir('s3gan-mmgan-loop-');
  const counts: number[] = [];
  const before = tf.memory().numTensors;
  await trainGan(await inputs(dir, 'mmgan', { steps: 20, logEverySteps: 1, checkpointEverySteps: 20 }, { onStep: () => counts.push(tf.memory().numTensors) }));
  t.is(tf.memory().numTensors, before, 'everything the run made is disposed');
  t.deepEqual(counts.slice(1), Array(19).fill(counts[1]), 'tensor count flat from step 2 on');
  const records = await MetricsLog.read(path.join(dir, 'metrics.jsonl'));
  t.is(records.length, 20);
  for (const key of ['dLoss', 'dLossReal', 'dLossFake', 'gLoss', ...MANIFOLD_KEYS]) {
    t.true(records.every((r) => typeof r[key] === 'number' && Number.isFinite(r[key] as number)), key);
  }
  // G minimises the manifold term alone, with weight 1.
  t.true(records.every((r) => Math.abs((r.gLoss as number) - (r.gManifoldLoss as number)) < 1e-6));
});

test.serial('mmgan: a stop after step 4 resumes to the numbers, weights and manifold memory of an uninterrupted run', async (t) => {
  const whole = tempDir('s3gan-mmgan-whole-');
  await trainGan(await inputs(whole, 'mmgan'));

  const dir = tempDir('s3gan-mmgan-int-');
  let requested: NodeJS.Signals | undefined;
  const stop: StopRequest = { get requested() { return requested; }, listen: () => () => undefined };
  await t.throwsAsync(trainGan(await inputs(dir, 'mmgan', {}, { stop, onStep: (step) => void (step === 4 && (requested = 'SIGINT')) })), { instanceOf: InterruptedError });
  t.deepEqual(await readdir(path.join(dir, 'checkpoints')), ['step-00000004']);
  t.true((await readdir(path.join(dir, 'checkpoints', 'step-00000004'))).includes('objective-state.bin'), 'the memory is in the checkpoint');

  const resumed = await trainGan(await inputs(dir, 'mmgan'));
  t.is(resumed.resumedFrom, 4);
  t.deepEqual(await logged(dir), await logged(whole));
  const file = (run: string, name: string) => readFile(path.join(run, 'checkpoints', 'step-00000006', name));
  t.true((await file(dir, 'generator/weights.bin')).equals(await file(whole, 'generator/weights.bin')), 'generator weights bit-identical');
  t.true((await file(dir, 'objective-state.bin')).equals(await file(whole, 'objective-state.bin')), 'manifold memory bit-identical');
});

test.serial('s3gan-co with gan.manifoldWeight: unlabelled real images in the G step are projected with D\'s prediction', async (t) => {
  const dir = tempDir('s3gan-co-manifold-');
  const base = await inputs(dir, 's3gan-co', { steps: 3, logEverySteps: 1, checkpointEverySteps: 3, manifoldWeight: 0.5 });
  // Every other image unlabelled, as in co-training's labelled subset.
  const labels = Int32Array.from(base.labels, (label, i) => (i % 2 === 0 ? label : UNLABELLED));
  await trainGan({ ...base, labels });
  const records = await MetricsLog.read(path.join(dir, 'metrics.jsonl'));
  for (const key of ['gRotationLoss', 'dClassifierLoss', ...MANIFOLD_KEYS]) {
    t.true(records.every((r) => typeof r[key] === 'number' && Number.isFinite(r[key] as number)), key);
  }
});
