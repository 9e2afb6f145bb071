import test from 'ava';
import { classificationReport, formatReport } from '../../src/classify/report.js';

// 10 rows, 3 classes; rows 3 and 8 are UNLABELLED (their predictions must not count).
//   true:      0  0  1 −1  1  1  2  0 −1  1
//   predicted: 0  1  1  2  1  0  2  0  0  2
// class 0: 3 rows, predicted [0, 1, 0] → 2 correct; class 1: 4 rows, predicted [1, 1, 0, 2] → 2;
// class 2: 1 row, predicted 2 → 1. Accuracy 5 / 8.
const TRUTH = [0, 0, 1, -1, 1, 1, 2, 0, -1, 1];
const PREDICTED = [0, 1, 1, 2, 1, 0, 2, 0, 0, 2];

test('classificationReport counts the confusion matrix [true][predicted] and per-class recall', (t) => {
  const report = classificationReport(PREDICTED, TRUTH, 3);
  t.is(report.total, 8);
  t.is(report.correct, 5);
  t.is(report.accuracy, 5 / 8);
  t.deepEqual(report.confusion, [
    [2, 1, 0],
    [1, 2, 1],
    [0, 0, 1],
  ]);
  t.deepEqual(report.perClass, [
    { label: 0, count: 3, correct: 2, accuracy: 2 / 3 },
    { label: 1, count: 4, correct: 2, accuracy: 0.5 },
    { label: 2, count: 1, correct: 1, accuracy: 1 },
  ]);
  t.deepEqual(JSON.parse(JSON.stringify(report)), report, 'JSON-safe');
});

test('a class without rows and a split without labels report null, not NaN', (t) => {
  const report = classificationReport(Int32Array.from([0, 0]), Int32Array.from([0, 1]), 3);
  t.deepEqual(report.perClass[2], { label: 2, count: 0, correct: 0, accuracy: null });
  const empty = classificationReport([1, 2], [-1, -1], 3);
  t.is(empty.total, 0);
  t.is(empty.accuracy, null);
  t.throws(() => classificationReport([0, 3], [0, 1], 3), { message: /prediction 3 at row 1/ });
  t.throws(() => classificationReport([0], [0, 1], 3), { message: /1 predictions for 2 labels/ });
});

test('formatReport lays out the accuracy, the confusion matrix and the per-class table', (t) => {
  const lines = formatReport(classificationReport(PREDICTED, TRUTH, 3), ['cat', 'dog', 'bird']);
  t.deepEqual(lines, [
    'accuracy 62.50% (5 / 8)',
    'confusion matrix (rows: true class, columns: predicted class)',
    'true \\ predicted   cat   dog  bird',
    'cat                  2     1     0',
    'dog                  1     2     1',
    'bird                 0     0     1',
    'per class',
    'class    count  correct  accuracy',
    'cat          3        2    66.67%',
    'dog          4        2    50.00%',
    'bird         1        1   100.00%',
  ]);
  const numbered = formatReport(classificationReport([0], [0], 2));
  t.is(numbered[2], 'true \\ predicted  0  1');
  t.is(numbered[numbered.length - 1], '1            0        0       n/a');
});
