import * as path from 'node:path';
import { writeMnistSubset } from '../cli/mnist-idx.js';
import { tempDir } from '../temp.js';

/** A real dataset small enough for the cpu backend: the first 400 / 200 MNIST images as IDX files. */
export function tinyMnist(): string {
  return writeMnistSubset(path.join(tempDir('s3gan-api-mnist-'), 'mnist'), { train: 400, test: 200 });
}

/** A GAN small enough for the cpu backend (as in tests/cli/train.test.ts), on `mnistDir`, as `set` entries. */
export function tinyGan(mnistDir: string): Record<string, string | number | boolean> {
  return {
    'backend.name': 'cpu',
    'data.path': mnistDir,
    'data.cacheDir': tempDir('s3gan-api-cache-'),
    'data.imageSize': 8,
    'data.fit': 'resize',
    'gan.width': 2,
    'gan.zDim': 4,
    'gan.batchSize': 8,
    'gan.logEverySteps': 1,
    'gan.sampleEverySteps': 0,
    'gan.checkpointEverySteps': 2,
  };
}

/** A domain classifier small enough for tests (as in tests/cli/eval.test.ts). */
export const TINY_EVAL = { 'eval.network': 'trained', 'eval.classifierWidth': 2, 'eval.classifierEpochs': 1 } as const;
