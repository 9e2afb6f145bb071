/** `s3gan/data`: datasets, labelled subsets, label files, training batches, transforms and rotations. */
export { UNLABELLED, splitSize, type Dataset, type ImageSplit } from '../data/types.js';
export { DATASET_NAMES, type DatasetName, type DatasetOptions, type ProgressFn } from '../data/options.js';
export { loadDataset, parseDatasetName, type LoadHooks } from '../data/registry.js';
export { writeCifarBatch } from '../data/cifar10.js';
export { labelledSubset, maskToSubset, type LabelBudget, type LabelledSubset } from '../data/label-subset.js';
export { readLabelledSubset, writeLabelledSubset } from '../data/label-subset-file.js';
export { readPseudoLabelsFile, writePseudoLabelsFile, type TrainingLabels } from '../data/pseudo-labels-file.js';
export { trainingBatches, batchIndices, type Batch, type BatchOptions } from '../data/batches.js';
export { fitToSize, scaleToSymmetric, symmetricToPixels, type FitMode } from '../data/transforms.js';
export { rot90, allRotations, NUM_ROTATIONS } from '../data/rotate.js';
export { Rng, type RngState } from '../util/rng.js';
export { LABELLED_SUBSET_FILE, PSEUDO_LABELS_FILE } from '../artifacts/run-layout.js';
