import test from 'ava';
import { configSchema } from '../../src/config/schema.js';
import { EVAL_METRICS, parseMetricList } from '../../src/eval/metric-names.js';
import { UserError } from '../../src/util/errors.js';

test('every listed metric is one eval.metrics accepts', (t) => {
  t.deepEqual(configSchema.parse({ eval: { metrics: [...EVAL_METRICS] } }).eval.metrics, [...EVAL_METRICS]);
});

test('metric lists: comma-separated, duplicates dropped, all, and typos named with the flag', (t) => {
  t.deepEqual(parseMetricList('fid, kid,fid', '--metrics'), ['fid', 'kid']);
  t.deepEqual(parseMetricList('all', '--metrics'), [...EVAL_METRICS]);
  t.throws(() => parseMetricList('fid,precision', '--metrics'), { instanceOf: UserError, message: /^--metrics: unknown metric 'precision'/ });
  t.throws(() => parseMetricList(' , ', '--metrics'), { instanceOf: UserError, message: /^--metrics: expected a comma-separated list/ });
});
