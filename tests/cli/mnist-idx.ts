import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { defaultMnistDir, MNIST_FILES } from '../../src/data/mnist.js';

/**
 * Writes an IDX copy of the first `count` images and labels of an MNIST split into `dir`: a real
 * dataset small enough that the domain classifier trains in a moment on the cpu backend.
 */
export function writeIdxSubset(dir: string, split: 'train' | 'test', count: number): void {
  const files = MNIST_FILES[split];
  const images = readFileSync(path.join(defaultMnistDir(), files.images));
  const labels = readFileSync(path.join(defaultMnistDir(), files.labels));
  const imageHeader = Buffer.alloc(16);
  imageHeader.writeUInt32BE(0x803, 0);
  imageHeader.writeUInt32BE(count, 4);
  imageHeader.writeUInt32BE(28, 8);
  imageHeader.writeUInt32BE(28, 12);
  writeFileSync(path.join(dir, files.images), Buffer.concat([imageHeader, images.subarray(16, 16 + count * 784)]));
  const labelHeader = Buffer.alloc(8);
  labelHeader.writeUInt32BE(0x801, 0);
  labelHeader.writeUInt32BE(count, 4);
  writeFileSync(path.join(dir, files.labels), Buffer.concat([labelHeader, labels.subarray(8, 8 + count)]));
}

/**
 * An IDX directory holding the first `train` and `test` images (and labels) of MNIST, for CLI
 * tests on the cpu backend (`--set data.path=DIR`); returns `dir`.
 */
export function writeMnistSubset(dir: string, counts: { train: number; test: number }): string {
  mkdirSync(dir, { recursive: true });
  writeIdxSubset(dir, 'train', counts.train);
  writeIdxSubset(dir, 'test', counts.test);
  return dir;
}
