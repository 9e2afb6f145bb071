import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { buildGenerator } from '../../src/nn/architectures/index.js';
import { exportGenerator } from '../../src/training/gan/export.js';
import { tempDir } from '../temp.js';

/** The README's snippet that loads an exported generator from a local directory in Node. */
function readmeSnippet(): string {
  const blocks = [...readFileSync('README.md', 'utf8').matchAll(/```js\n([\s\S]*?)```/g)].map((match) => match[1]);
  const snippet = blocks.find((block) => block.includes('tf.io.fromMemory'));
  if (snippet === undefined) throw new Error('README.md has no js block loading a generator with tf.io.fromMemory');
  return snippet;
}

test.before(async () => {
  await tf.setBackend('cpu');
});

for (const numClasses of [3, 0]) {
  test(`README's Node snippet loads a ${numClasses > 0 ? 'conditional' : 'unconditional'} export from a local path with plain @tensorflow/tfjs`, async (t) => {
    const cwd = tempDir('s3gan-readme-');
    const dir = path.join(cwd, 'runs/quickstart/gan/export/generator-ema');
    mkdirSync(path.dirname(dir), { recursive: true });
    const generator = buildGenerator('sndcgan', { zDim: 4, numClasses, width: 2, imageSize: 8, channels: 1, seed: 5 });
    await exportGenerator(generator, dir);
    generator.dispose();
    // The script lives outside the package: it imports @tensorflow/tfjs by its resolved URL, and nothing of s3gan.
    const script = path.join(cwd, 'snippet.mjs');
    writeFileSync(script, readmeSnippet().replace(`from '@tensorflow/tfjs'`, `from '${import.meta.resolve('@tensorflow/tfjs')}'`));
    const { stdout } = await promisify(execFile)(process.execPath, [script], { cwd });
    t.is(stdout.trim().split('\n').at(-1), '[ 8, 8, 8, 1 ]');
  });
}
