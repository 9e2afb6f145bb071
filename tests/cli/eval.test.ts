import test from 'ava';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { s3gan, tempDir, TINY_NETWORKS } from './helpers.js';
import { writeIdxSubset } from './mnist-idx.js';

const root = tempDir('s3gan-cli-eval-');
const mnistDir = path.join(root, 'mnist-small');
mkdirSync(mnistDir);
writeIdxSubset(mnistDir, 'train', 400);
writeIdxSubset(mnistDir, 'test', 200);

/** The data and GAN of a tiny run (as in train.test.ts), on the MNIST subset. */
const TINY = [
  ...TINY_NETWORKS,
  '--set', `data.path=${mnistDir}`,
  '--set', 'gan.logEverySteps=1',
  '--set', 'gan.sampleEverySteps=0',
];
/** A classifier small enough for tests. */
const TINY_EVAL = ['--set', 'eval.network=trained', '--set', 'eval.classifierWidth=2', '--set', 'eval.classifierEpochs=1'];

interface ResultsFile {
  n_real: number;
  n_fake: number;
  step: number;
  generator: string;
  checkpoint: string;
  throughput: { imagesPerSecond: number };
  classifier: { testAccuracy: number | null; accuracyImages: number };
  metrics: { metric: string; value: number; n_real: number; n_fake: number; extractor: string; split: string; seed: number; generator: string; step: number }[];
}

/** The records of eval/history.jsonl, one per line (each line must be complete). */
function historyLines(file: string): ResultsFile[] {
  const text = readFileSync(file, 'utf8');
  if (!text.endsWith('\n')) throw new Error(`${file} does not end with a newline`);
  return text.trimEnd().split('\n').map((line) => JSON.parse(line) as ResultsFile);
}

