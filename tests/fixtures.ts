/** Inputs several test folders share. */
import { readMnist } from '../src/data/mnist.js';
import { imageBytes, type ImageSplit } from '../src/data/types.js';

export { SILENT_PROGRESS as SILENT } from '../src/util/progress.js';

/** The first `count` MNIST training images as a split of their own. */
export async function mnistTrainSubset(count: number): Promise<ImageSplit> {
  const { train } = await readMnist();
  return {
    images: train.images.slice(0, count * imageBytes(train)),
    shape: [count, 28, 28, 1],
    labels: train.labels.slice(0, count),
    ids: train.ids.slice(0, count),
  };
}
