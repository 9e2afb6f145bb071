import test from 'ava';
import { formatSkipped, metricObstacle, selectMetrics, type MetricFacts } from '../../src/eval/applicability.js';
import { EVAL_METRICS } from '../../src/eval/metric-names.js';
import { UserError } from '../../src/util/errors.js';
import { squaresDataset } from './fixtures.js';

const dataset = squaresDataset();
const { test: _test, ...noTest } = dataset;
const facts = (over: Partial<MetricFacts> = {}): MetricFacts => ({ dataset, conditional: true, split: 'test', externalExtractor: false, ...over });

test('a conditional generator on a labelled dataset with a test split: every metric applies', (t) => {
  t.deepEqual(selectMetrics({ kind: 'all', source: '--metrics' }, facts()), { metrics: [...EVAL_METRICS], skipped: [] });
});

test('all: an unconditional generator skips label accuracy, intra-FID and CAS, each with why', (t) => {
  const { metrics, skipped } = selectMetrics({ kind: 'all', source: '--metrics' }, facts({ conditional: false }));
  t.deepEqual(metrics, ['fid', 'kid', 'is', 'precision-recall', 'density-coverage']);
  t.deepEqual(
    skipped.map((s) => s.metric),
    ['intra-fid', 'cas', 'label-accuracy'],
  );
  t.true(skipped.every((s) => /unconditional/.test(s.reason)));
  t.deepEqual(formatSkipped(skipped).map((line) => line.split(':')[0]), ['skipping intra-fid', 'skipping cas', 'skipping label-accuracy']);
});

test('all: without a test split CAS is skipped; with eval.split=test the real-feature metrics too', (t) => {
  const onTrain = selectMetrics({ kind: 'all', source: '--metrics' }, facts({ dataset: noTest, split: 'train' }));
  t.deepEqual(onTrain.skipped.map((s) => s.metric), ['cas']);
  t.regex(onTrain.skipped[0].reason, /real test split, and dataset squares has none/);
  const onTest = selectMetrics({ kind: 'all', source: '--metrics' }, facts({ dataset: noTest }));
  t.deepEqual(onTest.metrics, ['is', 'label-accuracy']);
  t.regex(metricObstacle('fid', facts({ dataset: noTest })) ?? '', /eval\.split is 'test' and dataset squares has no test split \(set eval\.split=train\)/);
});

test('all: an unlabelled test split rules out CAS; unlabelled training images rule out the domain classifier unless a model on disk extracts', (t) => {
  const unlabelledTest = { ...dataset, test: { ...dataset.test!, labels: new Int32Array(45).fill(-1) } };
  t.regex(metricObstacle('cas', facts({ dataset: unlabelledTest })) ?? '', /test split of squares has no labels/);
  t.regex(metricObstacle('intra-fid', facts({ dataset: unlabelledTest })) ?? '', /test split of squares has no labels/);
  const unlabelled = { ...dataset, train: { ...dataset.train, labels: new Int32Array(90).fill(-1) } };
  t.regex(metricObstacle('is', facts({ dataset: unlabelled })) ?? '', /domain classifier needs labelled training images/);
  t.regex(metricObstacle('fid', facts({ dataset: unlabelled })) ?? '', /eval\.extractorPath/);
  t.is(metricObstacle('fid', facts({ dataset: unlabelled, externalExtractor: true })), undefined);
});

test('a named metric that cannot apply is refused, naming the metric, where it was asked for, and why', (t) => {
  t.throws(() => selectMetrics({ kind: 'named', metrics: ['fid', 'cas'], source: '--metrics' }, facts({ conditional: false })), {
    instanceOf: UserError,
    message: /^--metrics: metric cas cannot be computed: .*unconditional/,
  });
  t.throws(() => selectMetrics({ kind: 'named', metrics: ['cas'], source: 'eval.metrics' }, facts({ dataset: noTest, split: 'train' })), {
    instanceOf: UserError,
    message: /^eval\.metrics: metric cas cannot be computed: .*has none/,
  });
  t.deepEqual(selectMetrics({ kind: 'named', metrics: ['kid', 'fid'], source: '--metrics' }, facts({ conditional: false })), { metrics: ['kid', 'fid'], skipped: [] });
});

test('all, when nothing applies, is refused with every reason', (t) => {
  const unlabelled = { ...noTest, train: { ...dataset.train, labels: new Int32Array(90).fill(-1) } };
  t.throws(() => selectMetrics({ kind: 'all', source: '--metrics' }, facts({ dataset: unlabelled, conditional: false })), {
    instanceOf: UserError,
    message: /^--metrics all: no metric applies to this run: fid: .*; cas: /,
  });
});
