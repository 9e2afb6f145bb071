import test from 'ava';
import { autoBlockSets, blockSetName, blockSetValue, blocksPhrase, concatColumns, configuredBlocks } from '../../src/classify/block-sets.js';
import { featureMatrix } from '../../src/metrics/feature-matrix.js';
import { UserError } from '../../src/util/errors.js';

const linear = { source: 'classifier', classifier: 'linear' };

test('auto candidates: single blocks, or single blocks then adjacent pairs', (t) => {
  t.deepEqual(autoBlockSets('single', 4), [[0], [1], [2], [3]]);
  t.deepEqual(autoBlockSets('adjacent-pairs', 4), [[0], [1], [2], [3], [0, 1], [1, 2], [2, 3]]);
  t.deepEqual(autoBlockSets('adjacent-pairs', 1), [[0]]);
});

test('configured blocks: a number or a list, sorted; auto is null', (t) => {
  t.is(configuredBlocks({ ...linear, block: 'auto' }, 4), null);
  t.deepEqual(configuredBlocks({ ...linear, block: 2 }, 4), [2]);
  t.deepEqual(configuredBlocks({ ...linear, block: [3, 1] }, 4), [1, 3]);
  t.deepEqual(configuredBlocks({ source: 'classifier', classifier: 's4l', block: [2] }, 4), [2]);
});

test('configured blocks: a missing block, a repeated one, or several for s4l are user errors naming pseudoLabel.block', (t) => {
  const missing = t.throws(() => configuredBlocks({ ...linear, block: [1, 4] }, 4), { instanceOf: UserError });
  t.is(missing?.message, 'pseudoLabel.block is [1, 4], but the encoder has blocks 0..3 (or auto)');
  t.throws(() => configuredBlocks({ ...linear, block: 4 }, 4), { message: /^pseudoLabel\.block is 4, but the encoder has blocks 0\.\.3/ });
  t.throws(() => configuredBlocks({ ...linear, block: [2, 2] }, 4), { instanceOf: UserError, message: /lists a block twice/ });
  t.throws(() => configuredBlocks({ source: 'classifier', classifier: 's4l', block: [1, 2] }, 4), { instanceOf: UserError, message: /s4l classifier puts its head on one block/ });
  // k-means reads frozen features like the linear classifier: several blocks are fine.
  t.deepEqual(configuredBlocks({ source: 'kmeans', classifier: 's4l', block: [1, 2] }, 4), [1, 2]);
});

test('names and report values', (t) => {
  t.is(blockSetName([2]), '2');
  t.is(blockSetName([1, 2]), '1+2');
  t.is(blocksPhrase(2), 'block 2');
  t.is(blocksPhrase([2]), 'block 2');
  t.is(blocksPhrase([3, 1]), 'blocks 1+3');
  t.is(blockSetValue([2]), 2);
  t.deepEqual(blockSetValue([1, 2]), [1, 2]);
});

test('concatColumns puts each row\'s parts side by side', (t) => {
  const a = featureMatrix([1, 2, 3, 4, 5, 6], 2, 3);
  const b = featureMatrix([7, 8], 2, 1);
  const joined = concatColumns([a, b]);
  t.is(joined.rows, 2);
  t.is(joined.cols, 4);
  t.deepEqual(Array.from(joined.data), [1, 2, 3, 7, 4, 5, 6, 8]);
  t.is(concatColumns([a]), a, 'one part is returned as is');
  t.throws(() => concatColumns([a, featureMatrix([1], 1, 1)]), { message: /1 rows where 2 were expected/ });
});
