import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { writeModelDir } from '../../src/artifacts/model-files.js';
import { createCheapEvaluation } from '../../src/eval/cheap.js';
import { evaluateGenerator } from '../../src/eval/evaluate.js';
import { prepareEvaluation } from '../../src/eval/evaluator.js';
import { EVAL_METRICS } from '../../src/eval/metric-names.js';
import { formatResultWarnings, formatResultsTable } from '../../src/eval/results.js';
import { buildGenerator } from '../../src/nn/architectures/index.js';
import { UserError } from '../../src/util/errors.js';
import { tempDir } from '../temp.js';
import { NUM_CLASSES, SILENT, squaresDataset, tinyConfig } from './fixtures.js';

test.before(async () => {
  await tf.setBackend('cpu');
});

function tinyGenerator(numClasses = NUM_CLASSES, imageSize = 8): tf.LayersModel {
  return buildGenerator('sndcgan', { zDim: 4, numClasses, width: 2, imageSize, channels: 1, seed: 0 });
}

/** The numbers of results, without timings. */
function numbers(results: Awaited<ReturnType<typeof evaluateGenerator>>) {
  return results.metrics.map((m) => {
    const { details, ...rest } = m;
    const { trainSeconds: _seconds, ...kept } = (details ?? {}) as Record<string, unknown>;
    return { ...rest, details: kept };
  });
}

test.serial('evaluateGenerator on a tiny untrained generator: every metric with its counts, and no tensor left behind', async (t) => {
  const dataset = squaresDataset();
  const config = tinyConfig(tempDir('s3gan-evaluate-'), { seed: 5 });
  const evaluator = await prepareEvaluation({ dataset, config, metrics: EVAL_METRICS, realSamples: 30, progressStream: SILENT });
  const generator = tinyGenerator();
  const before = tf.memory().numTensors;
  const results = await evaluateGenerator(evaluator, generator, { samples: 30, seed: 5, step: 7, generatorKind: 'generator-ema', progressStream: SILENT });
  t.is(tf.memory().numTensors, before, 'generation, extraction, metrics and the CAS classifier leave no tensor behind');

  t.deepEqual(
    results.metrics.map((m) => m.metric),
    ['fid', 'kid', 'is', 'precision', 'recall', 'density', 'coverage', 'intra-fid', 'cas', 'label-accuracy'],
  );
  for (const m of results.metrics) {
    t.true(Number.isFinite(m.value), `${m.metric} = ${m.value}`);
    t.is(m.n_fake, 30, m.metric);
    t.is(m.seed, 5);
    t.is(m.step, 7);
    t.is(m.generator, 'generator-ema');
  }
  const by = (name: string) => results.metrics.find((m) => m.metric === name)!;
  for (const name of ['fid', 'kid', 'precision', 'recall', 'density', 'coverage', 'intra-fid']) {
    t.is(by(name).n_real, 30, name);
    t.is(by(name).split, 'test');
    t.is(by(name).extractor, 'domain-classifier');
  }
  t.is(by('is').n_real, 0, 'IS reads generated images only');
  t.is(by('label-accuracy').n_real, 0);
  t.is(by('cas').n_real, 45, 'CAS is scored on the whole real test split');
  t.is(by('cas').extractor, 'cas-classifier');
  t.true(by('fid').value > 0);
  t.true(by('is').value >= 1 && by('is').value <= NUM_CLASSES + 1e-9);
  t.is((by('intra-fid').details?.perClass as number[]).length, NUM_CLASSES);
  // 30 real and 30 generated images, KID subsets of 30: each the whole of both sets, so no spread.
  t.is(by('kid').std, undefined);
  t.like(by('kid').details, { subsets: 1, subsetSize: 30 });
  t.deepEqual(formatResultWarnings(results.metrics), [`warning: ${String(by('kid').details?.warning)}`]);
  t.regex(formatResultWarnings(results.metrics)[0], /^warning: KID has no spread: each subset of 30 images is the whole of both sets/);
  t.deepEqual(by('precision').details, { k: 3 });
  t.deepEqual(by('density').details, { k: 5 });
  t.is(results.n_real, 30);
  t.is(results.n_fake, 30);
  t.is(results.extractor?.kind, 'domain-classifier');
  t.is(results.classifier?.dataset, 'squares');
  t.true(results.throughput.imagesPerSecond > 0);
  t.is(results.throughput.images, 30);

  const table = formatResultsTable(results);
  t.regex(table, /squares: step 7, generator-ema, seed 5; 30 images generated and read at [\d.]+ images\/s/);
  t.regex(table, /^fid +[\d.]+ +30 +30 +test +domain-classifier$/m);
  t.regex(table, /^is +[\d.]+ +[\d.e-]+ +0 +30 +- +domain-classifier$/m);

  const again = await evaluateGenerator(evaluator, generator, { samples: 30, seed: 5, step: 7, generatorKind: 'generator-ema', progressStream: SILENT });
  t.deepEqual(numbers(again), numbers(results), 'the same seed gives the same numbers');
  const other = await evaluateGenerator(evaluator, generator, { samples: 30, seed: 6, metrics: ['fid'], progressStream: SILENT });
  t.not(other.metrics[0].value, by('fid').value, 'another seed draws other images');
  generator.dispose();
  evaluator.dispose();
});

