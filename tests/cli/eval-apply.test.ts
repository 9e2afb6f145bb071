import test from 'ava';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { dirSnapshot, s3gan, tempDir } from './helpers.js';
import { writeIdxSubset } from './mnist-idx.js';

const root = tempDir('s3gan-cli-eval-apply-');
const mnistDir = path.join(root, 'mnist-small');
mkdirSync(mnistDir);
writeIdxSubset(mnistDir, 'train', 400);
writeIdxSubset(mnistDir, 'test', 200);
const cacheDir = path.join(root, 'cache');

/** A tiny GAN on the MNIST subset, a width-2 one-epoch domain classifier, and a cache of its own. */
const TINY = [
  '--set', 'backend.name=cpu',
  '--set', `data.path=${mnistDir}`,
  '--set', `data.cacheDir=${cacheDir}`,
  '--set', 'data.imageSize=8',
  '--set', 'data.fit=resize',
  '--set', 'gan.width=2',
  '--set', 'gan.zDim=4',
  '--set', 'gan.batchSize=8',
  '--set', 'gan.sampleEverySteps=0',
  '--set', 'eval.network=trained',
  '--set', 'eval.classifierWidth=2',
  '--set', 'eval.classifierEpochs=1',
];

interface ResultsFile {
  metrics: { metric: string; value: number; details?: Record<string, unknown> }[];
  skipped: { metric: string; reason: string }[];
  classNames: string[];
  classifier: { testAccuracy: number | null; heldOutTrainAccuracy: number | null; accuracyImages: number };
}

function train(name: string, method: string): string {
  const run = path.join(root, name);
  const result = s3gan(['train', '--run', run, '--method', method, '--steps', '1', ...TINY]);
  if (result.code !== 0) throw new Error(result.stderr);
  return run;
}

const unconditional = train('gan', 'gan');
const conditional = train('cgan', 'cgan-full');

test.serial('a named metric that cannot apply is refused before anything is trained or written', (t) => {
  const before = dirSnapshot(unconditional);
  const result = s3gan(['eval', '--run', unconditional, '--samples', '20', '--metrics', 'fid,cas']);
  t.is(result.code, 2, result.stderr);
  t.regex(result.stderr, /--metrics: metric cas cannot be computed: .*unconditional/);
  t.notRegex(result.stderr, /\n\s+at /, 'no stack trace');
  t.deepEqual(dirSnapshot(unconditional), before, 'the run directory is byte-identical');
  t.false(existsSync(path.join(cacheDir, 'eval')), 'no domain classifier was trained');

  const dry = s3gan(['eval', '--run', unconditional, '--metrics', 'label-accuracy', '--dry-run']);
  t.is(dry.code, 2);
  t.regex(dry.stderr, /--metrics: metric label-accuracy cannot be computed/);
});

test.serial('--metrics all computes what applies and names what it skipped, on stderr and in results.json', (t) => {
  const dry = s3gan(['eval', '--run', unconditional, '--samples', '20', '--metrics', 'all', '--dry-run']);
  t.is(dry.code, 0, dry.stderr);
  t.regex(dry.stdout, /would evaluate .*: fid, kid, is, precision-recall, density-coverage against/);
  t.regex(dry.stderr, /^skipping cas: .*unconditional$/m);

  const result = s3gan(['eval', '--run', unconditional, '--samples', '20', '--metrics', 'all']);
  t.is(result.code, 0, result.stderr);
  for (const metric of ['intra-fid', 'cas', 'label-accuracy']) t.regex(result.stderr, new RegExp(`^skipping ${metric}: .*unconditional`, 'm'), metric);
  const results = JSON.parse(readFileSync(path.join(unconditional, 'eval', 'results.json'), 'utf8')) as ResultsFile;
  t.deepEqual(results.metrics.map((m) => m.metric), ['fid', 'kid', 'is', 'precision', 'recall', 'density', 'coverage']);
  t.deepEqual(results.skipped.map((s) => s.metric), ['intra-fid', 'cas', 'label-accuracy']);
  t.true(results.skipped.every((s) => /unconditional/.test(s.reason)));
  // `all` is not stored as the run's eval.metrics: a plain eval afterwards asks for the defaults.
  const config = JSON.parse(readFileSync(path.join(unconditional, 'resolved-config.json'), 'utf8')) as { eval: { metrics: string[] } };
  t.deepEqual(config.eval.metrics, ['fid', 'kid', 'is', 'precision-recall']);
});

test.serial('label accuracy per class: in results.json and as a table; the classifier figure says it is a test accuracy', (t) => {
  const result = s3gan(['eval', '--run', conditional, '--samples', '40', '--metrics', 'label-accuracy']);
  t.is(result.code, 0, result.stderr);
  const results = JSON.parse(readFileSync(path.join(conditional, 'eval', 'results.json'), 'utf8')) as ResultsFile;
  const details = results.metrics[0].details as { perClass: (number | null)[]; perClassImages: number[] };
  t.is(details.perClass.length, 10);
  t.deepEqual(details.perClassImages, new Array<number>(10).fill(4), 'classes in turn: 4 images each');
  const overall = details.perClass.reduce<number>((sum, a, k) => sum + (a ?? 0) * details.perClassImages[k], 0) / 40;
  t.true(Math.abs(overall - results.metrics[0].value) < 1e-12, 'the classes add up to the overall figure');
  t.deepEqual(results.classNames, ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
  t.deepEqual(results.skipped, []);
  t.regex(result.stdout, /^label accuracy by class:\nclass +accuracy +images\n0 0 +[\d.]+ +4\n/m);
  t.regex(result.stdout, /^9 9 +[\d.]+ +4$/m);
  t.regex(result.stdout, /^domain classifier: test accuracy [\d.]+ % on 200 test images$/m);
  t.is(typeof results.classifier.testAccuracy, 'number');
  t.is(results.classifier.heldOutTrainAccuracy, null);
});

test('eval --help says what all means and that label accuracy is given per class', (t) => {
  const help = s3gan(['eval', '--help']);
  t.is(help.code, 0);
  t.regex(help.stdout.replace(/\s+/g, ' '), /or all: every one that applies to this run and dataset/);
  t.regex(help.stdout.replace(/\s+/g, ' '), /Label accuracy is also printed per class/);
});
