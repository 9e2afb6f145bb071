/**
 * Trains the evaluation network of a bundled dataset and writes it to data/networks/<dataset>/:
 * model.json and weights.bin (tfjs layers format) and network.json (its geometry, accuracy on the
 * whole test split, the training settings and the weights' SHA-256). `s3gan eval` scores MNIST and
 * Fashion-MNIST with these fixed weights (src/eval/shipped-network.ts), so every machine measures FID
 * and label accuracy in the same feature space.
 *
 *   npm run build && node dist/data/networks/train.js --dataset mnist
 *   npm run build && node dist/data/networks/train.js --dataset fashion-mnist
 */
import * as tf from '@tensorflow/tfjs';
import { mkdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { Command, Option } from 'commander';
import { formatJson } from '../../src/artifacts/atomic-write.js';
import { writeModelDir } from '../../src/artifacts/model-files.js';
import { selectBackend } from '../../src/backend/select.js';
import { loadDataset } from '../../src/data/registry.js';
import { classifierAccuracy, labelledIndices, trainClassifier } from '../../src/eval/classifier-training.js';
import { buildDomainClassifier } from '../../src/eval/domain-classifier.js';
import { CLASSIFIER_BATCH_SIZE, CLASSIFIER_LEARNING_RATE } from '../../src/eval/domain-classifier-cache.js';
import { SHIPPED_GEOMETRY, SHIPPED_NETWORK_DATASETS, shippedNetworkDir, weightsSha256, type ShippedNetworkInfo } from '../../src/eval/shipped-network.js';

interface Flags {
  dataset: (typeof SHIPPED_NETWORK_DATASETS)[number];
  epochs: number;
  width: number;
  seed: number;
  threads: number;
  cacheDir: string;
}

const flags = new Command('train-evaluation-network')
  .description('Train the fixed evaluation network of a bundled dataset (data/networks/<dataset>/)')
  .addOption(new Option('--dataset <name>', 'dataset').choices(SHIPPED_NETWORK_DATASETS).makeOptionMandatory())
  .option('--epochs <n>', 'passes over the training images', Number, 4)
  .option('--width <n>', 'channels of the first conv block', Number, 32)
  .option('--seed <n>', 'initialisation, shuffle and dropout seed', Number, 0)
  .option('--threads <n>', 'onednn threads (0 = all cores)', Number, 0)
  .option('--cache-dir <dir>', 'decode cache', '.cache')
  .parse()
  .opts<Flags>();

const backend = await selectBackend('auto', undefined, console.error, { threads: flags.threads });
const dataset = await loadDataset({ name: flags.dataset, cacheDir: flags.cacheDir, imageSize: 28, skipCorrupt: false });
if (dataset.test === undefined) throw new Error(`${flags.dataset} has no test split`);
const model = buildDomainClassifier({ imageSize: SHIPPED_GEOMETRY.imageSize, channels: 1, numClasses: dataset.classNames.length, width: flags.width, seed: flags.seed });
const trainIndices = labelledIndices(dataset.train);
const training = await trainClassifier(model, dataset.train, trainIndices, {
  ...SHIPPED_GEOMETRY,
  epochs: flags.epochs,
  batchSize: CLASSIFIER_BATCH_SIZE,
  learningRate: CLASSIFIER_LEARNING_RATE,
  seed: flags.seed,
  progress: { label: `${flags.dataset} evaluation network` },
});
const testIndices = labelledIndices(dataset.test);
const testAccuracy = await classifierAccuracy(model, dataset.test, testIndices, SHIPPED_GEOMETRY);

const dir = shippedNetworkDir(flags.dataset);
await mkdir(dir, { recursive: true });
await writeModelDir(dir, model);
const info: ShippedNetworkInfo = {
  dataset: flags.dataset,
  geometry: SHIPPED_GEOMETRY,
  numClasses: dataset.classNames.length,
  width: flags.width,
  epochs: flags.epochs,
  seed: flags.seed,
  batchSize: CLASSIFIER_BATCH_SIZE,
  learningRate: CLASSIFIER_LEARNING_RATE,
  trainImages: trainIndices.length,
  testAccuracy,
  testImages: testIndices.length,
  trainSeconds: Math.round(training.seconds),
  trainBackend: backend.name,
  weightsSha256: await weightsSha256(dir),
  command: `node dist/data/networks/train.js --dataset ${flags.dataset} --epochs ${flags.epochs} --width ${flags.width} --seed ${flags.seed}`,
};
await writeFile(path.join(dir, 'network.json'), formatJson(info));
console.log(`${flags.dataset}: test accuracy ${(100 * testAccuracy).toFixed(2)} % on ${testIndices.length} images, ${training.seconds.toFixed(0)} s on ${backend.name}; written to ${dir}`);
model.dispose();
tf.disposeVariables();