test.serial('a tiny run with cheap evaluations, then eval: eval/results.json, the table, and the caches reused', (t) => {
  const run = path.join(root, 'run');
  const trained = s3gan(['train', '--run', run, '--method', 'cgan-full', '--steps', '2', ...TINY, ...TINY_EVAL, '--set', 'eval.everySteps=1', '--set', 'eval.cheapSamples=16']);
  t.is(trained.code, 0, trained.stderr);
  t.regex(trained.stderr, /domain classifier: training on 400 labelled mnist images/);
  // The newest cheap evaluation is shown on the progress line, next to the losses.
  t.regex(trained.stderr, /gan: 2\/2 steps .*done in .*dLoss=[\d.e-]+, gLoss=[\d.e-]+, fid=[\d.e-]+, labelAcc=[\d.]+$/m);
  const cheap = readFileSync(path.join(run, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((record) => record.stage === 'gan-eval');
  t.deepEqual(cheap.map((r) => [r.step, r.n_real, r.n_fake]), [[1, 16, 16], [2, 16, 16]]);
  t.true(cheap.every((r) => typeof r.fid === 'number' && typeof r.labelAccuracy === 'number'));

  // Without --config, eval takes the run's own config (resolved-config.json): no other flag needed.
  const dry = s3gan(['eval', '--run', run, '--ema', '--dry-run']);
  t.is(dry.code, 0, dry.stderr);
  t.regex(dry.stdout, /would evaluate .*step-00000002\/generator-ema \(step 2\) on 10,000 images/);
  t.false(existsSync(path.join(run, 'eval')));

  const first = s3gan(['eval', '--run', run, '--ema', '--samples', '40', '--metrics', 'all']);
  t.is(first.code, 0, first.stderr);
  t.regex(first.stderr, /domain classifier: cached/, 'the classifier trained for the cheap evaluations');
  t.regex(first.stdout, /mnist: step 2, generator-ema, seed 0; 40 images generated and read at [\d.]+ images\/s/);
  t.regex(first.stdout, /^metric +value +± +n_real +n_fake +split +extractor$/m);
  for (const metric of ['fid', 'kid', 'is', 'precision', 'recall', 'density', 'coverage', 'intra-fid', 'cas', 'label-accuracy']) {
    t.regex(first.stdout, new RegExp(`^${metric} `, 'm'), metric);
  }
  t.regex(first.stdout, /domain classifier: test accuracy [\d.]+ % on 200 test images/);
  t.regex(first.stdout, /^label accuracy by class:$/m);
  const file = path.join(run, 'eval', 'results.json');
  t.regex(first.stdout, new RegExp(`results: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));

  const results = JSON.parse(readFileSync(file, 'utf8')) as ResultsFile;
  t.is(results.n_real, 40);
  t.is(results.n_fake, 40);
  t.is(results.step, 2);
  t.is(results.generator, 'generator-ema');
  t.is(results.checkpoint, 'gan/checkpoints/step-00000002');
  t.true(results.throughput.imagesPerSecond > 0);
  t.is(results.classifier.accuracyImages, 200);
  t.is(results.metrics.length, 10);
  for (const m of results.metrics) {
    t.true(Number.isFinite(m.value), m.metric);
    t.is(m.n_fake, 40);
    t.is(m.seed, 0);
    t.is(m.step, 2);
    t.is(m.generator, 'generator-ema');
    t.true(['domain-classifier', 'cas-classifier'].includes(m.extractor));
  }
  t.is(results.metrics.find((m) => m.metric === 'cas')?.n_real, 200);
  const manifest = JSON.parse(readFileSync(path.join(run, 'manifest.json'), 'utf8')) as { stages: Record<string, { status: string; artifacts: string[] }> };
  t.deepEqual(manifest.stages.eval, { ...manifest.stages.eval, status: 'done', artifacts: ['eval/results.json', 'eval/history.jsonl'] });
  const history = path.join(run, 'eval', 'history.jsonl');
  t.deepEqual(historyLines(history), [results], 'the history holds the first evaluation');

  // The real features come from the cache the second time; G without --ema works too.
  const second = s3gan(['eval', '--run', run, '--samples', '40', '--metrics', 'fid,label-accuracy']);
  t.is(second.code, 0, second.stderr);
  t.regex(second.stderr, /reference: cached test features of 40 images/);
  const again = JSON.parse(readFileSync(file, 'utf8')) as ResultsFile;
  t.is(again.generator, 'generator');
  t.deepEqual(again.metrics.map((m) => m.metric), ['fid', 'label-accuracy']);
  // Each evaluation is one more line of the history; results.json is the last of them.
  t.deepEqual(historyLines(history), [results, again]);
  t.regex(first.stderr, /^warning: KID has no spread: each subset of 40 images is the whole of both sets/m);

  // A data section other than the run's is refused before anything runs.
  const otherSize = s3gan(['eval', '--run', run, '--set', 'data.imageSize=16']);
  t.is(otherSize.code, 2);
  t.regex(otherSize.stderr, /data\.imageSize is 16 but run .* was trained with 8/);
});

test('eval --help lists its flags', (t) => {
  const help = s3gan(['eval', '--help']);
  t.is(help.code, 0, help.stderr);
  for (const flag of ['--run', '--samples', '--ema', '--metrics', '--step', '--seed']) t.true(help.stdout.includes(flag), flag);
  t.regex(help.stdout, /eval\.extractorPath/);
  const root = s3gan(['--help']);
  t.regex(root.stdout, /s3gan eval --run/);
});

test('a bad --metrics value exits 2 naming the flag and the nearest metric', (t) => {
  const result = s3gan(['eval', '--run', path.join(root, 'none'), '--metrics', 'fid,kdi']);
  t.is(result.code, 2);
  t.regex(result.stderr, /--metrics: unknown metric 'kdi' \(did you mean 'kid'\?\)/);
});

test('eval on a run without checkpoints tells the user to train first', (t) => {
  const empty = tempDir('s3gan-cli-eval-empty-');
  const result = s3gan(['eval', '--run', empty, '--set', 'backend.name=cpu']);
  t.is(result.code, 2);
  t.regex(result.stderr, /no checkpoint in .*: train first/);
  t.false(existsSync(path.join(empty, 'eval')));
});

test('eval of an MNIST run with an empty cache trains nothing: the shipped network scores it, and results record its SHA-256', (t) => {
  const run = path.join(root, 'run-shipped');
  const cacheDir = path.join(root, 'cache-shipped');
  const cache = ['--set', `data.cacheDir=${cacheDir}`];
  const trained = s3gan(['train', '--run', run, '--method', 'cgan-full', '--steps', '1', ...TINY, ...cache]);
  t.is(trained.code, 0, trained.stderr);
  const evaluated = s3gan(['eval', '--run', run, '--samples', '40', '--metrics', 'fid,label-accuracy']);
  t.is(evaluated.code, 0, evaluated.stderr);
  const output = evaluated.stdout + evaluated.stderr;
  t.notRegex(output, /domain classifier: training/);
  t.regex(output, /evaluation network: shipped mnist network, sha256 [0-9a-f]{16}/);
  t.false(existsSync(path.join(cacheDir, 'eval', 'domain-classifier')), 'no classifier was trained or cached');
  const network = JSON.parse(readFileSync(path.join('data', 'networks', 'mnist', 'network.json'), 'utf8')) as { weightsSha256: string };
  const results = JSON.parse(readFileSync(path.join(run, 'eval', 'results.json'), 'utf8')) as ResultsFile & { classifier: { weightsSha256?: string } };
  t.is(results.classifier.weightsSha256, network.weightsSha256);
  t.deepEqual(results.metrics.map((m) => [m.metric, m.extractor]), [['fid', 'mnist-network'], ['label-accuracy', 'mnist-network']]);
});
