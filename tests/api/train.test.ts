import test from 'ava';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { evaluate, InterruptedError, run, train, UserError } from '../../src/index.js';
import { dirSnapshot } from '../cli/helpers.js';
import { tempDir } from '../temp.js';
import { TINY_EVAL, tinyGan, tinyMnist } from './fixtures.js';

const mnist = tinyMnist();
const TINY = tinyGan(mnist);

test.serial('train() trains a tiny GAN from code, resumes it with more steps, and evaluate() scores it', async (t) => {
  const runDir = path.join(tempDir('s3gan-api-train-'), 'run');
  const lines: string[] = [];
  const first = await train({ run: runDir, steps: 2, set: { ...TINY, 'gan.method': 'cgan-full' }, log: (line) => lines.push(line) });
  t.is(first.runDir, runDir);
  t.is(first.method, 'cgan-full');
  t.is(first.step, 2);
  t.is(first.resumedFrom, 0);
  t.false(first.alreadyTrained);
  t.is(first.imagesSeen, 16);
  t.is(first.checkpoint, path.join(runDir, 'gan/checkpoints/step-00000002'));
  for (const file of [first.samples, path.join(first.exports.generatorEma, 'model.json'), path.join(first.exports.generator, 'model.json'), first.metricsFile]) t.true(existsSync(file), file);
  t.is(first.lastMetrics?.step, 2);
  t.is(typeof first.lastMetrics?.dLoss, 'number');
  t.true(lines.some((line) => line.startsWith('method cgan-full')), lines.join('\n'));
  t.true(lines.some((line) => /^backend: cpu/.test(line)), lines.join('\n'));

  // Without `config`, the run continues with the config it was started with; `steps` asks for more.
  const more = await train({ run: runDir, steps: 3 });
  t.is(more.resumedFrom, 2);
  t.is(more.step, 3);
  const again = await train({ run: runDir, steps: 3 });
  t.true(again.alreadyTrained);

  const results = await evaluate(runDir, { ema: true, samples: 20, metrics: ['fid', 'label-accuracy'], set: TINY_EVAL, seed: 3 });
  t.deepEqual(results.metrics.map((m) => m.metric), ['fid', 'label-accuracy']);
  t.true(results.metrics.every((m) => Number.isFinite(m.value) && m.n_fake === 20 && m.seed === 3 && m.generator === 'generator-ema' && m.step === 3));
  t.is(results.checkpoint, 'gan/checkpoints/step-00000003');
  t.deepEqual(JSON.parse(readFileSync(path.join(runDir, 'eval/results.json'), 'utf8')), JSON.parse(JSON.stringify(results)));

  // A metric that cannot apply is refused before anything is written.
  const before = dirSnapshot(runDir);
  await t.throwsAsync(evaluate(runDir, { metrics: ['cas'], set: { ...TINY_EVAL, 'data.testFraction': 0 } }), { instanceOf: UserError });
  t.deepEqual(dirSnapshot(runDir), before);
});

test.serial('bad input rejects with a UserError naming what was given, and writes nothing', async (t) => {
  const root = tempDir('s3gan-api-bad-');
  const runDir = path.join(root, 'run');
  await t.throwsAsync(train({ run: runDir, set: { ...TINY, 'gan.stepz': 3 } }), { instanceOf: UserError, message: /set\['gan\.stepz'\].*unknown key 'gan\.stepz' \(did you mean 'gan\.steps'\?\)/ });
  await t.throwsAsync(train({ run: runDir, set: TINY, steps: -1 }), { instanceOf: UserError, message: /gan\.steps/ });
  await t.throwsAsync(train({ run: runDir, config: 'no-such-preset', set: TINY }), { instanceOf: UserError, message: /no-such-preset/ });
  await t.throwsAsync(train({ run: runDir, config: { gan: { emaDecay: 'high' } } as never, set: TINY }), { instanceOf: UserError, message: /gan\.emaDecay.*\(from config\)/ });
  await t.throwsAsync(train({ run: runDir, backend: 'nonesuch' as never, set: { 'data.path': mnist } }), { instanceOf: UserError, message: /backend/ });
  t.deepEqual(dirSnapshot(root), {});
});

test.serial('a config object (with extends) works like a config file; an AbortSignal stops training with a checkpoint', async (t) => {
  const runDir = path.join(tempDir('s3gan-api-abort-'), 'run');
  const controller = new AbortController();
  controller.abort();
  const config = { extends: 'mnist', gan: { method: 'cgan-full' as const, steps: 6 } };
  const error = await t.throwsAsync(train({ run: runDir, config, set: TINY, signal: controller.signal }), { instanceOf: InterruptedError });
  t.regex(error.message, /interrupted at step 1/);
  t.true(existsSync(path.join(runDir, 'gan/checkpoints/step-00000001')));
  const resolved = JSON.parse(readFileSync(path.join(runDir, 'resolved-config.json'), 'utf8')) as { gan: { steps: number; method: string } };
  t.deepEqual([resolved.gan.method, resolved.gan.steps], ['cgan-full', 6]);
  const resumed = await train({ run: runDir, config, set: TINY, steps: 2 });
  t.is(resumed.resumedFrom, 1);
});

test.serial('run() runs the whole s3gan pipeline from code, each stage summarised', async (t) => {
  const runDir = path.join(tempDir('s3gan-api-run-'), 'run');
  const set = {
    ...TINY,
    'labels.perClass': 4,
    'pretrain.width': 2,
    'pretrain.batchSize': 8,
    'pretrain.steps': 2,
    'pretrain.heldOutFraction': 0.05,
    'pretrain.logEverySteps': 1,
    'pretrain.logHeldOutImages': 16,
    'pseudoLabel.folds': 2,
    'pseudoLabel.l2Strengths': [0.01, 1],
    'gan.method': 's3gan',
    'gan.batchSize': 16,
  };
  const stagesSeen: string[] = [];
  const summary = await run({ run: runDir, set, steps: 2, log: (line) => void (line.startsWith('[') && stagesSeen.push(line)) });
  t.is(summary.pipeline, 's3gan');
  t.deepEqual(summary.stages.map((s) => [s.stage, s.skipped]), [['pretrain', false], ['pseudo-label', false], ['gan', false]]);
  t.regex(summary.stages[1].summary.join('\n'), /fitted on 40 labels/);
  t.deepEqual(stagesSeen, ['[1/3] pretrain', '[2/3] pseudo-label', '[3/3] gan']);
  t.true(existsSync(path.join(runDir, 'gan/export/generator-ema/model.json')));
  const rerun = await run({ run: runDir });
  t.true(rerun.stages.every((s) => s.skipped));
});