test.serial('metrics that need requested classes refuse an unconditional generator; a wrong image size is named', async (t) => {
  const dataset = squaresDataset();
  const config = tinyConfig(tempDir('s3gan-evaluate-'));
  const evaluator = await prepareEvaluation({ dataset, config, metrics: ['fid', 'intra-fid', 'label-accuracy'], realSamples: 30, progressStream: SILENT });
  const unconditional = tinyGenerator(0);
  await t.throwsAsync(evaluateGenerator(evaluator, unconditional, { samples: 30, seed: 0, progressStream: SILENT }), {
    instanceOf: UserError,
    message: /metrics intra-fid, label-accuracy need a conditional generator/,
  });
  const fidOnly = await evaluateGenerator(evaluator, unconditional, { samples: 30, seed: 0, metrics: ['fid'], progressStream: SILENT });
  t.is(fidOnly.metrics.length, 1);
  const big = tinyGenerator(NUM_CLASSES, 16);
  await t.throwsAsync(evaluateGenerator(evaluator, big, { samples: 30, seed: 0, progressStream: SILENT }), { instanceOf: UserError, message: /makes 16×16×1 images but data\.imageSize/ });
  unconditional.dispose();
  big.dispose();
  evaluator.dispose();
});

test.serial('a model on disk as extractor: no domain classifier is trained for FID alone', async (t) => {
  const dir = path.join(tempDir('s3gan-evaluate-'), 'extractor');
  mkdirSync(dir);
  const input = tf.input({ shape: [12, 12, 3] });
  const conv = tf.layers.conv2d({ filters: 6, kernelSize: 3, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 4 }), name: 'conv' }).apply(input) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: tf.layers.globalAveragePooling2d({ name: 'pool' }).apply(conv) as tf.SymbolicTensor });
  await writeModelDir(dir, model);
  model.dispose();
  const config = tinyConfig(tempDir('s3gan-evaluate-'), { eval: { extractorPath: dir, extractorLayer: 'conv', extractorInputRange: '0..255' } });
  const before = tf.memory().numTensors;
  const evaluator = await prepareEvaluation({ dataset: squaresDataset(), config, metrics: ['fid', 'kid'], realSamples: 20, progressStream: SILENT });
  t.is(evaluator.classifier, undefined);
  const generator = tinyGenerator();
  const results = await evaluateGenerator(evaluator, generator, { samples: 20, seed: 0, progressStream: SILENT });
  t.is(results.extractor?.kind, 'layers-model');
  t.is(results.extractor?.featureDim, 6);
  t.is(results.extractor?.inputSize, 12);
  t.is(results.classifier, null);
  t.is(results.metrics[0].extractor, 'model.json#conv');
  generator.dispose();
  evaluator.dispose();
  t.is(tf.memory().numTensors, before, 'the extractor model is released with the evaluator');
});

test.serial('the cheap evaluation logs FID and label accuracy at eval.cheapSamples', async (t) => {
  const config = tinyConfig(tempDir('s3gan-evaluate-'), { eval: { cheapSamples: 24 } });
  const cheap = createCheapEvaluation(squaresDataset(), config, { progressStream: SILENT });
  const generator = tinyGenerator();
  const record = await cheap.evaluate(generator, 3);
  t.true(typeof record.fid === 'number' && Number.isFinite(record.fid));
  t.true(typeof record.labelAccuracy === 'number' && record.labelAccuracy >= 0 && record.labelAccuracy <= 1);
  t.is(record.n_real, 24);
  t.is(record.n_fake, 24);
  t.is(record.extractor, 'domain-classifier');
  t.is(record.generator, 'generator-ema');
  const before = tf.memory().numTensors;
  await cheap.evaluate(generator, 6);
  t.is(tf.memory().numTensors, before, 'later calls reuse the evaluator and leave no tensor behind');
  await cheap.dispose();
  generator.dispose();
});
