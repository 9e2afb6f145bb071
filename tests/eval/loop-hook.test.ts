import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import * as path from 'node:path';
import { MetricsLog } from '../../src/artifacts/metrics-log.js';
import { configSchema } from '../../src/config/schema.js';
import { getMethod } from '../../src/methods/methods.js';
import { GAN_EVAL_STAGE, trainGan, type GanLoopInputs } from '../../src/training/gan/loop.js';
import { tempDir } from '../temp.js';
import { NUM_CLASSES, SILENT, squaresSplit } from './fixtures.js';

test.before(async () => {
  await tf.setBackend('cpu');
});

function inputs(dir: string, everySteps: number, evaluate: GanLoopInputs['evaluate']): GanLoopInputs {
  const split = squaresSplit(24, 1, 'img');
  return {
    config: configSchema.parse({
      seed: 3,
      data: { imageSize: 8, prefetchBatches: 0 },
      gan: { width: 2, zDim: 4, batchSize: 4, steps: 6, logEverySteps: 1, sampleEverySteps: 0, checkpointEverySteps: 2, emaStartStep: 2 },
      eval: { everySteps },
    }),
    method: getMethod('cgan-full'),
    split,
    numClasses: NUM_CLASSES,
    labels: split.labels,
    paths: { checkpoints: path.join(dir, 'checkpoints'), samples: path.join(dir, 'samples'), metrics: path.join(dir, 'metrics.jsonl') },
    progressStream: SILENT,
    evaluate,
  };
}

async function evalRecords(dir: string) {
  return (await MetricsLog.read(path.join(dir, 'metrics.jsonl'))).filter((r) => r.stage === GAN_EVAL_STAGE);
}

test.serial('the loop calls the evaluation every eval.everySteps steps with G-EMA and logs its record', async (t) => {
  const dir = tempDir('s3gan-loop-eval-');
  const seen: { step: number; outputShape: unknown }[] = [];
  await trainGan(
    inputs(dir, 2, async (generator, step) => {
      seen.push({ step, outputShape: generator.outputs[0].shape });
      return { fid: 10 * step, n_fake: 8 };
    }),
  );
  t.deepEqual(seen.map((s) => s.step), [2, 4, 6]);
  t.deepEqual(seen[0].outputShape, [null, 8, 8, 1]);
  const records = await evalRecords(dir);
  t.deepEqual(records.map((r) => [r.step, r.fid, r.n_fake]), [[2, 20, 8], [4, 40, 8], [6, 60, 8]]);
  const ganSteps = (await MetricsLog.read(path.join(dir, 'metrics.jsonl'))).filter((r) => r.stage === 'gan').map((r) => r.step);
  t.deepEqual(ganSteps, [1, 2, 3, 4, 5, 6], 'the training records are unchanged');
});

test.serial('with eval.everySteps = 0 the callback is never called; a resumed run drops evaluations after its checkpoint', async (t) => {
  const off = tempDir('s3gan-loop-eval-');
  let calls = 0;
  await trainGan(inputs(off, 0, async () => ({ fid: (calls += 1) })));
  t.is(calls, 0);

  const dir = tempDir('s3gan-loop-eval-');
  const evaluate = async (_generator: tf.LayersModel, step: number) => ({ fid: step });
  await trainGan({ ...inputs(dir, 1, evaluate), stopAfterStep: 3 });
  t.deepEqual((await evalRecords(dir)).map((r) => r.step), [1, 2, 3]);
  await trainGan(inputs(dir, 1, evaluate));
  t.deepEqual((await evalRecords(dir)).map((r) => r.step), [1, 2, 3, 4, 5, 6], 'step 3 (after the step-2 checkpoint) was dropped and redone once');
});
