import test from 'ava';
import * as path from 'node:path';
import { writePseudoLabelsFile } from '../../src/data/pseudo-labels-file.js';
import { UNLABELLED, type Dataset } from '../../src/data/types.js';
import { getMethod, METHODS } from '../../src/methods/methods.js';
import { trainingLabelSet, type LabelSourceContext } from '../../src/training/gan/label-source.js';
import { UserError } from '../../src/util/errors.js';
import { tempDir } from '../temp.js';

const LABELS = [0, 1, 2, 0, 1, 2, 0, 1];

function dataset(labels = LABELS): Dataset {
  return {
    name: 'tiny',
    classNames: ['a', 'b', 'c'],
    train: { images: new Uint8Array(labels.length), shape: [labels.length, 1, 1, 1], labels: Int32Array.from(labels), ids: labels.map((_, i) => `i${i}`) },
    source: 'test',
  } as unknown as Dataset;
}

function context(labelsFile = path.join(tempDir('s3gan-label-source-'), 'labels.json')): LabelSourceContext {
  return { seed: 4, labelsFile, labelledSubset: async () => Int32Array.from([1, 5]) };
}

test('getMethod knows every method and suggests the nearest for a typo', (t) => {
  for (const name of Object.keys(METHODS)) t.is(getMethod(name).name as string, name);
  t.throws(() => getMethod('s3gan-c0'), { message: /unknown method 's3gan-c0' \(did you mean 's3gan-co'\?\)/ });
});

test('each label source gives the labels its method trains with', async (t) => {
  const full = await trainingLabelSet(getMethod('cgan-full'), dataset(), context());
  t.deepEqual(Array.from(full.labels), LABELS);
  // s3gan-full: every true label, with the rotation losses of S3GAN.
  const s3ganFull = getMethod('s3gan-full');
  t.like(s3ganFull, { conditional: true, rotation: true, coTraining: false, labelSource: 'true' });
  t.deepEqual(Array.from((await trainingLabelSet(s3ganFull, dataset(), context())).labels), LABELS);

  const co = await trainingLabelSet(getMethod('s3gan-co'), dataset(), context());
  t.deepEqual(Array.from(co.labels), [-1, 1, -1, -1, -1, 2, -1, -1], 'only the subset keeps its labels; the rest is UNLABELLED, not class 0');

  const few = await trainingLabelSet(getMethod('cgan-few'), dataset(), context());
  t.deepEqual(Array.from(few.pool!), [1, 5]);

  const random = await trainingLabelSet(getMethod('cgan-random'), dataset(), context());
  t.true(random.labels.every((label) => label >= 0 && label < 3));
  t.deepEqual(Array.from((await trainingLabelSet(getMethod('cgan-random'), dataset(), context())).labels), Array.from(random.labels), 'seeded');

  const none = await trainingLabelSet(getMethod('gan'), dataset(), context());
  t.true(none.labels.every((label) => label === UNLABELLED));

  const file = path.join(tempDir('s3gan-label-source-'), 'labels.json');
  await writePseudoLabelsFile(file, dataset(), { source: 'pseudo', labels: Int32Array.from([2, 2, 2, 2, 1, 1, 1, 1]) });
  const pseudo = await trainingLabelSet(getMethod('s3gan'), dataset(), context(file));
  t.deepEqual(Array.from(pseudo.labels), [2, 2, 2, 2, 1, 1, 1, 1]);
});

test('true-label methods refuse datasets with unlabelled images; labels-file methods name the missing file', async (t) => {
  await t.throwsAsync(trainingLabelSet(getMethod('cgan-full'), dataset([0, -1, 1]), context()), { instanceOf: UserError, message: /1 training images of tiny have none/ });
  await t.throwsAsync(trainingLabelSet(getMethod('s2gan'), dataset(), context('/nonexistent/labels.json')), {
    instanceOf: UserError,
    message: /\/nonexistent\/labels\.json, which does not exist: run the pseudo-label stage first/,
  });
});
