import test from 'ava';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { readPseudoLabelsFile, writePseudoLabelsFile } from '../../src/data/pseudo-labels-file.js';
import type { Dataset } from '../../src/data/types.js';
import { UserError } from '../../src/util/errors.js';
import { tempDir } from '../temp.js';
import { PSEUDO_LABELS_FILE } from '../../src/artifacts/run-layout.js';

function dataset(name = 'tiny'): Dataset {
  return {
    name,
    classNames: ['a', 'b', 'c'],
    train: { images: new Uint8Array(4 * 4), shape: [4, 2, 2, 1], labels: Int32Array.from([0, 1, -1, 2]), ids: ['w', 'x', 'y', 'z'] },
    source: 'test',
  } as unknown as Dataset;
}

function file(): string {
  return path.join(tempDir('s3gan-labels-file-'), path.basename(PSEUDO_LABELS_FILE));
}

test('written labels read back joined by id, with confidences', async (t) => {
  const target = file();
  await writePseudoLabelsFile(target, dataset(), { source: 'test', labels: Int32Array.from([2, 1, 0, 2]), confidences: Float32Array.from([0.5, 1, 0.25, 0.75]) });
  // Reordering the file's entries changes nothing: the join is by id.
  const content = JSON.parse(readFileSync(target, 'utf8')) as { ids: string[]; labels: number[]; confidences: number[] };
  for (const key of ['ids', 'labels', 'confidences'] as const) content[key].reverse();
  writeFileSync(target, JSON.stringify(content));
  const read = await readPseudoLabelsFile(target, dataset());
  t.deepEqual(Array.from(read.labels), [2, 1, 0, 2]);
  t.deepEqual(Array.from(read.confidences!), [0.5, 1, 0.25, 0.75]);
});

test('a labels file of another dataset, or with unknown, missing or repeated ids, is refused', async (t) => {
  const target = file();
  await writePseudoLabelsFile(target, dataset(), { source: 'test', labels: Int32Array.from([0, 1, 2, 0]) });
  await t.throwsAsync(readPseudoLabelsFile(target, dataset('other')), { instanceOf: UserError, message: /made for dataset 'tiny', not 'other'/ });

  const content = JSON.parse(readFileSync(target, 'utf8')) as { ids: string[]; labels: number[] };
  const edit = async (change: (c: typeof content) => void) => {
    const copy = structuredClone(content);
    change(copy);
    writeFileSync(target, JSON.stringify(copy));
    return readPseudoLabelsFile(target, dataset());
  };
  await t.throwsAsync(edit((c) => (c.ids[1] = 'nope')), { instanceOf: UserError, message: /names image 'nope'/ });
  await t.throwsAsync(edit((c) => (c.ids[1] = 'w')), { instanceOf: UserError, message: /lists image 'w' twice/ });
  await t.throwsAsync(edit((c) => { c.ids.pop(); c.labels.pop(); }), { instanceOf: UserError, message: /no label for 1 training image\(s\) of tiny, e\.g\. 'z'/ });
  await t.throwsAsync(edit((c) => (c.labels[0] = 3)), { instanceOf: UserError, message: /class 3, but tiny has 3 classes/ });
  writeFileSync(target, '{"version":1,');
  await t.throwsAsync(readPseudoLabelsFile(target, dataset()), { instanceOf: UserError, message: /cannot read labels file/ });
});
